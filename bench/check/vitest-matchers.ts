/**
 * QoS assertions for users' own vitest tests, imported by name (`anvil/vitest`, package.json `exports`;
 * vitest is a peer dependency): `loadResults(DIR)` reads a results folder as `anvil run ... --out DIR`
 * wrote it, and `expect(results).toMeetSla({ pod: 'db-0', iopsAtLeast: 20000, p99LatencyAtMost: '500us' })`
 * judges it with `anvil check`'s own evaluation, failing with each check's figures.
 *
 *   import { anvilMatchers, loadResults } from 'anvil/vitest';
 *   expect.extend(anvilMatchers);
 *   expect(await loadResults('out')).toMeetSla({ tenant: 'shop', p99LatencyAtMost: '1ms' });
 */
import type {} from 'vitest';
import { parseByteRate, parseDuration } from '../../sim/core/units.js';
import type { ScenarioSla } from '../scenario/load.js';
import { evaluateSlas, type JudgedSla, type SlaSubject, type SlaVerdict } from './evaluate.js';
import { slaSubjects, type ScenarioMembers } from './sla-scopes.js';
import { compareWithBaseline, slaSeries, type BaselineComparison } from './baseline.js';
import { comparisonMessage } from './baseline-report.js';
import { verdictMessage } from './junit.js';
import { readResultsEvidence, type ResultsEvidence } from './results-evidence.js';

export type { ResultsEvidence, SlaVerdict };

/** A duration as a number of ns or a text with a unit ('500us'); a rate as bytes/s or a text ('200MB/s'). */
type Duration = number | string;

/**
 * What `toMeetSla` asserts: one scope (pod, tenant, volume or tier; a pod or volume NAME matches TENANT/NAME
 * too; a tier holds for each of its members, as the results' summary places them) and its limits.
 */
export interface SlaExpectation {
  readonly pod?: string;
  readonly tenant?: string;
  readonly volume?: string;
  readonly tier?: string;
  /** Which I/Os count (default all). */
  readonly ops?: 'all' | 'read' | 'write';
  /** Judged over the whole run (default) or in every interval. */
  readonly window?: 'run' | 'interval' | 'both';
  readonly iopsAtLeast?: number;
  readonly bandwidthAtLeast?: number | string;
  readonly p99LatencyAtMost?: Duration;
  readonly p999LatencyAtMost?: Duration;
  /** Any percentile: { p50: '100us', 'p99.99': '5ms' }. */
  readonly latencyAtMost?: Readonly<Record<string, Duration>>;
  readonly outageAtMost?: Duration;
  /** Fraction a figure may miss its limit by (default 0). */
  readonly tolerance?: number;
  /** The time judged, from the start of the run (default: all the results hold, which start after warm-up). */
  readonly from?: Duration;
  readonly until?: Duration;
}

/** What `toHoldAgainstBaseline` compares: the figures an expectation's limits name (as for `toMeetSla`), per side. */
export interface BaselineExpectation extends SlaExpectation {
  /** Fraction a figure may get worse by before it is a regression (default 0.05). */
  readonly regressionTolerance?: number;
  /** An inconclusive comparison fails too (default: it passes, named in the message). */
  readonly strict?: boolean;
}

/** Reads a results folder (`anvil run SCENARIO --out DIR`) for `toMeetSla`. */
export function loadResults(dir: string): Promise<ResultsEvidence> {
  return readResultsEvidence(dir);
}

function ns(value: Duration, what: string): number {
  const parsed = typeof value === 'number' ? value : parseDuration(value);
  if (parsed === undefined || !Number.isFinite(parsed) || parsed < 0)
    throw new TypeError(`toMeetSla: ${what} ${String(value)} is not a duration; give ns as a number or a text with a unit, e.g. '500us'`);
  return parsed;
}

/** The label values of `column` in the results that `name` names: itself, or TENANT/NAME. */
function matching(e: ResultsEvidence, column: string, name: string): Set<string> {
  const values = new Set(e.intervals.labels.get(column) ?? []);
  return new Set([...values].filter((v) => v === name || v.endsWith(`/${name}`)));
}

/** The pods and volumes the results place, with their tiers (a pod's volumes from the rows it wrote). */
function membersOf(e: ResultsEvidence): ScenarioMembers {
  const podColumn = e.intervals.labels.get('pod') ?? [];
  const volumeColumn = e.intervals.labels.get('volume') ?? [];
  const volumesOf = new Map<string, Set<string>>();
  for (let i = 0; i < podColumn.length; i++) {
    const pod = podColumn[i]!;
    const volume = volumeColumn[i];
    if (pod === '' || !volume) continue;
    volumesOf.set(pod, (volumesOf.get(pod) ?? new Set()).add(volume));
  }
  return {
    pods: (e.pods ?? []).flatMap((p) =>
      p.tier !== undefined ? [{ name: p.name, tier: p.tier, volumes: [...(volumesOf.get(p.name) ?? [])] }] : [],
    ),
    volumes: e.volumes ?? [],
  };
}

