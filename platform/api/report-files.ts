/**
 * The reports `anvil serve` knows of: the TCO reports (anvil tco --out), comparison pages (anvil compare,
 * anvil check --baseline) and validation pages (anvil calibrate) found under its reports folder (--reports,
 * else --runs), by their file names, a few folders deep. Read on each request. A file is served only when
 * its real path (links followed) lies inside the folder: `..`, absolute paths and links out are refused.
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { AnvilError } from '../errors.js';

/** What each report file is, by its name as the commands write it. */
export const REPORT_KINDS: Readonly<Record<string, string>> = {
  'tco.html': 'tco',
  'tco-summary.html': 'tco-summary',
  'compare.html': 'compare',
  'validation.html': 'validation',
};

/** How many folders below the reports folder a report is looked for (check --out DIR/SCENARIO/STACK/seed-N is 3). */
export const REPORT_SEARCH_DEPTH = 4;
/** At most this many reports are listed (newest first): the list stays one page. */
export const REPORT_LIST_LIMIT = 1000;

/** The media types of the files the reports folder serves; any other file is refused. */
export const REPORT_FILE_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.pdf': 'application/pdf',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** A report as the list shows it. */
export interface ReportListing {
  /** Path from the reports folder, with `/` separators: what GET /reports/file?path= takes. */
  readonly path: string;
  readonly kind: string;
  /** The report's <title>, when it has one. */
  readonly title?: string;
  readonly size_bytes: number;
  /** When the file was last written, ISO 8601 UTC. */
  readonly modified_at: string;
}

function titleOf(file: string): string | undefined {
  const head = readFileSync(file, 'utf8').slice(0, 4096);
  const m = /<title>([^<]*)<\/title>/i.exec(head);
  return m?.[1]?.trim() || undefined;
}

/** The reports under `folder`, newest first, at most REPORT_LIST_LIMIT; links are not followed while listing. */
export function listReports(folder: string): ReportListing[] {
  const found: (ReportListing & { at: number })[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return; // a folder we may not read lists nothing
    }
    for (const name of names) {
      const path = join(dir, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory() && depth < REPORT_SEARCH_DEPTH) walk(path, depth + 1);
      const kind = REPORT_KINDS[name];
      if (!st.isFile() || kind === undefined) continue;
      const title = titleOf(path);
      found.push({
        path: relative(folder, path).split(sep).join('/'),
        kind,
        ...(title !== undefined ? { title } : {}),
        size_bytes: st.size,
        modified_at: new Date(st.mtimeMs).toISOString(),
        at: st.mtimeMs,
      });
    }
  };
  walk(folder, 0);
  return found
    .sort((x, y) => y.at - x.at || x.path.localeCompare(y.path))
    .slice(0, REPORT_LIST_LIMIT)
    .map(({ at: _at, ...r }) => r);
}

const outside = (path: string, why: string) =>
  new AnvilError(
    'ANVIL_ERR_PATH_OUTSIDE',
    `path ${JSON.stringify(path)}: ${why}; give a path from GET /apis/anvil.dev/v1/reports, relative to the reports folder`,
  );

/** The file `path` names under `folder` with its media type, or a coded error; checked before it is read. */
export function reportFile(folder: string, path: string): { body: Buffer; type: string } {
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) throw outside(path, 'an absolute path is not served');
  if (path.split(/[\\/]/).includes('..')) throw outside(path, 'a path may not climb out of the reports folder with ..');
  const type = REPORT_FILE_TYPES[extname(path).toLowerCase()];
  if (type === undefined) throw outside(path, `only ${Object.keys(REPORT_FILE_TYPES).join(', ')} files are served from the reports folder`);
  const root = realpathSync(folder);
  let real: string;
  try {
    real = realpathSync(join(root, path));
  } catch {
    throw new AnvilError(
      'ANVIL_ERR_OBJECT_NOT_FOUND',
      `no file ${path} in the reports folder; list them with GET /apis/anvil.dev/v1/reports`,
    );
  }
  if (!real.startsWith(root + sep)) throw outside(path, 'it links out of the reports folder');
  if (!statSync(real).isFile())
    throw new AnvilError(
      'ANVIL_ERR_OBJECT_NOT_FOUND',
      `no file ${path} in the reports folder; list them with GET /apis/anvil.dev/v1/reports`,
    );
  return { body: readFileSync(real), type };
}
