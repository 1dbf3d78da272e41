/** Reads Kubernetes YAML from a file, a folder (its .yaml/.yml/.json files, sorted) or stdin ("-"), one entry per document. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { AnvilError } from '../errors.js';
import { parseYamlDocuments } from '../yaml-input.js';

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

function fieldLocator(doc: Document, lineOf: (offset: number) => number, file: string, docLine: number): (path: string) => string {
  return (path) => {
    const keys = pathKeys(path);
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return `${file}:${lineOf(node.range[0])}`;
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
  const parsed = parseYamlDocuments(text, file);
  const out: ManifestDocument[] = [];
  const problems = [...parsed.problems];
  for (const { data, doc, line } of parsed.documents) {
    if (data === null || data === undefined) continue; // an empty document between '---'
    if (typeof data !== 'object' || Array.isArray(data)) {
      problems.push(`${file}:${line}: a manifest is a mapping with apiVersion, kind and metadata`);
      continue;
    }
    out.push({ where: `${file}:${line}`, body: data as Record<string, unknown>, whereField: fieldLocator(doc, parsed.lineOf, file, line) });
  }
  if (problems.length > 0) throw new AnvilError('ANVIL_ERR_MANIFEST', `${file} is not valid YAML`, problems);
  return out;
}

/** What kubectl says when a file, folder or stream holds no object; Anvil says it with the source named. */
export function noObjects(source?: string): AnvilError {
  const what = source === undefined ? 'the manifests hold' : `${source} holds`;
  return new AnvilError(
    'ANVIL_ERR_MANIFEST',
    `no objects passed to apply: ${what} no Kubernetes object (empty, only comments, or a folder without .yaml/.yml/.json files)`,
  );
}

/** Every document under `path` ("-" reads stdin); none at all is an error, as with kubectl. */
export function readManifests(path: string, stdin: () => string = () => readFileSync(0, 'utf8')): ManifestDocument[] {
  const docs = path === '-' ? parseManifestText(stdin(), '<stdin>') : readFiles(path);
  if (docs.length === 0) throw noObjects(path === '-' ? '<stdin>' : path);
  return docs;
}

function readFiles(path: string): ManifestDocument[] {
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
