/** Reads Kubernetes YAML from a file, a folder (its .yaml/.yml/.json files, sorted) or stdin ("-"), one entry per document. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { AnvilError } from '../errors.js';

export interface ManifestDocument {
  /** File and line of the document's start: "deploy.yaml:12". */
  readonly where: string;
  readonly body: Record<string, unknown>;
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
    out.push({ where: `${file}:${line}`, body: body as Record<string, unknown> });
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
