/**
 * The state file holds users, roles, token hashes and the audit log: Anvil creates it 0600 (SQLite gives
 * its -wal and -shm files the same mode) and its default folder 0700, and warns once per process per file
 * when an existing one is open to other users, saying the chmod to run.
 */
import { closeSync, mkdirSync, openSync, statSync } from 'node:fs';
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
 * Before SQLite opens `path`: makes its folder (0700) when `createFolder`, and creates the file 0600 when it
 * is missing; returns whether it did (an existing file is checked once it proved to be a state file).
 */
export function prepareStateFile(path: string, createFolder: boolean): boolean {
  if (createFolder) mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_FOLDER_MODE });
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
    return true;
  } catch {
    return false; // it exists, or SQLite's own open reports why not
  }
}

function modeOf(path: string): number | undefined {
  try {
    return statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
}

/**
 * Warns once per process if the state file at `path` or the folder Anvil made for it
 * (`ownFolder`) is open to other users, naming the chmod to run.
 */
export function warnIfOpenToOthers(path: string, ownFolder: string | undefined): void {
  if (warned.has(path) || !statSync(path, { throwIfNoEntry: false })?.isFile()) return;
  // Only the file: SQLite makes its -wal and -shm with the file's own mode and removes them at the last close.
  const fileMode = modeOf(path) ?? 0;
  const folderMode = ownFolder === undefined ? 0 : (modeOf(ownFolder) ?? 0);
  const fileOpen = (fileMode & OPEN_TO_OTHERS) !== 0;
  const folderOpen = (folderMode & OPEN_TO_OTHERS) !== 0;
  if (!fileOpen && !folderOpen) return;
  warned.add(path);
  const what = fileOpen
    ? `state file ${path} is open to other users (mode ${octal(fileMode)})`
    : `the folder of state file ${path} is open to other users (mode ${octal(folderMode)})`;
  const fixes = [...(fileOpen ? [`chmod 600 ${quoted(path)}`] : []), ...(folderOpen ? [`chmod 700 ${quoted(ownFolder!)}`] : [])];
  warnLine(`anvil: warning: ${what}; it holds users, roles, token hashes and the audit log: run ${fixes.join(' && ')}`);
}

const octal = (mode: number) => `0${mode.toString(8).padStart(3, '0')}`;
const quoted = (p: string) => (/^[\w./-]+$/.test(p) ? p : `'${p.replace(/'/g, `'\\''`)}'`);
