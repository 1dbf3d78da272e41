/**
 * Issue 14 on hardware: a host scenario run keeps per-interval completion-latency histograms (from fio's
 * histogram log), in the same interval_histogram.arrow a model run writes, so its latency SLA is judged
 * on one run, compared with a baseline (`anvil check --target host --baseline`) and by `anvil compare`,
 * by the same code as on the model. Before, the host's folder held no histogram rows: the p99 was
 * skipped for want of samples. Two host runs of 3 s (one-pod-latency.yaml). Needs root, fio and losetup:
 * runs in CI, skips elsewhere.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { StackComparison } from '../../../../bench/check/baseline-report.js';
import type { SlaVerdict } from '../../../../bench/check/evaluate.js';
import { readResultsEvidence } from '../../../../bench/check/results-evidence.js';
import { which } from '../../../../bench/targets/host/bounded-process.js';
import { tempDir } from '../../../cli-harness.js';
import { needs } from '../../../needs.js';
import { anvilCli, oneHostFileAtATime } from './host-leftovers.js';

const SCENARIO = join(import.meta.dirname, 'one-pod-latency.yaml');
const canRun = process.getuid?.() === 0 && which('fio') !== undefined && which('losetup') !== undefined;
const needHost = needs('root, fio and losetup', canRun);

const anvil = anvilCli;

const p99Of = (compared: readonly StackComparison[], sla: string) =>
  compared.flatMap((s) => s.comparisons).find((c) => c.sla === sla && c.check === 'max_latency_p99');

// Host runs of other files would show in this file's checks of the machine.
oneHostFileAtATime();

describe('latency SLAs on host runs', () => {
  needHost('judges, compares with a baseline and anvil compare a host run p99 from its per-interval histograms', async () => {
    const baseline = tempDir('anvil-host-lat-base-');
    const made = anvil(['check', SCENARIO, '--target', 'host', '--out', baseline]);
    expect(made.stderr).not.toMatch(/ANVIL_ERR/);
    expect(made.code).toBe(0);

    // The run folder holds histogram rows of the pod, which add up to its interval I/Os, interval by interval.
    const run = join(baseline, 'one-pod-latency', 'hci', 'seed-1');
    const e = await readResultsEvidence(run);
    expect(e.target).toBe('host');
    const podIos = new Map<number, number>();
    const podHist = new Map<number, number>();
    const pods = e.intervals.labels.get('pod')!;
    for (let i = 0; i < e.intervals.rows; i++)
      if (pods[i] === 'lab/reader' && e.intervals.direction[i] === 'read')
        podIos.set(e.intervals.time_ns[i]!, (podIos.get(e.intervals.time_ns[i]!) ?? 0) + e.intervals.ios[i]!);
    const histPods = e.histograms.labels.get('pod')!;
    for (let i = 0; i < e.histograms.rows; i++)
      if (histPods[i] === 'lab/reader' && e.histograms.direction[i] === 'read')
        podHist.set(e.histograms.time_ns[i]!, (podHist.get(e.histograms.time_ns[i]!) ?? 0) + e.histograms.count[i]!);
    expect(podIos.size).toBeGreaterThan(1);
    // Every row ending at a time has that interval's one length (read and write on one grid), so a rate spans the run once.
    const lengths = new Map<number, Set<number>>();
    for (let i = 0; i < e.intervals.rows; i++)
      lengths.set(e.intervals.time_ns[i]!, (lengths.get(e.intervals.time_ns[i]!) ?? new Set()).add(e.intervals.interval_ns[i]!));
    expect([...lengths.values()].filter((l) => l.size > 1)).toEqual([]);
    expect([...podHist.entries()].sort()).toEqual([...podIos.entries()].filter(([, n]) => n > 0).sort());

    // One run's p99 is judged (not skipped) on enough samples.
    const verdicts = JSON.parse(readFileSync(join(baseline, 'verdicts.json'), 'utf8')) as { runs: { verdicts: SlaVerdict[] }[] };
    const judged = verdicts.runs[0]!.verdicts.find((v) => v.sla === 'reader-p99')!;
    expect(judged).toMatchObject({ check: 'max_latency_p99', status: 'pass' });
    expect(judged.samples).toBeGreaterThanOrEqual(368);

    // Against the baseline: the p99 is compared, with figures and an interval, not skipped.
    const out = tempDir('anvil-host-lat-check-');
    const r = anvil(['check', SCENARIO, '--target', 'host', '--baseline', baseline, '--confirm-rounds', '0', '--out', out]);
    expect(r.stderr).not.toMatch(/ANVIL_ERR/);
    const doc = JSON.parse(readFileSync(join(out, 'verdicts.json'), 'utf8')) as { baseline: StackComparison[] };
    const compared = p99Of(doc.baseline, 'reader-p99')!;
    expect(compared.verdict).not.toBe('skipped');
    expect(compared.baseline).toBeGreaterThan(0);
    expect(compared.current).toBeGreaterThan(0);
    expect(compared.ci).not.toBeNull();

    // anvil compare of the two folders does the same, and a folder against itself is identical.
    const cmp = tempDir('anvil-host-lat-cmp-');
    const c = anvil(['compare', baseline, out, '--out', cmp]);
    expect(c.stderr).not.toMatch(/ANVIL_ERR_COMPARE/);
    const comparisons = (JSON.parse(readFileSync(join(cmp, 'compare.json'), 'utf8')) as { comparisons: StackComparison[] }).comparisons;
    expect(p99Of(comparisons, 'reader-p99')!.verdict).not.toBe('skipped');
    expect(p99Of(comparisons, 'reader-p99')!.baseline).toBe(compared.baseline);
    const self = tempDir('anvil-host-lat-self-');
    expect(anvil(['compare', baseline, baseline, '--out', self]).code).toBe(0);
    const same = (JSON.parse(readFileSync(join(self, 'compare.json'), 'utf8')) as { comparisons: StackComparison[] }).comparisons;
    expect(p99Of(same, 'reader-p99')!.verdict).toBe('identical');
  });
});
