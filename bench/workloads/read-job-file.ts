/**
 * Reading a job file from disk, refusing what is not one before reading it whole: a directory, a
 * device or pipe (`/dev/zero` never ends), a file larger than any job file, binary content.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { AnvilError } from '../../platform/errors.js';

/** Largest job file read, bytes. fio's own examples are a few KiB; 1 MiB holds thousands of jobs. */
export const MAX_JOB_FILE_BYTES = 1024 * 1024;

function notAJobFile(path: string, why: string): AnvilError {
  return new AnvilError(
    'ANVIL_ERR_JOB_FILE',
    `${path} is not a job file: ${why}; give an fio job file (text: [jobname] sections of key=value options)`,
  );
}

/** The text of the job file at `path`; ANVIL_ERR_FILE_NOT_FOUND or ANVIL_ERR_JOB_FILE naming it otherwise. */
export function readJobFileText(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw notAJobFile(path, 'it is a directory');
    if (!st.isFile()) throw notAJobFile(path, 'it is a device, pipe or socket, not a regular file');
    size = st.size;
  } catch (e) {
    if (e instanceof AnvilError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `cannot read job file ${path}${code === 'ENOENT' ? ': no such file' : `: ${code}`}`);
  }
  if (size > MAX_JOB_FILE_BYTES)
    throw notAJobFile(path, `it is ${size} bytes, and a job file is at most ${MAX_JOB_FILE_BYTES} bytes (1 MiB)`);
  // Read at most one byte past the limit, in case the file grew since stat.
  const buffer = Buffer.alloc(MAX_JOB_FILE_BYTES + 1);
  let length = 0;
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_FILE_NOT_FOUND',
      `cannot read job file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (length > MAX_JOB_FILE_BYTES)
    throw notAJobFile(path, `it is larger than ${MAX_JOB_FILE_BYTES} bytes (1 MiB), the most a job file can be`);
  const bytes = buffer.subarray(0, length);
  if (bytes.includes(0)) throw notAJobFile(path, `it has binary content (a NUL byte at offset ${bytes.indexOf(0)})`);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('\uFFFD') && !bytes.includes(Buffer.from('\uFFFD'))) throw notAJobFile(path, 'it is not UTF-8 text');
  return text;
}