/** Whom the expectation holds for: the rows its label matches, or each member of its tier. */
function expectationSubjects(label: 'pod' | 'tenant' | 'volume' | 'tier', name: string, e: ResultsEvidence): SlaSubject[] {
  if (label === 'tier') {
    const members = membersOf(e);
    const { subjects } = slaSubjects({ name: `tier-${name}`, tier: name } as ScenarioSla, members);
    if (subjects.length === 0) {
      const tiers = [...new Set([...members.pods, ...members.volumes].map((m) => m.tier))].sort();
      throw new TypeError(
        `toMeetSla: no pod or volume of these results is in tier ${name}; tiers in them: ${tiers.join(', ') || 'none (the results do not say tiers)'}`,
      );
    }
    return subjects;
  }
  const values = label === 'tenant' ? new Set([name]) : matching(e, label, name);
  return [
    {
      name: `${label} ${[...values].join(', ') || name}`,
      label,
      values,
      outagePods: label === 'pod' ? values : new Set(),
      outageVolumes: label === 'volume' ? values : new Set(),
      flowPods: label === 'pod' ? values : new Set(),
      pods: label === 'pod' ? values : new Set(),
    },
  ];
}

/** The expectation as an SLA `anvil check` judges, on `e`'s label values. */
export function expectationSla(x: SlaExpectation, e: ResultsEvidence): JudgedSla {
  const scopes = (['pod', 'tenant', 'volume', 'tier'] as const).filter((k) => x[k] !== undefined);
  if (scopes.length !== 1)
    throw new TypeError(`toMeetSla: name exactly one of pod, tenant, volume or tier; given ${scopes.join(', ') || 'none'}`);
  const label = scopes[0]!;
  const name = x[label]!;
  const subjects = expectationSubjects(label, name, e);
  const scope = label === 'tier' ? `tier ${name} (${subjects.length} member${subjects.length === 1 ? '' : 's'})` : subjects[0]!.name;
  const latency: Record<string, number> = {};
  if (x.p99LatencyAtMost !== undefined) latency['99'] = ns(x.p99LatencyAtMost, 'p99LatencyAtMost');
  if (x.p999LatencyAtMost !== undefined) latency['99.9'] = ns(x.p999LatencyAtMost, 'p999LatencyAtMost');
  for (const [p, v] of Object.entries(x.latencyAtMost ?? {})) latency[p.replace(/^p/, '')] = ns(v, `latencyAtMost.${p}`);
  const bandwidth = typeof x.bandwidthAtLeast === 'string' ? parseByteRate(x.bandwidthAtLeast) : x.bandwidthAtLeast;
  if (x.bandwidthAtLeast !== undefined && bandwidth === undefined)
    throw new TypeError(`toMeetSla: bandwidthAtLeast ${x.bandwidthAtLeast} is not a rate; give bytes/s or a text such as '200MB/s'`);
  const sla = {
    name: `${label}-${name}`,
    [label]: name,
    ops: x.ops ?? 'all',
    window: x.window ?? 'run',
    tolerance: x.tolerance ?? 0,
    regression_tolerance: 0.05,
    ...(x.iopsAtLeast !== undefined ? { min_iops: x.iopsAtLeast } : {}),
    ...(bandwidth !== undefined ? { min_bandwidth_bytes_per_s: bandwidth } : {}),
    ...(Object.keys(latency).length > 0 ? { max_latency_ns: latency } : {}),
    ...(x.outageAtMost !== undefined ? { max_outage_ns: ns(x.outageAtMost, 'outageAtMost') } : {}),
  } as ScenarioSla;
  if (
    sla.min_iops === undefined &&
    sla.min_bandwidth_bytes_per_s === undefined &&
    sla.max_latency_ns === undefined &&
    sla.max_outage_ns === undefined
  )
    throw new TypeError(
      'toMeetSla: give at least one limit: iopsAtLeast, bandwidthAtLeast, p99LatencyAtMost, p999LatencyAtMost, latencyAtMost or outageAtMost',
    );
  return {
    sla,
    scope,
    subjects,
    from_ns: x.from !== undefined ? ns(x.from, 'from') : 0,
    until_ns: x.until !== undefined ? ns(x.until, 'until') : Number.MAX_VALUE,
  };
}

