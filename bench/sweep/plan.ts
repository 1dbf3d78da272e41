/**
 * A sweep file read into its plan: the base job text, the profile, the axes with their values, and the
 * points in a fixed order (cartesian: the first axis outermost, seeds innermost; zip: the i-th values
 * together, then each seed). A point's index is its place in that order: the same file gives the same
 * points wherever it is read, which is what lets shards and workers split the work by index alone.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { AnvilError } from '../../platform/errors.js';
import { readYamlText } from '../../platform/yaml-input.js';
import { parseLocatedYaml, schemaProblems, type LocatedYaml } from '../../platform/yaml-problems.js';
import { loadProfile } from '../profiles.js';
import { findOption, unsupportedMessage } from '../workloads/options.js';
import { readJobFileText } from '../workloads/read-job-file.js';
import { MERGED_TABLE_COLUMNS } from './merged-columns.js';
import { fieldAxisProblems, isScenarioText, scenarioBase, type ScenarioBase } from './scenario-base.js';
import { MAX_SWEEP_POINTS, SWEEP_KIND, SweepSchema, type AxisSpec, type RangeSpec, type SweepSpec } from './schema.js';

/** What an axis sets: an fio option in every job, or a device profile parameter (its dotted path). */
export type AxisTarget =
  | { readonly kind: 'option'; readonly option: string }
  | { readonly kind: 'profile'; readonly path: readonly string[] }
  | { readonly kind: 'field'; readonly field: string };

export type AxisValue = string | number;

export interface SweepAxis {
  /** Its column in the merged table. */
  readonly name: string;
  readonly target: AxisTarget;
  readonly values: readonly AxisValue[];
}

export interface SweepPoint {
  /** Place in the sweep's order, from 0. */
  readonly index: number;
  /** Its folder's name: p and the index on five digits. */
  readonly id: string;
  /** One value per axis, in the axes' order. */
  readonly values: readonly AxisValue[];
  readonly seed: number;
}

export interface SweepPlan {
  readonly file: string;
  readonly name: string;
  /** The base job file's text (the file named by `base`, or `job` inline); a scenario sweep's is its scenario's. */
  readonly jobText: string;
  /** The base cluster scenario, when `base` names one (axes then set its fields). */
  readonly scenario?: ScenarioBase;
  /** The profile as given: a built-in name, or a path resolved against the sweep file's folder. */
  readonly profile: string;
  /** The base profile's YAML text when each point writes its own profile.yaml (a profile file, or profile axes); else undefined. */
  readonly profileText: string | undefined;
  readonly axes: readonly SweepAxis[];
  readonly points: readonly SweepPoint[];
  /** Simulated-time budget of each point, I/Os (undefined: anvil run's default). */
  readonly maxIos: number | undefined;
}

/** `name` made a DNS label of at most `max` characters (a sweep's name from its file name; Kubernetes names). */
export function dnsLabel(name: string, max = 63): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return label === '' ? 'sweep' : label;
}

/** A point's folder name. */
export function pointId(index: number): string {
  return `p${String(index).padStart(5, '0')}`;
}

function sweepError(file: string, message: string, details: readonly string[] = []): AnvilError {
  return new AnvilError('ANVIL_ERR_SWEEP', `${file}: ${message}`, details);
}

/** The values of a range, or a problem text. */
function rangeValues(range: RangeSpec, limit: number): number[] | string {
  const { from, to, step, factor } = range;
  if ((step === undefined) === (factor === undefined)) return 'give exactly one of step or factor';
  if (to < from) return `to (${to}) is below from (${from})`;
  if (factor !== undefined && from <= 0) return `a range with a factor starts above 0, not at ${from}`;
  const out: number[] = [];
  // Multiplying (or adding) onto the last value, rounded to 12 significant digits, keeps 0.1-steps from drifting.
  for (let v = from; v <= to * (1 + 1e-12); v = Number((factor !== undefined ? v * factor : v + step!).toPrecision(12))) {
    out.push(v);
    if (out.length > limit) return `it has more than ${limit} values`;
  }
  return out;
}

