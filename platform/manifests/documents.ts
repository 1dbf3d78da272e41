/** Reads Kubernetes YAML from a file, a folder (its .yaml/.yml/.json files, sorted) or stdin ("-"), one entry per document. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { AnvilError } from '../errors.js';

export interface ManifestDocument {
  /** File and line of the document's start: "deploy.yaml:12". */
  readonly where: string;
  readonly body: Record<string, unknown>;
  /** File and line of the field at `path` ("spec.containers[0].image"), or of its nearest parent that exists. */
  readonly whereField?: (path: string) => string;
}

/** The keys of a field path as Fields writes it: `a.b[0].c`, `metadata.annotations["anvil.dev/x"]`. */
export function pathKeys(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const m of path.matchAll(/\["([^"]*)"\]|\[(\d+)\]|([^.[\]]+)/g)) keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : m[3]!));
  return keys;
}

function fieldLocator(doc: Document, lines: LineCounter, file: string, docLine: number): (path: string) => string {
  return (path) => {
    const keys = pathKeys(path);
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return `${file}:${lines.linePos(node.range[0]).line}`;
    }
    return `${file}:${docLine}`;
  };
}

function filesOf(path: string): string[] {
  if (!existsSync(path)) throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `-f ${path}: no such file or folder`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => join(path, f));
}

/** Parses every document of `text`; YAML errors name the file and line, all at once. */
export function parseManifestText(text: string, file: string): ManifestDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines });
  const out: ManifestDocument[] = [];
  const problems: string[] = [];
  for (const doc of Array.isArray(docs) ? docs : [docs]) {
    for (const e of doc.errors) problems.push(`${file}:${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    if (doc.errors.length > 0) continue;
    const body = doc.toJS() as unknown;
    if (body === null || body === undefined) continue; // an empty document between '---'
    const line = lines.linePos(doc.contents?.range?.[0] ?? 0).line;
    if (typeof body !== 'object' || Array.isArray(body)) {
      problems.push(`${file}:${line}: a manifest is a mapping with apiVersion, kind and metadata`);
      continue;
    }
    out.push({ where: `${file}:${line}`, body: body as Record<string, unknown>, whereField: fieldLocator(doc, lines, file, line) });
  }
  if (problems.length > 0) throw new AnvilError('ANVIL_ERR_MANIFEST', `${file} is not valid YAML`, problems);
  return out;
}

/** Every document under `path` ("-" reads stdin). */
export function readManifests(path: string, stdin: () => string = () => readFileSync(0, 'utf8')): ManifestDocument[] {
  if (path === '-') return parseManifestText(stdin(), '<stdin>');
  return filesOf(path).flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `cannot read ${file}: ${(e as Error).message}`);
    }
    return parseManifestText(text, file);
  });
}
