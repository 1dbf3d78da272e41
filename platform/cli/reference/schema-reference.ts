/**
 * A TypeBox (JSON Schema) document as Markdown: one section per object, a table of its fields with their
 * type, whether they must be given, the default, the range and the schema's own description. Objects
 * nested in fields (directly, in lists or in maps) get sections of their own, linked from the field.
 * Headings carry the field's full path, so every heading of a page is unique and its anchor is GitHub's.
 */
import { cell, code, PageAnchors, table, text } from './markdown.js';

/** The part of a JSON Schema node the page reads (TypeBox writes plain JSON Schema). */
export interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly default?: unknown;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly SchemaNode[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly patternProperties?: Readonly<Record<string, SchemaNode>>;
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode | readonly SchemaNode[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly uniqueItems?: boolean;
  readonly pattern?: string;
}

/** One file format to document: its heading, a paragraph before its fields, and its schema. */
export interface SchemaDocument {
  readonly title: string;
  readonly intro: string;
  /** The root's field path in headings, e.g. `scenario`. */
  readonly root: string;
  readonly schema: unknown;
}

interface ObjectSection {
  readonly path: string;
  readonly node: SchemaNode;
}

const isObjectWithFields = (n: SchemaNode) => n.properties !== undefined;
/** The node's `type` as words: `string`, or `string or null` for a list of types. */
export const typeNameOf = (n: SchemaNode): string | undefined => (typeof n.type === 'string' ? n.type : n.type?.join(' or '));
/**
 * The values a node allows when it lists them: a const, an enum (as @fastify/swagger writes consts), or a
 * union of those; undefined for any other node.
 */
export function fixedValuesOf(n: SchemaNode): readonly unknown[] | undefined {
  if (n.const !== undefined) return [n.const];
  if (n.enum !== undefined) return n.enum;
  if (!n.anyOf) return undefined;
  const parts = n.anyOf.map(fixedValuesOf);
  return parts.every((p) => p !== undefined) ? parts.flatMap((p) => p!) : undefined;
}

const json = (v: unknown) => (typeof v === 'string' && v !== '' ? v : JSON.stringify(v));

/** Headings of object sections: the path as code, so GitHub's anchor is the path without its punctuation. */
const headingOf = (path: string) => `### ${code(path)}`;
/** A link to an object's section; its anchor is filled in once the page's headings are known (resolveSectionLinks). */
const linkTo = (path: string) => `[${path.split('.').pop()}](#@@${path}@@)`;

/** The type as words, registering sections for the objects it holds. */
function typeText(n: SchemaNode, path: string, sections: ObjectSection[]): string {
  const values = fixedValuesOf(n);
  if (values) return values.length === 1 ? code(json(values[0])) : `one of ${values.map((v) => code(json(v))).join(', ')}`;
  if (n.anyOf) {
    // Two objects in one union need two sections: number them.
    const objects = n.anyOf.filter(isObjectWithFields).length;
    return n.anyOf.map((v, i) => typeText(v, objects > 1 && isObjectWithFields(v) ? `${path}(${i + 1})` : path, sections)).join(' or ');
  }
  if (isObjectWithFields(n)) {
    sections.push({ path, node: n });
    return `object: ${linkTo(path)}`;
  }
  const type = typeNameOf(n);
  if (type === 'array') {
    if (Array.isArray(n.items)) return `[${n.items.map((item, i) => typeText(item, `${path}[${i}]`, sections)).join(', ')}]`;
    const item = n.items as SchemaNode | undefined;
    return item ? `list of ${typeText(item, `${path}[]`, sections)}` : 'list';
  }
  if (type === 'object') {
    const [keyPattern, value] = Object.entries(n.patternProperties ?? {})[0] ?? [];
    const valueNode = value ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
    if (!valueNode) return 'object';
    const key = keyPattern && keyPattern !== '^(.*)$' ? `key matching ${code(keyPattern)}` : 'string';
    return `map of ${key} to ${typeText(valueNode, `${path}{}`, sections)}`;
  }
  return type ?? 'any';
}

/** The range and other limits of a field, in words. */
export function limitsText(n: SchemaNode): string {
  const parts: string[] = [];
  const low = n.exclusiveMinimum !== undefined ? `> ${n.exclusiveMinimum}` : n.minimum !== undefined ? `>= ${n.minimum}` : undefined;
  const high = n.exclusiveMaximum !== undefined ? `< ${n.exclusiveMaximum}` : n.maximum !== undefined ? `<= ${n.maximum}` : undefined;
  if (low || high) parts.push([low, high].filter(Boolean).join(', '));
  if (n.minLength !== undefined && n.minLength > 0) parts.push(`length >= ${n.minLength}`);
  if (n.maxLength !== undefined) parts.push(`length <= ${n.maxLength}`);
  if (n.minItems !== undefined && n.minItems > 0) parts.push(`items >= ${n.minItems}`);
  if (n.maxItems !== undefined && !Array.isArray(n.items)) parts.push(`items <= ${n.maxItems}`);
  if (n.minProperties !== undefined) parts.push(`entries >= ${n.minProperties}`);
  if (n.uniqueItems) parts.push('no repeats');
  // A pattern the description does not explain is shown as it is.
  if (n.pattern !== undefined && n.description === undefined) parts.push(`matches ${code(n.pattern)}`);
  return parts.join('; ');
}

function fieldsTable(section: ObjectSection, sections: ObjectSection[]): string {
  const required = new Set(section.node.required ?? []);
  const rows = Object.entries(section.node.properties ?? {}).map(([name, field]) => {
    const must = required.has(name) && field.default === undefined;
    return [
      code(name),
      typeText(field, `${section.path}.${name}`, sections),
      must ? 'yes' : 'no',
      field.default === undefined ? '' : code(json(field.default)),
      limitsText(field),
      text(field.description ?? ''),
    ];
  });
  const extra = section.node.additionalProperties === false ? '' : '\n\nOther fields are accepted and not read.';
  return table(['field', 'type', 'required', 'default', 'allowed', 'description'], rows) + extra;
}

/** The Markdown of one document: its heading, intro and a section per object, parents before children. */
export function schemaDocument(doc: SchemaDocument): string {
  const root = doc.schema as SchemaNode;
  const sections: ObjectSection[] = [];
  const rootType = typeText(root, doc.root, sections);
  const parts = [`## ${doc.title}`, doc.intro];
  if (!isObjectWithFields(root)) parts.push(`The file is a ${rootType}.`);
  if (root.description) parts.push(text(cell(root.description)));
  // Sections found while rendering a table are appended and rendered in turn (breadth first).
  for (let i = 0; i < sections.length; i++) {
    const section = sections[i]!;
    parts.push(headingOf(section.path));
    if (section.node.description && section !== sections[0]) parts.push(text(cell(section.node.description)));
    parts.push(fieldsTable(section, sections));
  }
  return parts.filter((p) => p !== '').join('\n\n');
}

/** Headings of a rendered page that repeat (anchors would then be numbered and links would miss). */
export function repeatedHeadings(markdown: string): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const m of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    const h = m[1]!;
    if (seen.has(h)) repeated.add(h);
    seen.add(h);
  }
  return [...repeated].sort();
}

/**
 * The page with every section link pointing at its heading's anchor, numbered as GitHub numbers repeated
 * slugs (`a.b[]` and `a.b` both slug to `ab`: the second is `ab-1`). Walks the headings in page order.
 */
export function resolveSectionLinks(markdown: string): string {
  const anchors = new PageAnchors();
  const bySection = new Map<string, string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.+)$/.exec(line);
    if (!heading) continue;
    const anchor = anchors.next(heading[1]!);
    const section = /^`(.+)`$/.exec(heading[1]!);
    if (section) bySection.set(section[1]!, anchor);
  }
  return markdown.replace(/#@@(.+?)@@/g, (_, path: string) => {
    const anchor = bySection.get(path);
    if (anchor === undefined) throw new Error(`no section ${path} for a link on the page`);
    return `#${anchor}`;
  });
}