function axisOf(axis: AxisSpec, at: string, located: LocatedYaml, problems: string[], scenario: boolean): SweepAxis | undefined {
  const problem = (field: string, message: string) => problems.push(`${located.where(`${at}${field}`)}: ${at}${field}: ${message}`);
  const targets = [axis.option, axis.profile, axis.field].filter((t) => t !== undefined).length;
  if (targets !== 1) {
    problem('', 'give exactly one of option (an fio option), profile (a profile parameter) or field (a scenario field)');
    return undefined;
  }
  if ((axis.field !== undefined) !== scenario) {
    problem(
      axis.field !== undefined ? '/field' : axis.option !== undefined ? '/option' : '/profile',
      scenario
        ? 'the base is a cluster scenario: sweep its fields, e.g. { field: duration, values: [2s, 4s] }, or an fio option in its workloads, e.g. { field: job.iodepth, values: [1, 8] } or { field: workloads.0.job.bs, values: [4k, 8k] }'
        : 'field sweeps a cluster scenario: give base a file with kind: ClusterScenario, or sweep an option or profile parameter',
    );
    return undefined;
  }
  if (axis.option !== undefined) {
    const unsupported = unsupportedMessage(axis.option);
    if (unsupported !== undefined || findOption(axis.option) === undefined) {
      problem('/option', unsupported ?? `option '${axis.option}' is not an fio option the model knows`);
      return undefined;
    }
  }
  let values: readonly AxisValue[];
  if ((axis.values === undefined) === (axis.range === undefined)) {
    problem('', 'give exactly one of values (a list) or range ({ from, to, step or factor })');
    return undefined;
  } else if (axis.values !== undefined) values = axis.values;
  else {
    const r = rangeValues(axis.range!, MAX_SWEEP_POINTS);
    if (typeof r === 'string') {
      problem('/range', r);
      return undefined;
    }
    values = r;
  }
  const target: AxisTarget =
    axis.field !== undefined
      ? { kind: 'field', field: axis.field }
      : axis.option !== undefined
        ? { kind: 'option', option: axis.option }
        : { kind: 'profile', path: axis.profile!.split('.') };
  return { name: axis.name ?? axis.field ?? axis.option ?? `profile.${axis.profile!}`, target, values };
}

