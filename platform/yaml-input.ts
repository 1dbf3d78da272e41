/**
 * The one way Anvil reads YAML it is given (manifests, TCO scenarios and catalogues, device and node
 * profiles): every problem comes back as `FILE:LINE: message`, never as an exception from the yaml
 * package. Beyond syntax it refuses what would otherwise surface as an internal error or a silently wrong
 * value: an alias without its anchor, aliases that expand the document beyond a bound (the "billion
 * laughs" alias bomb), and integers too large to be kept exactly as JavaScript numbers.
 */
import { readFileSync } from 'node:fs';
import { Document, LineCounter, isAlias, isCollection, isPair, parseAllDocuments, visit } from 'yaml';
import { AnvilError, type ErrorCode } from './errors.js';

/** Most values (scalars and collections) that aliases may bring into one file, counted after expansion. */
export const YAML_MAX_ALIAS_EXPANSION = 10_000;
/** The yaml package's own guard (per anchor: uses × size), kept as a second line behind the count above. */
export const YAML_MAX_ALIAS_COUNT = 1_000;

/** One parsed YAML document. */
export interface YamlDocument {
  /** The document as plain data (mappings are objects). */
  readonly data: unknown;
  /** The yaml package's document, for locating nodes by path. */
  readonly doc: Document;
  /** The 1-based line where the document's content starts. */
  readonly line: number;
}

/** Every document of a YAML text, or every problem found in it. */
export interface ParsedYaml {
  readonly documents: YamlDocument[];
  /** `FILE:LINE: message`, in source order; the documents are only meaningful when this is empty. */
  readonly problems: string[];
  /** Turns an offset of the text into its 1-based line. */
  readonly lineOf: (offset: number) => number;
}

type Ranged = { range?: [number, number, number] | null };

/** Integer literals (decimal, hex, octal) whose value a JavaScript number can hold exactly, or not. */
const INTEGER_LITERAL = /^[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+)$/;
/** YAML's own spellings of infinity and not-a-number: meant, not overflowed (the schemas then refuse them). */
const SPECIAL_FLOAT = /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;

/** Thrown inside the expansion count when an alias sits inside the collection its anchor names. */
class AliasCycle extends Error {}

/** Problems a parsed document has beyond syntax: aliases that do not resolve or expand too far, inexact integers. */
function documentProblems(doc: Document, where: (node: Ranged) => string): string[] {
  const problems: string[] = [];
  // Values each node stands for once its aliases are expanded; `inProgress` catches an alias inside its own anchor.
  const sizes = new Map<unknown, number>();
  const inProgress = new Set<unknown>();
  let expanded = 0;
  let stopCounting = false;
  const sizeOf = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (inProgress.has(node)) throw new AliasCycle();
    inProgress.add(node);
    let size = 1;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      size = target ? sizeOf(target) : 1;
    } else if (isCollection(node)) {
      for (const item of node.items) size += isPair(item) ? sizeOf(item.key) + sizeOf(item.value) : sizeOf(item);
      // A bound well past the limit keeps the sums finite for nested bombs.
      size = Math.min(size, YAML_MAX_ALIAS_EXPANSION + 1);
    }
    inProgress.delete(node);
    sizes.set(node, size);
    return size;
  };
  visit(doc, {
    Alias(_key, alias) {
      const target = alias.resolve(doc);
      if (!target) {
        problems.push(
          `${where(alias)}: alias *${alias.source} has no anchor &${alias.source} before it; define the anchor first, or write the value out`,
        );
        return;
      }
      if (stopCounting) return;
      let size: number;
      try {
        size = sizeOf(target);
      } catch (e) {
        if (!(e instanceof AliasCycle) && !(e instanceof RangeError)) throw e;
        // A RangeError here is the call stack running out: aliases nested beyond any real file.
        problems.push(
          e instanceof AliasCycle
            ? `${where(alias)}: alias *${alias.source} refers to the collection that holds it; a value cannot contain itself`
            : `${where(alias)}: alias *${alias.source} expands to values nested too deeply; write the values out instead`,
        );
        stopCounting = true;
        return;
      }
      expanded += size;
      if (expanded > YAML_MAX_ALIAS_EXPANSION) {
        problems.push(
          `${where(alias)}: aliases expand this document to more than ${YAML_MAX_ALIAS_EXPANSION} values (an alias bomb?); at most ${YAML_MAX_ALIAS_EXPANSION} values may come from aliases, write the values out instead`,
        );
        stopCounting = true;
      }
    },
    Scalar(_key, scalar) {
      if (typeof scalar.value !== 'number' || Number.isSafeInteger(scalar.value)) return;
      const text = typeof scalar.source === 'string' ? scalar.source : '';
      if (!Number.isFinite(scalar.value) && !SPECIAL_FLOAT.test(text)) {
        problems.push(`${where(scalar)}: the number ${text} is beyond what a number can hold (about ±1.8e308); use a smaller number`);
      } else if (INTEGER_LITERAL.test(text)) {
        problems.push(
          `${where(scalar)}: the integer ${text} is beyond ±${Number.MAX_SAFE_INTEGER} (2^53-1) and cannot be kept exactly; use a smaller number`,
        );
      }
    },
  });
  return problems;
}

