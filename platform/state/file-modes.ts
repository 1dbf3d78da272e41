/**
 * The state file holds users, roles, token hashes and the audit log: Anvil creates it 0600 (SQLite gives
 * its -wal and -shm files the same mode) and its default folder 0700, and warns once per process per file
 * when an existing one is open to other users, saying the chmod to run.
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

/** Owner read and write only (the state file, the login file). */
export const PRIVATE_FILE_MODE = 0o600;
/** Owner only (the folders Anvil creates for them). */
export const PRIVATE_FOLDER_MODE = 0o700;
/** Any permission bit for group or others. */
const OPEN_TO_OTHERS = 0o077;

const warned = new Set<string>();

const warnLine = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Before SQLite opens `path`: makes its folder (0700) when `createFolder`, creates the file 0600 when it
 * is missing, else warns if it (its -wal/-shm files, or the folder Anvil made) is open to others.
 */
export function prepareStateFile(path: string, createFolder: boolean): void {
  const folder = dirname(path);
  if (createFolder) mkdirSync(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return; // SQLite's own open reports the error
  }
  if (!statSync(path).isFile()) return;
  warnIfOpenToOthers(path, createFolder ? folder : undefined);
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

function warnIfOpenToOthers(path: string, ownFolder: string | undefined): void {
  if (warned.has(path)) return;
  const open = [path, `${path}-wal`, `${path}-shm`].filter((p) => existsSync(p) && ((modeOf(p) ?? 0) & OPEN_TO_OTHERS) !== 0);
  const folderMode = ownFolder === undefined ? undefined : modeOf(ownFolder);
  const folderOpen = folderMode !== undefined && (folderMode & OPEN_TO_OTHERS) !== 0;
  if (open.length === 0 && !folderOpen) return;
  warned.add(path);
  const what = open.length > 0 ? `state file ${path} is open to other users (mode ${octal(modeOf(open[0]!))})` : `the folder of state file ${path} is open to other users (mode ${octal(folderMode)})`;
  const fixes = [...(open.length > 0 ? [`chmod 600 ${open.map(quoted).join(' ')}`] : []), ...(folderOpen ? [`chmod 700 ${quoted(ownFolder!)}`] : [])];
  warnLine(`anvil: warning: ${what}; it holds users, roles, token hashes and the audit log: run ${fixes.join(' && ')}`);
}

const octal = (mode: number | undefined) => `0${(mode ?? 0).toString(8).padStart(3, '0')}`;
const quoted = (p: string) => (/^[\w./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
