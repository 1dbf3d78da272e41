/**
 * Runs one point of a sweep into OUT/points/ID: the one point runner, called by the local pool's workers
 * and by `anvil sweep run-shard` alike. The point's results are written to a temporary folder beside it
 * and renamed into place when complete, so a point folder either holds all of a point or does not exist;
 * a point whose folder's manifest has the same digest (inputs and Anvil version) is not run again. A point
 * that fails leaves OUT/failed/ID.json saying why, and no point folder.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError, isAnvilError } from '../../platform/errors.js';
import { anvilVersion } from '../package-root.js';
import { loadProfile, parseProfile } from '../profiles.js';
import { ensureOutputDir } from '../results/output-dir.js';
import { writeOutDir, writeStdout } from '../results/run-output.js';
import { runModelText } from '../run.js';
import type { SweepPlan, SweepPoint } from './plan.js';
import { POINT_JOB_FILE, POINT_PROFILE_FILE, pointInputs, type PointInputs } from './point-inputs.js';
import { POINT_SCENARIO_FILE } from './scenario-base.js';

/** A point's manifest in its folder. */
export const POINT_MANIFEST = 'point.json';
/** The text results (`anvil run`'s stdout in the normal format) in a point's folder. */
export const POINT_TEXT = 'output.txt';

export type PointStatus = 'done' | 'skipped' | 'failed';

export interface PointOutcome {
  readonly index: number;
  readonly id: string;
  readonly status: PointStatus;
  /** The error's `CODE: message` for a failed point. */
  readonly error?: string;
}

/** What point.json holds. */
export interface PointManifest {
  readonly sweep: string;
  readonly index: number;
  readonly id: string;
  readonly points: number;
  readonly axes: readonly (readonly [string, string | number])[];
  readonly seed: number;
  readonly profile: string;
  readonly digest: string;
  readonly anvil_version: string;
  /** The same run alone, in this folder. */
  readonly command: string;
}

export function pointsDir(out: string): string {
  return join(out, 'points');
}

function failedFile(out: string, id: string): string {
  return join(out, 'failed', `${id}.json`);
}

/** The digest recorded in a point folder's manifest, or undefined when there is none. */
export function recordedDigest(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, POINT_MANIFEST), 'utf8')) as PointManifest).digest;
  } catch {
    return undefined;
  }
}

/**
 * Runs a cluster scenario given as text, named `file` in its results (relative paths in it are absolute),
 * writing `anvil run FILE --out OUT`'s results into `out`; returns what that command prints (normal
 * format). Handed in by the CLI: the cluster model is platform/cluster's, which bench may not import.
 */
export type ScenarioRunner = (run: {
  readonly text: string;
  readonly file: string;
  readonly out: string;
  readonly maxIos: number | undefined;
}) => Promise<string>;

/** `anvil run` of a point alone, run in its folder. */
export function standaloneCommand(inputs: PointInputs): string {
  if (inputs.scenarioText !== undefined)
    return `anvil run ${POINT_SCENARIO_FILE}${inputs.maxIos !== undefined ? ` --max-ios ${inputs.maxIos}` : ''} --out .`;
  const profile = inputs.profile === POINT_PROFILE_FILE ? ` --profile ${POINT_PROFILE_FILE}` : ` --profile ${inputs.profile}`;
  const maxIos = inputs.maxIos !== undefined ? ` --max-ios ${inputs.maxIos}` : '';
  return `anvil run ${POINT_JOB_FILE} --seed ${inputs.seed}${profile}${maxIos} --out .`;
}