/** Parses every document of `text` (a stream with `---`); `file` names it in problems. */
export function parseYamlDocuments(text: string, file: string): ParsedYaml {
  const counter = new LineCounter();
  const lineOf = (offset: number): number => counter.linePos(offset).line;
  const where = (node: Ranged | null | undefined): string => `${file}:${lineOf(node?.range?.[0] ?? 0)}`;
  const documents: YamlDocument[] = [];
  const problems: string[] = [];
  for (const doc of parseAllDocuments(text, { lineCounter: counter, prettyErrors: true })) {
    const line = lineOf((doc.contents as Ranged | null)?.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      for (const e of doc.errors)
        problems.push(`${file}:${e.linePos?.[0]?.line ?? line}: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
      continue;
    }
    const own = documentProblems(doc, where);
    if (own.length > 0) {
      problems.push(...own);
      continue;
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: YAML_MAX_ALIAS_COUNT });
    } catch (e) {
      // The checks above should leave nothing for toJS to refuse; should it still, it is bad input, not a bug.
      problems.push(`${file}:${line}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    documents.push({ data, doc, line });
  }
  return { documents, problems, lineOf };
}

/**
 * Parses a file that holds one YAML document (an empty file is one `null` document); any problem is
 * thrown as `code` with `FILE is not valid YAML` and one `FILE:LINE: message` detail per problem.
 */
export function parseYamlFile(text: string, file: string, code: ErrorCode): YamlDocument & { lineOf: (offset: number) => number } {
  const parsed = parseYamlDocuments(text, file);
  const { problems } = parsed;
  if (problems.length === 0 && parsed.documents.length > 1) {
    problems.push(`${file}:${parsed.documents[1]!.line}: a second document (after ---); this file holds one document`);
  }
  if (problems.length > 0) throw new AnvilError(code, `${file} is not valid YAML`, problems);
  const first = parsed.documents[0];
  return { data: first?.data ?? null, doc: first?.doc ?? new Document(null), line: first?.line ?? 1, lineOf: parsed.lineOf };
}

/** Plain data of files read by `parseYamlData`, by file and text: a run reads a node or drive profile once per node and drive. */
const parsedData = new Map<string, unknown>();
/** Files `parsedData` keeps at most; a long-lived server given ever new texts starts it afresh. */
const PARSED_DATA_FILES = 64;

/**
 * `parseYamlFile`'s data alone, parsed once per file and text in a process and handed out as a fresh copy
 * each time (callers may change what they get). A profile is read for every node and drive of a cluster,
 * and parsing is most of that; the copy costs a small fraction of it.
 */
export function parseYamlData(text: string, file: string, code: ErrorCode): unknown {
  const key = `${file}\u0000${text}`;
  if (!parsedData.has(key)) {
    const data = parseYamlFile(text, file, code).data;
    if (parsedData.size >= PARSED_DATA_FILES) parsedData.clear();
    parsedData.set(key, data);
  }
  return structuredClone(parsedData.get(key));
}

/**
 * The text of a YAML file a user named, or `ANVIL_ERR_FILE_NOT_FOUND` saying `cannot read WHAT FILE: CODE;
 * HINT` (what to give instead) where it cannot be read.
 */
export function readYamlText(file: string, what: string, hint: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_FILE_NOT_FOUND',
      `cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; ${hint}`,
    );
  }
}
