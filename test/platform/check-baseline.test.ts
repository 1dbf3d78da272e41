/**
 * Issue 14, baselines through the CLI: `anvil check --baseline DIR` against a folder an earlier check wrote.
 * The same scenario and seeds report identical and pass; the baseline run on faster drives (the node
 * profile's drive swapped for the P5500) makes today's drives a regression whose size, interval and
 * p-value the failure names, in the JUnit XML too. Shortened noisy-neighbour on hci, two seeds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseJunit } from 'junit2json';
import { describe, expect, it } from 'vitest';
import type { StackComparison } from '../../bench/check/baseline-report.js';
import { anvilInProcess, tempDir } from '../cli-harness.js';
import { noisyNeighbourOnFasterDrives, shortenedScenario } from './cluster/scenario-files.js';

const TIMES = { duration: '300ms', warmup: '50ms', interval: '50ms' };

/** The shortened noisy neighbour; with `fasterDrives`, on a node whose drive is the P5500 instead of the P4510. */
function noisyNeighbour(fasterDrives = false): string {
  return fasterDrives ? noisyNeighbourOnFasterDrives(TIMES) : shortenedScenario('noisy-neighbour', TIMES);
}

async function baselineOf(file: string): Promise<string> {
  const out = tempDir('anvil-baseline-');
  const r = await anvilInProcess(['check', file, '--stack', 'hci', '--seeds', '2', '--out', out]);
  expect(r.code).toBe(0);
  return out;
}

describe('anvil check --baseline', () => {
  it('reports the same scenario and seeds as identical, and passes', async () => {
    const file = noisyNeighbour();
    const baseline = await baselineOf(file);
    const out = tempDir('anvil-check-');
    const r = await anvilInProcess(['check', file, '--stack', 'hci', '--seeds', '2', '--baseline', baseline, '--out', out]);
    expect(r.stderr).not.toMatch(/ANVIL_ERR/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/against the baseline: paired block bootstrap over seeds and intervals/);
    const doc = JSON.parse(readFileSync(join(out, 'verdicts.json'), 'utf8')) as { baseline: StackComparison[] };
    const comparisons = doc.baseline.flatMap((s) => s.comparisons);
    // The scenario's SLAs, then each pod on its own (IOPS and p99), as anvil compare compares them.
    expect(doc.baseline.map((s) => s.of ?? 'slas')).toEqual(['slas', 'jobs']);
    expect(comparisons.map((c) => `${c.sla} ${c.check}`)).toEqual([
      'orders-iops min_iops',
      'stock-iops min_iops',
      'oltp-latency max_latency_p99',
      'oltp-latency max_latency_p99.9',
      'pod batch/loader min_iops',
      'pod batch/loader max_latency_p99',
      'pod shop/orders-db min_iops',
      'pod shop/orders-db max_latency_p99',
      'pod shop/stock-db min_iops',
      'pod shop/stock-db max_latency_p99',
    ]);
    expect(comparisons.every((c) => c.verdict === 'identical' && c.change === 0)).toBe(true);
    expect(comparisons[0]!.seeds).toEqual([1, 2]);
  });

  it('finds a regression against a baseline on faster drives, with its size, interval and p-value', async () => {
    const baseline = await baselineOf(noisyNeighbour(true));
    const junit = join(tempDir('anvil-junit-'), 'check.xml');
    const r = await anvilInProcess(['check', noisyNeighbour(), '--stack', 'hci', '--seeds', '2', '--baseline', baseline, '--junit', junit]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ANVIL_ERR_SLA_FAILED: 0 of 8 SLA checks failed, \d comparisons? with the baseline regressed/);
    const line =
      /regression \(noisy-neighbour, hci\): orders-iops min_iops: (\S+)k IOPS against (\S+)k IOPS in the baseline, change (-\d+\.\d)% \[(-\d+\.\d)%, (-\d+\.\d)%\] at 98\.8% confidence, tolerance 5%, paired block bootstrap p=\S+ \(Holm (\S+)\), seeds 1,2/.exec(
        r.stderr,
      );
    expect(line, r.stderr).not.toBeNull();
    const [, current, base, change, low, high, pHolm] = line!;
    expect(Number(current)).toBeLessThan(Number(base));
    // The whole interval of the change lies beyond the 5% tolerance, and holds the point estimate.
    expect(Number(high)).toBeLessThan(-5);
    expect(Number(low)).toBeLessThanOrEqual(Number(change));
    expect(Number(change)).toBeLessThanOrEqual(Number(high));
    expect(Number(pHolm)).toBeLessThan(0.05);

    const report = await parseJunit(readFileSync(junit, 'utf8'));
    const suite = report && 'testsuite' in report ? report.testsuite![0]! : undefined;
    const regression = suite!.testcase!.find((c) => c.name === 'orders-iops: min_iops against the baseline [seeds 1,2]')!;
    expect(regression.failure![0]!.type).toBe('Regression');
    expect(regression.failure![0]!.message).toMatch(
      /^regression: orders-iops min_iops: \S+k IOPS against \S+k IOPS in the baseline, change -/,
    );
    // Each pod compared on its own is a test case too.
    expect(suite!.testcase!.map((c) => c.name)).toContain('pod shop/orders-db: min_iops against the baseline [seeds 1,2]');
    expect(suite!.tests).toBe(suite!.testcase!.length);
    expect(suite!.failures).toBe(suite!.testcase!.filter((c) => c.failure).length);
  });

  it('refuses a baseline that is not a folder, before anything runs (exit 2)', async () => {
    const r = await anvilInProcess(['check', noisyNeighbour(), '--baseline', join(tempDir(), 'none')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /ANVIL_ERR_FILE_NOT_FOUND: baseline \S+none is not a folder; give the folder an earlier anvil check --out DIR wrote/,
    );
    expect(r.stderr).not.toMatch(/checked /);
  });
});