function seedsOf(spec: SweepSpec, scenario: ScenarioBase | undefined): number[] | string {
  const seeds = spec.seeds ?? [scenario?.seed ?? 1];
  if (Array.isArray(seeds)) return seeds;
  const { from, to } = seeds;
  if (to < from) return `to (${to}) is below from (${from})`;
  if (to - from + 1 > MAX_SWEEP_POINTS) return `more than ${MAX_SWEEP_POINTS} seeds`;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The axis values of each combination, in order; or a problem text. */
function combinations(axes: readonly SweepAxis[], mode: 'cartesian' | 'zip', limit: number): AxisValue[][] | string {
  if (mode === 'zip') {
    const length = axes[0]?.values.length ?? 1;
    const odd = axes.find((a) => a.values.length !== length);
    if (odd) return `zipped axes have one length: ${axes.map((a) => `${a.name} has ${a.values.length}`).join(', ')}`;
    return Array.from({ length }, (_, i) => axes.map((a) => a.values[i]!));
  }
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  if (count > limit) return `${count} combinations of the axes is more than max_points (${limit})`;
  let out: AxisValue[][] = [[]];
  for (const axis of axes) out = out.flatMap((prefix) => axis.values.map((v) => [...prefix, v]));
  return out;
}

function readText(path: string, what: string, file: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw sweepError(file, `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

function readIfAny(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reads and checks sweep YAML text; `file` names it in errors and anchors its relative paths. */
export function parseSweep(text: string, file: string): SweepPlan {
  const located = parseLocatedYaml(text, file, 'ANVIL_ERR_SWEEP');
  const doc = located.data;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw sweepError(file, `a sweep is a YAML mapping that starts with kind: ${SWEEP_KIND}, then base (a job file) and axes`);
  const withDefaults = Value.Default(SweepSchema, Value.Clone(doc));
  const schemaOnly = schemaProblems(SweepSchema, withDefaults, located);
  if (schemaOnly.length > 0) throw sweepError(file, `does not fit the sweep schema (${schemaOnly.length} problems)`, schemaOnly);
  const spec = withDefaults as SweepSpec;

  const problems: string[] = [];
  if ((spec.base === undefined) === (spec.job === undefined))
    problems.push(`${located.where('/')}: give exactly one of base (a job file path) or job (the job file inline)`);
  const folder = dirname(file);
  const basePath = spec.base === undefined ? undefined : isAbsolute(spec.base) ? spec.base : join(folder, spec.base);
  // A base that cannot be read is the job-file reader's to explain, as before scenarios could be swept.
  const baseText = basePath === undefined ? undefined : readIfAny(basePath);
  const scenario =
    basePath !== undefined && baseText !== undefined && isScenarioText(baseText) ? scenarioBase(basePath, baseText) : undefined;
  if (scenario && 'profile' in doc)
    problems.push(
      `${located.where('/profile')}: /profile: the base is a cluster scenario, whose nodes name their profiles; sweep a node profile by a field axis, e.g. nodes.0.profile`,
    );
  const axes = spec.axes.map((a, i) => axisOf(a, `/axes/${i}`, located, problems, scenario !== undefined));
  if (scenario)
    axes.forEach((a, i) => {
      if (a?.target.kind !== 'field') return;
      const at = `/axes/${i}`;
      for (const p of fieldAxisProblems(scenario, a.name, a.target.field, a.values)) problems.push(`${located.where(at)}: ${at}: ${p}`);
    });
  const names = axes.map((a) => a?.name);
  names.forEach((n, i) => {
    if (n === undefined) return;
    const at = `/axes/${i}`;
    const first = names.indexOf(n);
    if (first !== i)
      problems.push(`${located.where(at)}: ${at}: axis ${n} has the name of /axes/${first}; give one of them another name (name: ...)`);
    else if (MERGED_TABLE_COLUMNS.includes(n))
      problems.push(
        `${located.where(at)}: ${at}: axis ${n} has the name of a column of the merged table (${MERGED_TABLE_COLUMNS.join(', ')}); give it another name (name: ...)`,
      );
  });
  const seeds = seedsOf(spec, scenario);
  if (typeof seeds === 'string') problems.push(`${located.where('/seeds')}: /seeds: ${seeds}`);
  if (problems.length > 0) throw sweepError(file, `has ${problems.length} problem${problems.length > 1 ? 's' : ''}`, problems);

  const checkedAxes = axes as SweepAxis[];
  const combos = combinations(checkedAxes, spec.mode, spec.max_points);
  if (typeof combos === 'string') throw sweepError(file, `${located.where('/axes')}: /axes: ${combos}`);
  const seedList = seeds as number[];
  const total = combos.length * seedList.length;
  if (total > spec.max_points)
    throw sweepError(
      file,
      `${total} points (${combos.length} combinations x ${seedList.length} seeds) is more than max_points (${spec.max_points}); raise max_points (at most ${MAX_SWEEP_POINTS}) or sweep fewer values`,
    );
  const points: SweepPoint[] = [];
  for (const values of combos) for (const seed of seedList) points.push({ index: points.length, id: pointId(points.length), values, seed });

  const jobText = scenario ? scenario.text : (spec.job ?? readJobFileText(basePath!));
  const profileIsFile = spec.profile.includes('/') || /\.ya?ml$/.test(spec.profile);
  const profile = profileIsFile && !isAbsolute(spec.profile) ? join(folder, spec.profile) : spec.profile;
  const hasProfileAxes = checkedAxes.some((a) => a.target.kind === 'profile');
  const profileText = profileIsFile || hasProfileAxes ? readText(loadProfile(profile).path, 'profile', file) : undefined;
  const name = spec.name ?? dnsLabel((file.split('/').pop() ?? 'sweep').replace(/\.ya?ml$/, ''));
  return {
    file,
    name,
    jobText,
    ...(scenario ? { scenario } : {}),
    profile,
    profileText,
    axes: checkedAxes,
    points,
    maxIos: spec.max_ios_per_point,
  };
}

/** Reads the sweep file at `file`. */
export function loadSweep(file: string): SweepPlan {
  const text = readYamlText(file, 'sweep', 'give a sweep YAML file (kind: Sweep)');
  return parseSweep(text, file);
}
