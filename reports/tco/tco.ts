/**
 * The whole TCO analysis of one scenario: catalogue with the scenario's overrides, the drive's IOPS at
 * the SLA for each stack (from the NVMe model, cached), the point estimate, the Monte Carlo bands and the
 * tornado against the cheapest alternative.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import { loadProfile, profileCapacity, type DeviceProfile } from '../../bench/profiles.js';
import { applyOverrides, loadCatalogue } from './catalogue.js';
import type { Catalogue } from './catalogue-schema.js';
import { evaluate, type Evaluation } from './evaluate.js';
import { pointValues, type FigureValues } from './figures.js';
import { monteCarlo, type MonteCarloResult } from './montecarlo.js';
import { driveIopsAtSla, type DriveIops } from './node-iops.js';
import type { Scenario, StackKind } from './scenario-schema.js';
import { tornado, type Tornado } from './sensitivity.js';
import { driveLatencyBudget_ns, driveReadFraction, fitProblems, type DriveFacts } from './sizing.js';
import { loadScenario, scenarioWhere } from './scenario.js';

export interface DriveRun {
  readonly kind: StackKind;
  readonly readFraction: number;
  readonly p99Budget_ns: number;
  readonly result: DriveIops;
}

export interface TcoAnalysis {
  readonly scenarioFile: string;
  readonly scenario: Scenario;
  readonly catalogue: Catalogue;
  readonly figures: FigureValues;
  readonly profile: { readonly name: string; readonly title: string };
  readonly drives: DriveFacts;
  readonly driveRuns: readonly DriveRun[];
  readonly point: Evaluation;
  readonly monteCarlo: MonteCarloResult;
  /** The tornado against the closest alternative (the one with the lowest NPV), which the report draws. */
  readonly tornado: Tornado;
  /** One tornado per alternative, in the scenario's order. */
  readonly tornadoes: readonly Tornado[];
}

export interface TcoOptions {
  /** Where model results are cached; undefined to always simulate. */
  readonly cacheDir?: string;
  /** Monte Carlo samples, instead of the scenario's. */
  readonly samples?: number;
  /** Catalogue folder, instead of the built-in one. */
  readonly catalogueDir?: string;
  /** Seed of the model runs and Monte Carlo draws, instead of the scenario's. */
  readonly seed?: number;
}

function resolveProfile(scenarioFile: string, nameOrPath: string): DeviceProfile {
  if (!nameOrPath.includes('/') || isAbsolute(nameOrPath)) return loadProfile(nameOrPath);
  return loadProfile(resolve(dirname(scenarioFile), nameOrPath));
}

/** Asks the model, per stack kind in the scenario, for a drive's IOPS within that stack's latency budget. */
export function driveFacts(
  scenario: Scenario,
  figures: FigureValues,
  profile: DeviceProfile,
  cacheDir: string | undefined,
): { drives: DriveFacts; runs: DriveRun[] } {
  const kinds = [...new Set(scenario.stacks.map((s) => s.kind))];
  const iopsAtSla: Record<StackKind, number> = { appliance: 0, 'diy-db-outside': 0, 'diy-sds': 0 };
  const runs: DriveRun[] = [];
  for (const kind of kinds) {
    const p99Budget_ns = driveLatencyBudget_ns(kind, scenario, figures);
    if (p99Budget_ns <= 0) {
      throw new AnvilError(
        'ANVIL_ERR_TCO_SLA_UNREACHABLE',
        `the databases' p99 SLA (${Math.min(...scenario.databases.map((d) => d.latency_sla_p99_us))} us) leaves no time for the drive once the ${kind} stack's own I/O path is taken; raise latency_sla_p99_us or lower that path's figure in overrides`,
      );
    }
    const readFraction = driveReadFraction(kind, scenario, figures);
    const result = driveIopsAtSla({ profile, readFraction, p99Budget_ns, seed: scenario.seed }, cacheDir);
    if (result.iops <= 0) {
      throw new AnvilError(
        'ANVIL_ERR_TCO_SLA_UNREACHABLE',
        `drive profile ${profile.name} cannot keep p99 within ${(p99Budget_ns / 1e3).toFixed(0)} us at any load for the ${kind} stack (${(readFraction * 100).toFixed(0)}% reads); choose a faster drive profile or a looser latency_sla_p99_us`,
      );
    }
    iopsAtSla[kind] = result.iops;
    runs.push({ kind, readFraction, p99Budget_ns, result });
  }
  return { drives: { capacity_tb: profileCapacity(profile) / 1e12, iopsAtSla }, runs };
}

/** Runs the analysis for a scenario already loaded. */
export function analyse(scenarioFile: string, scenario: Scenario, options: TcoOptions = {}): TcoAnalysis {
  const catalogue = applyOverrides(loadCatalogue(options.catalogueDir), scenario.overrides, scenarioFile, (path) =>
    scenarioWhere(scenario, path, scenarioFile),
  );
  const figures = pointValues(catalogue);
  const profile = resolveProfile(scenarioFile, scenario.node.drive_profile);
  const { drives, runs } = driveFacts(scenario, figures, profile, options.cacheDir);
  const misfits = fitProblems(scenario, figures, drives);
  if (misfits.length > 0) {
    throw new AnvilError(
      'ANVIL_ERR_TCO_SCENARIO',
      `${scenarioFile}: ${misfits.length} workload(s) larger than a server`,
      misfits.map((m) => `${scenarioFile}: ${m}`),
    );
  }
  const point = evaluate(scenario, figures, drives);
  const mc = monteCarlo(scenario, catalogue, drives, options.samples ?? scenario.monte_carlo_samples, scenario.seed);
  // The drawn tornado explains the closest call: the alternative with the lowest NPV.
  const cheapest = point.stacks.filter((s) => s.id !== point.appliance).reduce((a, b) => (b.npv_usd < a.npv_usd ? b : a));
  const tornadoes = point.comparisons.map((c) => tornado(scenario, catalogue, drives, c.against));
  return {
    scenarioFile,
    scenario,
    catalogue,
    figures,
    profile: { name: profile.name, title: profile.title },
    drives,
    driveRuns: runs,
    point,
    monteCarlo: mc,
    tornado: tornadoes.find((t) => t.against === cheapest.id)!,
    tornadoes,
  };
}

export function analyseFile(scenarioFile: string, options: TcoOptions = {}): TcoAnalysis {
  const scenario = loadScenario(scenarioFile);
  return analyse(scenarioFile, options.seed === undefined ? scenario : { ...scenario, seed: options.seed }, options);
}