/** Runs point `index` of `plan` into `out` unless its results are there already; never throws for the point's own failure. */
export async function runPoint(plan: SweepPlan, index: number, out: string, scenarioRunner?: ScenarioRunner): Promise<PointOutcome> {
  const point = plan.points[index]!;
  const version = anvilVersion();
  const final = join(pointsDir(out), point.id);
  const temporary = join(pointsDir(out), `.tmp-${point.id}`);
  let inputs: PointInputs;
  try {
    inputs = pointInputs(plan, point, version);
  } catch (e) {
    return failed(out, plan, point, isAnvilError(e) ? e.format() : `unexpected error (please report it): ${(e as Error).message}`);
  }
  if (recordedDigest(final) === inputs.digest) {
    // What a run killed after the rename and before its next point may have left of this one.
    rmSync(temporary, { recursive: true, force: true });
    return { index, id: point.id, status: 'skipped' };
  }
  try {
    rmSync(temporary, { recursive: true, force: true });
    ensureOutputDir(temporary);
    if (inputs.scenarioText !== undefined) await runScenarioPoint(inputs, inputs.scenarioText, temporary, scenarioRunner);
    else await runJobPoint(inputs, temporary, version);
    const manifest: PointManifest = {
      sweep: plan.name,
      index,
      id: point.id,
      points: plan.points.length,
      axes: inputs.axes,
      seed: inputs.seed,
      profile: inputs.profile,
      digest: inputs.digest,
      anvil_version: version,
      command: standaloneCommand(inputs),
    };
    // The manifest last: a folder with point.json is a complete point.
    writeFileSync(join(temporary, POINT_MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    rmSync(final, { recursive: true, force: true });
    renameSync(temporary, final);
    rmSync(failedFile(out, point.id), { force: true });
    return { index, id: point.id, status: 'done' };
  } catch (e) {
    rmSync(temporary, { recursive: true, force: true });
    const error = isAnvilError(e) ? e.format() : `unexpected error (please report it): ${(e as Error).message}`;
    return failed(out, plan, point, error);
  }
}

/** A job-file point: job.fio (and profile.yaml) and `anvil run job.fio --out`'s results in `dir`. */
async function runJobPoint(inputs: PointInputs, dir: string, version: string): Promise<void> {
  writeFileSync(join(dir, POINT_JOB_FILE), inputs.jobText);
  if (inputs.profileText !== undefined) writeFileSync(join(dir, POINT_PROFILE_FILE), inputs.profileText);
  const profile = inputs.profileText !== undefined ? parseProfile(inputs.profileText, POINT_PROFILE_FILE) : loadProfile(inputs.profile);
  const notes: string[] = [];
  const stderr = { write: (t: string) => notes.push(t) } as unknown as NodeJS.WriteStream;
  const { output } = runModelText(
    inputs.jobText,
    POINT_JOB_FILE,
    profile,
    { seed: inputs.seed, ...(inputs.maxIos !== undefined ? { maxIos: inputs.maxIos } : {}) },
    { stderr },
  );
  let text = '';
  writeStdout({ write: (t: string) => (text += t) }, 'normal', output, version);
  writeFileSync(join(dir, POINT_TEXT), text);
  await writeOutDir(dir, output);
}

/** A scenario point: scenario.yaml and `anvil run scenario.yaml --out`'s results in `dir`. */
async function runScenarioPoint(inputs: PointInputs, text: string, dir: string, runner: ScenarioRunner | undefined): Promise<void> {
  if (!runner)
    throw new AnvilError('ANVIL_ERR_SWEEP', 'a cluster scenario sweep runs through anvil sweep (the CLI hands in the cluster model)');
  writeFileSync(join(dir, POINT_SCENARIO_FILE), text);
  let printed: string;
  try {
    printed = await runner({ text, file: POINT_SCENARIO_FILE, out: dir, maxIos: inputs.maxIos });
  } catch (e) {
    if (!isAnvilError(e)) throw e;
    // The scenario's lines are the point's copy's: the axes say which values made it so.
    const axes = inputs.axes.map(([name, value]) => `${name}=${value}`).join(', ');
    throw new AnvilError(e.code, `with ${axes || 'no axes'} (seed ${inputs.seed}): ${e.message}`, e.details);
  }
  writeFileSync(join(dir, POINT_TEXT), printed);
}

/** Records point `point` as failed with `error` in OUT/failed/ID.json (written whole, then renamed), and says so. */
function failed(out: string, plan: SweepPlan, point: SweepPoint, error: string): PointOutcome {
  try {
    ensureOutputDir(join(out, 'failed'));
    const file = failedFile(out, point.id);
    const axes = plan.axes.map((a, i) => [a.name, point.values[i]]);
    const record = { index: point.index, id: point.id, axes, seed: point.seed, error };
    writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + '\n');
    renameSync(`${file}.tmp`, file);
  } catch {
    // The outcome still says it failed and why.
  }
  return { index: point.index, id: point.id, status: 'failed', error };
}
