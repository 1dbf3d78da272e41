/**
 * What the `anvil sweep` suites share: the compiled CLI run as a user runs it (SOURCE_DATE_EPOCH set, no
 * colour, no JOB_COMPLETION_INDEX of the machine's), the queue-depth sweep of the README, and a folder's bytes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { anvilBin } from '../../bench/package-root.js';

/** The compiled CLI the suites run. */
export const BIN = anvilBin();

/** The environment a sweep runs in: fixed timestamps, no colour, and no shard index unless a test gives one. */
export const SWEEP_ENV: NodeJS.ProcessEnv = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', FORCE_COLOR: '0' };
delete SWEEP_ENV.JOB_COMPLETION_INDEX;

/** The compiled `anvil` with `args` in `cwd`, to its end. */
export function anvil(args: string[], cwd: string, env: NodeJS.ProcessEnv = SWEEP_ENV) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env });
}

/**
 * A sweep over queue depth of a 4K random read on the P4510 (20 ms of simulated time per point), named
 * `name`, over the queue depths `depths`; `baseDepth` is the job's own iodepth, left out when not given.
 */
export function queueDepthSweep(name: string, depths: readonly number[], baseDepth?: number): string {
  const base = baseDepth === undefined ? '' : `  iodepth=${baseDepth}\n`;
  return `kind: Sweep
name: ${name}
job: |
  [global]
  rw=randread
  bs=4k
${base}  runtime=20ms
  time_based
  [randread-4k]
profile: intel-p4510-4tb
axes:
  - option: iodepth
    values: [${depths.join(', ')}]
`;
}

/** The README's sweep, over a subset of 1..256 to stay quick. */
export const QD_SWEEP = queueDepthSweep('p4510-qd', [1, 4, 16, 64, 256], 1);

/** The files of a folder (recursively), name -> bytes. */
export function filesOf(dir: string, prefix = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) for (const [k, v] of filesOf(path, `${prefix}${entry.name}/`)) out.set(k, v);
    else out.set(`${prefix}${entry.name}`, readFileSync(path));
  }
  return out;
}
