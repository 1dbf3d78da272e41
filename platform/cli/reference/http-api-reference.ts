/**
 * docs/reference/http-api.md from the OpenAPI document the server builds (`GET /openapi.json`, made by
 * @fastify/swagger from the routes' schemas): every route by tag, its method, parameters, request body
 * fields and response codes. The server is built on an in-memory state and closed again; nothing listens.
 */
import { buildServer } from '../../api/server.js';
import { code, generatedBanner, page, table, text } from './markdown.js';
import { fixedValuesOf, limitsText, typeNameOf, type SchemaNode } from './schema-reference.js';

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly description?: string;
  readonly schema?: SchemaNode & { readonly $ref?: string };
}
interface Operation {
  readonly operationId?: string;
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly security?: readonly unknown[];
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly required?: boolean; readonly content: Record<string, { readonly schema: SchemaNode }> };
  readonly responses: Record<
    string,
    { readonly description?: string; readonly content?: Record<string, { readonly schema: SchemaNode & { $ref?: string } }> }
  >;
}
interface OpenApiDocument {
  readonly info: { readonly title: string; readonly description?: string };
  readonly tags?: readonly { readonly name: string; readonly description?: string }[];
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components?: { readonly schemas?: Record<string, { readonly title?: string }> };
}

/** Methods in the order a route's operations are listed. */
const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** The type of a field in a few words; objects inside bodies are named, not unfolded. */
function shortType(n: SchemaNode & { $ref?: string }): string {
  if (n.$ref !== undefined) return n.$ref.split('/').pop() ?? 'object';
  const values = fixedValuesOf(n);
  if (values) return values.length === 1 ? code(String(values[0])) : `one of ${values.map((v) => code(String(v))).join(', ')}`;
  if (n.anyOf) return n.anyOf.map(shortType).join(' or ');
  const type = typeNameOf(n);
  if (type === 'array' && n.items && !Array.isArray(n.items)) return `list of ${shortType(n.items as SchemaNode)}`;
  return type ?? 'any';
}

/** A response body in a line: a coded error, or the type and its top-level fields. */
function bodyText(schema: (SchemaNode & { $ref?: string; title?: string }) | undefined, errorSchema: string): string {
  if (!schema) return '';
  if (schema.$ref?.endsWith(`/${errorSchema}`)) return 'a coded error `{ code, message, details? }` ([errors.md](errors.md))';
  const item = schema.type === 'array' && schema.items && !Array.isArray(schema.items) ? (schema.items as SchemaNode) : schema;
  const fields = Object.keys(item.properties ?? {});
  const listed = fields.length ? `: ${fields.map(code).join(', ')}` : '';
  return `${shortType(schema)}${listed}`;
}

function operationSection(method: string, path: string, op: Operation, errorSchema: string): string {
  const parameters = op.parameters ?? [];
  const parametersTable = parameters.length
    ? table(
        ['parameter', 'in', 'type', 'required', 'allowed', 'description'],
        parameters.map((p) => [
          code(p.name),
          p.in,
          p.schema ? shortType(p.schema) : '',
          p.required ? 'yes' : 'no',
          p.schema ? limitsText(p.schema) : '',
          text(p.description ?? ''),
        ]),
      )
    : '';
  const body = op.requestBody ? Object.entries(op.requestBody.content)[0] : undefined;
  const bodyTable = body
    ? `Request body (${code(body[0])}${op.requestBody?.required ? ', required' : ''}):\n\n` +
      table(
        ['field', 'type', 'required', 'allowed', 'description'],
        Object.entries(body[1].schema.properties ?? {}).map(([name, f]) => [
          code(name),
          shortType(f),
          (body[1].schema.required ?? []).includes(name) ? 'yes' : 'no',
          limitsText(f),
          text(f.description ?? ''),
        ]),
      )
    : '';
  const responses = table(
    ['status', 'meaning', 'body'],
    Object.entries(op.responses).map(([status, r]) => [
      status,
      text(r.description ?? ''),
      bodyText(Object.values(r.content ?? {})[0]?.schema, errorSchema),
    ]),
  );
  const auth = op.security?.length ? 'Needs a bearer token (`Authorization: Bearer TOKEN`).' : 'No token needed.';
  return page([
    `### ${method.toUpperCase()} ${path}`,
    text(op.description ?? op.summary ?? ''),
    `${code(op.operationId ?? '')}. ${auth}`,
    parametersTable,
    bodyTable,
    responses,
  ]);
}

/** The document `GET /openapi.json` serves, from a server on an in-memory state. */
export async function openApiDocument(): Promise<unknown> {
  const { app } = await buildServer({ statePath: ':memory:' });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

/** The page's Markdown. */
export async function httpApiReference(): Promise<string> {
  const doc = (await openApiDocument()) as OpenApiDocument;
  // @fastify/swagger names shared schemas def-N; the error body is the one titled ErrorBody (platform/api/schemas.ts).
  const errorSchema = Object.entries(doc.components?.schemas ?? {}).find(([, s]) => s.title === 'ErrorBody')?.[0] ?? 'ErrorBody';
  const operations = Object.entries(doc.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, op]) => ({ path, method, op })),
    )
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : METHODS.indexOf(a.method) - METHODS.indexOf(b.method)));
  const tags = [...(doc.tags ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sections = tags.flatMap((tag) => {
    const ops = operations.filter((o) => o.op.tags?.includes(tag.name));
    return ops.length
      ? [`## ${tag.name}`, text(tag.description ?? ''), ...ops.map((o) => operationSection(o.method, o.path, o.op, errorSchema))]
      : [];
  });
  const untagged = operations.filter((o) => !o.op.tags?.some((t) => tags.some((tag) => tag.name === t)));
  if (untagged.length) sections.push('## other routes', ...untagged.map((o) => operationSection(o.method, o.path, o.op, errorSchema)));
  return page([
    generatedBanner('the OpenAPI document anvil serve builds (platform/api/, GET /openapi.json)'),
    `# HTTP API: ${doc.info.title}`,
    text(doc.info.description ?? ''),
    'A running `anvil serve` serves the same document at `/openapi.json` and a browsable page at `/docs`. ' +
      "`4XX` and `5XX` answers carry a code from [errors.md](errors.md), whose table gives each code's status.",
    ...sections,
  ]);
}
