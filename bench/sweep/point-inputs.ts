/**
 * What one point of a sweep runs: the base job file with the point's options set in every job, the
 * profile with the point's parameters set, its seed, and a digest of all of it with Anvil's version (a
 * point whose digest is unchanged is not run again). The point's folder holds job.fio (and profile.yaml
 * when it has its own), so `anvil run job.fio --seed S [--profile profile.yaml]` in that folder is the
 * same run, byte for byte.
 */
import { createHash } from 'node:crypto';
import { AnvilError } from '../../platform/errors.js';
import { parseYamlFile } from '../../platform/yaml-input.js';
import type { AxisValue, SweepPlan, SweepPoint } from './plan.js';
import { POINT_SCENARIO_FILE, pointScenarioText, type ScenarioBase } from './scenario-base.js';
import { setJobOption } from './workload-options.js';

export { setJobOption };

/** The job file's name in a point's folder, as the point's results name it. */
export const POINT_JOB_FILE = 'job.fio';
/** The profile's name in a point's folder, when the point has its own. */
export const POINT_PROFILE_FILE = 'profile.yaml';

export interface PointInputs {
  readonly index: number;
  readonly id: string;
  /** [axis name, value] in the axes' order. */
  readonly axes: readonly (readonly [string, AxisValue])[];
  readonly seed: number;
  readonly jobText: string;
  /** The point's own profile.yaml, or undefined when it runs the built-in profile `profile`. */
  readonly profileText: string | undefined;
  /** What `--profile` names: a built-in profile, or profile.yaml. */
  readonly profile: string;
  readonly maxIos: number | undefined;
  /** A scenario sweep's point: its scenario.yaml (the base with the point's fields and seed set); else undefined. */
  readonly scenarioText?: string;
  /** sha256 of everything above that changes the result, and Anvil's version. */
  readonly digest: string;
}

/** `text` (profile YAML) with the parameter at `path` set to `value`, comments kept. */
export function setProfileParameter(text: string, path: readonly string[], value: AxisValue): string {
  const doc = parseYamlFile(text, 'the profile', 'ANVIL_ERR_SWEEP').doc;
  try {
    doc.setIn([...path], value);
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_SWEEP',
      `profile parameter ${path.join('.')} cannot be set: ${(e as Error).message}; name a parameter of the profile (see anvil devices)`,
    );
  }
  return doc.toString();
}

/** The inputs of `point` of `plan` under Anvil `version`. */
export function pointInputs(plan: SweepPlan, point: SweepPoint, version: string): PointInputs {
  if (plan.scenario) return scenarioPointInputs(plan, plan.scenario, point, version);
  let jobText = plan.jobText;
  let profileText = plan.profileText;
  plan.axes.forEach((axis, i) => {
    const value = point.values[i]!;
    if (axis.target.kind === 'option') jobText = setJobOption(jobText, axis.target.option, value);
    else if (axis.target.kind === 'profile') profileText = setProfileParameter(profileText!, axis.target.path, value);
  });
  const profile = profileText !== undefined ? POINT_PROFILE_FILE : plan.profile;
  const digest = createHash('sha256')
    .update(JSON.stringify({ version, jobText, profileText: profileText ?? null, profile, seed: point.seed, maxIos: plan.maxIos ?? null }))
    .digest('hex');
  return {
    index: point.index,
    id: point.id,
    axes: plan.axes.map((a, i) => [a.name, point.values[i]!] as const),
    seed: point.seed,
    jobText,
    profileText,
    profile,
    maxIos: plan.maxIos,
    digest,
  };
}

/** The inputs of a scenario sweep's point: its scenario text (the seed in it) and the budget. */
function scenarioPointInputs(plan: SweepPlan, base: ScenarioBase, point: SweepPoint, version: string): PointInputs {
  const fields = plan.axes.map((a, i) => [a.target.kind === 'field' ? a.target.field : a.name, point.values[i]!] as const);
  const scenarioText = pointScenarioText(base, fields, point.seed);
  const digest = createHash('sha256')
    .update(JSON.stringify({ version, scenarioText, seed: point.seed, maxIos: plan.maxIos ?? null }))
    .digest('hex');
  return {
    index: point.index,
    id: point.id,
    axes: plan.axes.map((a, i) => [a.name, point.values[i]!] as const),
    seed: point.seed,
    jobText: '',
    profileText: undefined,
    profile: POINT_SCENARIO_FILE,
    maxIos: plan.maxIos,
    scenarioText,
    digest,
  };
}
