/**
 * A quick sweep of one job file from flags (`anvil sweep JOB.fio --axis iodepth=1,4,16 --seeds 1,2`): the
 * flags are written as a sweep file, which then runs as any other (and stays in the results folder as
 * the record of what ran).
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { stringify } from 'yaml';
import { AnvilError } from '../../platform/errors.js';
import { dnsLabel } from './plan.js';
import { SWEEP_KIND } from './schema.js';

export interface FlagSweep {
  /** `NAME=V1,V2,...`, `NAME=FROM..TO` (step 1), `NAME=FROM..TO*FACTOR` or `NAME=FROM..TO+STEP`; `profile.PARAM=...` for a profile parameter. */
  readonly axes: readonly string[];
  readonly seeds?: readonly number[];
  readonly profile?: string;
  readonly zip?: boolean;
  readonly maxIos?: number;
}

const AXIS = /^([a-z_][a-z0-9_.]*)=(.+)$/;
const RANGE = /^(-?[\d.]+)\.\.(-?[\d.]+)(?:([*+])([\d.]+))?$/;

function value(text: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

function axisOf(flag: string): Record<string, unknown> {
  const m = AXIS.exec(flag);
  if (!m)
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `--axis ${flag}: write NAME=V1,V2 (e.g. --axis iodepth=1,4,16), NAME=FROM..TO*FACTOR (iodepth=1..256*2) or profile.PARAM=V1,V2`,
    );
  const [, name, spec] = m as unknown as [string, string, string];
  const target = name.startsWith('profile.') ? { profile: name.slice('profile.'.length) } : { option: name };
  const range = RANGE.exec(spec);
  if (!range) return { ...target, values: spec.split(',').map(value) };
  const [, from, to, op, by] = range;
  return {
    ...target,
    range: { from: Number(from), to: Number(to), ...(op === '*' ? { factor: Number(by) } : { step: op === '+' ? Number(by) : 1 }) },
  };
}

/** The sweep file's text for `jobFile` swept as `flags` (paths absolute, so the file may live anywhere). */
export function flagSweepText(jobFile: string, flags: FlagSweep): string {
  const profile = flags.profile ?? 'intel-p4510-4tb';
  const profileIsFile = profile.includes('/') || /\.ya?ml$/.test(profile);
  const doc = {
    kind: SWEEP_KIND,
    name: dnsLabel(basename(jobFile).replace(/\.[^.]*$/, '')),
    base: resolve(jobFile),
    profile: profileIsFile ? resolve(profile) : profile,
    mode: flags.zip ? 'zip' : 'cartesian',
    axes: flags.axes.map(axisOf),
    seeds: [...(flags.seeds ?? [1])],
    ...(flags.maxIos !== undefined ? { max_ios_per_point: flags.maxIos } : {}),
  };
  return stringify(doc);
}

/** Is `file` a sweep file (a top-level `kind: Sweep`), not a job file? */
export function isSweepFile(file: string): boolean {
  try {
    return /^kind:[ \t]*["']?Sweep["']?[ \t]*(#.*)?$/m.test(readFileSync(file, 'utf8'));
  } catch {
    return true; // the sweep reader says why it cannot be read
  }
}