/** Vitest's matcher result. */
interface MatcherResult {
  pass: boolean;
  message: () => string;
}

function isResults(x: unknown): x is ResultsEvidence {
  return !!x && typeof x === 'object' && 'intervals' in x && 'histograms' in x;
}

/** One run or several (seeds), as loadResults reads them. */
function runsOf(x: unknown, what: string): ResultsEvidence[] {
  const runs = Array.isArray(x) ? (x as unknown[]) : [x];
  if (runs.length === 0 || !runs.every(isResults))
    throw new TypeError(
      `toHoldAgainstBaseline: expected ${what} as loadResults(DIR) reads them, one run or an array of runs (one per seed)`,
    );
  return runs;
}

const FAILING: Record<BaselineComparison['verdict'], boolean> = {
  identical: false,
  ok: false,
  inconclusive: false,
  regression: true,
  skipped: true,
};

/**
 * The current runs against the baseline's, seed by seed (`anvil check --baseline`'s comparison: paired block
 * bootstrap, Holm across the figures): fails on a regression or a figure without the I/Os to compare.
 */
function toHoldAgainstBaseline(received: unknown, baseline: unknown, expected: BaselineExpectation): MatcherResult {
  const current = runsOf(received, 'results');
  const base = runsOf(baseline, 'the baseline');
  const seeds = current.map((e) => e.seed);
  const baseSeeds = base.map((e) => e.seed);
  if (seeds.join(',') !== baseSeeds.join(','))
    throw new TypeError(
      `toHoldAgainstBaseline: baseline and current share seeds: current ${seeds.join(',')}, baseline ${baseSeeds.join(',')}; load the same seeds' results on both sides, in the same order`,
    );
  const judged = expectationSla(expected, current[0]!);
  const sla = { ...judged.sla, regression_tolerance: expected.regressionTolerance ?? 0.05 };
  const currentSla = { ...judged, sla };
  const baseSla = { ...expectationSla(expected, base[0]!), sla };
  const comparisons = compareWithBaseline([
    {
      sla: currentSla,
      seeds,
      baseline: base.map((e) => slaSeries(baseSla, e)),
      current: current.map((e) => slaSeries(currentSla, e)),
    },
  ]);
  const fails = (c: BaselineComparison) => FAILING[c.verdict] || (expected.strict === true && c.verdict === 'inconclusive');
  const pass = comparisons.length > 0 && !comparisons.some(fails);
  const lines = comparisons.map((c) => `  ${c.verdict === 'regression' ? 'REGRESSION' : c.verdict}: ${comparisonMessage(c)}`);
  return {
    pass,
    message: () =>
      (pass
        ? `expected ${judged.scope} to regress from the baseline, but no figure did:\n`
        : `expected ${judged.scope} not to regress from the baseline:\n`) + lines.join('\n'),
  };
}

/** The matchers, for `expect.extend(anvilMatchers)`. A check without the data to judge it (too few I/Os) fails. */
export const anvilMatchers = {
  toHoldAgainstBaseline,
  toMeetSla(received: unknown, expected: SlaExpectation): MatcherResult {
    const e = received;
    if (!isResults(e))
      return { pass: false, message: () => 'toMeetSla: expected results as loadResults(DIR) reads them (anvil run ... --out DIR)' };
    const verdicts = evaluateSlas([expectationSla(expected, e)], e);
    const pass = verdicts.length > 0 && verdicts.every((v) => v.status === 'pass');
    const lines = verdicts.map(
      (v) => `  ${v.status === 'pass' ? 'held' : v.status === 'fail' ? 'BROKEN' : 'not judged'}: ${verdictMessage(v)}`,
    );
    return {
      pass,
      message: () =>
        (pass
          ? `expected ${verdicts[0]?.scope} to break its SLA, but every check held:\n`
          : `expected ${verdicts[0]?.scope} to meet its SLA:\n`) + lines.join('\n'),
    };
  },
};

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- vitest declares Matchers<T = any>; augmentations must match
  interface Matchers<T = any> {
    /** The results meet the SLA: every limit held (figures in the failure message). */
    toMeetSla(expected: SlaExpectation): T;
    /**
     * The results (one run, or one per seed) do not regress from the baseline's (the same seeds, in the same
     * order) in the figures the expectation names: the change with its confidence interval in the message.
     */
    toHoldAgainstBaseline(baseline: ResultsEvidence | readonly ResultsEvidence[], expected: BaselineExpectation): T;
  }
}
