/**
 * Making the folder results go to, checked before a run rather than after it. Node's recursive mkdir
 * loops forever under pseudo-filesystems such as /proc (mkdir answers ENOENT for the child while the
 * parent exists), so the missing levels are made one at a time and any failure is a catalogue error.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { AnvilError } from '../../platform/errors.js';

const codeOf = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** Makes `dir` (and its missing parents) or throws ANVIL_ERR_OUTPUT saying which level failed and why. */
export function ensureOutputDir(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) {
        throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${dir}: ${at} exists and is not a folder; choose another --out`);
      }
      break;
    } catch (e) {
      if (e instanceof AnvilError) throw e;
      const code = codeOf(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${dir}: ${(e as Error).message}`);
      missing.unshift(at);
      const parent = dirname(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (e) {
      if (codeOf(e) === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw new AnvilError(
        'ANVIL_ERR_OUTPUT',
        `cannot write results to ${dir}: making ${level} failed (${codeOf(e) ?? (e as Error).message}); choose a folder you can write`,
      );
    }
  }
}
