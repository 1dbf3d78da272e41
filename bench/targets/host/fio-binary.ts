/** Finding the installed fio and checking that it is 3.x or later (the JSON layout Anvil reads). */
import { spawnSync } from 'node:child_process';
import { AnvilError } from '../../../platform/errors.js';
import { which } from './bounded-process.js';

export interface FioBinary {
  readonly path: string;
  /** As fio prints it: "fio-3.33". */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
}

const INSTALL = 'install it with `apt-get install fio` (Debian/Ubuntu) or `dnf install fio`';

/** Parses `fio --version` output ("fio-3.33", "fio-3.36-12-gabc"). */
export function parseFioVersion(text: string): { version: string; major: number; minor: number } | undefined {
  const m = /fio-(\d+)\.(\d+)\S*/.exec(text);
  return m ? { version: m[0], major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** The fio to run (`ANVIL_FIO` or `fio` on PATH), checked to be >= 3.0; ANVIL_ERR_FIO_MISSING otherwise. */
export function findFio(command = process.env.ANVIL_FIO ?? 'fio'): FioBinary {
  const path = command.includes('/') ? command : which(command);
  if (!path) throw new AnvilError('ANVIL_ERR_FIO_MISSING', `fio is not installed (no '${command}' on PATH); ${INSTALL}`);
  const r = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const v = r.status === 0 ? parseFioVersion(r.stdout) : undefined;
  if (!v)
    throw new AnvilError(
      'ANVIL_ERR_FIO_MISSING',
      `${path} --version did not print an fio version (${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().slice(0, 80) || r.error?.message || `exit ${String(r.status)}`}); ${INSTALL}`,
    );
  if (v.major < 3)
    throw new AnvilError('ANVIL_ERR_FIO_MISSING', `${path} is ${v.version}; Anvil reads fio 3.x JSON, so ${INSTALL} (3.0 or later)`);
  return { path, ...v };
}
