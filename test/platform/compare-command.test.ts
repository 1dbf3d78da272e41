/**
 * Issue 14, `anvil compare BASELINE_DIR CURRENT_DIR` through the CLI as a user runs it: two checks of the
 * same scenario and seeds compare identical (exit 0); a baseline on faster drives makes today's a
 * regression with its size and interval (exit 1), for a check's folders (per SLA) and for two `anvil run`
 * folders of a job file (per job); the same inputs give the same compare.json and compare.html; folders
 * that hold no results or do not pair are refused with a coded error naming them (exit 2).
 * Shortened noisy neighbour (300 ms, hci, two seeds) and a 300 ms job file: fixed seeds, short simulated time.
 */
import { cpSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StackComparison } from '../../bench/check/baseline-report.js';
import { anvilInProcess, tempDir, writeFiles } from '../cli-harness.js';
import { noisyNeighbourOnFasterDrives, shortenedScenario } from './cluster/scenario-files.js';

const TIMES = { duration: '300ms', warmup: '50ms', interval: '50ms' };
const JOB = '[global]\nruntime=300ms\ntime_based=1\nramp_time=50ms\n[rr]\nrw=randread\nbs=4k\niodepth=8\n';

/** The shortened noisy neighbour; with `fasterDrives`, on a node whose drive is the P5500 instead of the P4510. */
function noisyNeighbour(fasterDrives = false): string {
  return fasterDrives ? noisyNeighbourOnFasterDrives(TIMES) : shortenedScenario('noisy-neighbour', TIMES);
}

async function checked(file: string): Promise<string> {
  const out = tempDir('anvil-compare-check-');
  const r = await anvilInProcess(['check', file, '--stack', 'hci', '--seeds', '2', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

async function ran(job: string, ...flags: string[]): Promise<string> {
  const out = tempDir('anvil-compare-run-');
  const r = await anvilInProcess(['run', join(writeFiles({ 'rr.fio': job }), 'rr.fio'), '--out', out, ...flags]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

const compareJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'compare.json'), 'utf8')) as { comparisons: StackComparison[] };

describe('anvil compare', () => {
  it('reports two checks of the same scenario and seeds as identical, per SLA and per pod, and gives the same files twice', async () => {
    const file = noisyNeighbour();
    const [baseline, current] = [await checked(file), await checked(file)];
    // Identical inputs and seeds: identical verdict files (nothing of the time or host in them).
    expect(readFileSync(join(current, 'verdicts.json'), 'utf8')).toBe(readFileSync(join(baseline, 'verdicts.json'), 'utf8'));
    const [out1, out2] = [tempDir('anvil-compare-out-'), tempDir('anvil-compare-out-')];
    const r = await anvilInProcess(['compare', baseline, current, '--out', out1]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^against the baseline: paired block bootstrap over seeds and intervals/);
    expect(r.stdout).not.toMatch(/REGRESSION|inconclusive/);
    const comparisons = compareJson(out1).comparisons;
    expect(comparisons.map((s) => `${s.key} ${s.stack} ${s.of ?? 'slas'}`)).toEqual([
      'noisy-neighbour hci slas',
      'noisy-neighbour hci jobs',
    ]);
    const checks = comparisons.flatMap((s) => s.comparisons);
    expect(checks.map((c) => `${c.sla} ${c.check}`)).toEqual([
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
    expect(checks.every((c) => c.verdict === 'identical' && c.change === 0 && c.seeds.join(',') === '1,2')).toBe(true);
    await anvilInProcess(['compare', baseline, current, '--out', out2]);
    for (const f of ['compare.json', 'compare.html'])
      expect(readFileSync(join(out2, f), 'utf8'), f).toBe(readFileSync(join(out1, f), 'utf8'));
  });

  // On hardware a check keeps its confirmation rounds beside each seed (seed-N.round-R): compare counts them too.
  it("counts a check's confirmation rounds (seed-N.round-R folders), unpaired, as anvil check --baseline does", async () => {
    const baseline = await checked(noisyNeighbour());
    const current = tempDir('anvil-compare-rounds-');
    cpSync(baseline, current, { recursive: true });
    cpSync(join(current, 'noisy-neighbour', 'hci', 'seed-1'), join(current, 'noisy-neighbour', 'hci', 'seed-1.round-2'), {
      recursive: true,
    });
    const out = tempDir('anvil-compare-out-');
    const r = await anvilInProcess(['compare', baseline, current, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const checks = compareJson(out).comparisons.flatMap((s) => s.comparisons);
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.every((c) => c.runs?.baseline === 2 && c.runs.current === 3)).toBe(true);
  });

  it('finds a regression against a check on faster drives, per SLA, with its size, interval and p-value (exit 1)', async () => {
    const [baseline, current] = [await checked(noisyNeighbour(true)), await checked(noisyNeighbour())];
    const out = tempDir('anvil-compare-out-');
    const r = await anvilInProcess(['compare', baseline, current, '--out', out]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^(warning: [^\n]+\n( {2}[^\n]+\n)*)?ANVIL_ERR_REGRESSION: \d+ of 10 comparisons regressed; the table above/m);
    const line =
      /regression \(noisy-neighbour, hci\): orders-iops min_iops: (\S+)k IOPS against (\S+)k IOPS in the baseline, change (-\d+\.\d)% \[(-\d+\.\d)%, (-\d+\.\d)%\] at 98\.8% confidence, tolerance 5%, paired block bootstrap p=\S+ \(Holm (\S+)\), seeds 1,2/.exec(
        r.stderr,
      );
    expect(line, r.stderr).not.toBeNull();
    const [, now, before, change, low, high, pHolm] = line!;
    expect(Number(now)).toBeLessThan(Number(before));
    expect(Number(high)).toBeLessThan(-5);
    expect(Number(low)).toBeLessThanOrEqual(Number(change));
    expect(Number(change)).toBeLessThanOrEqual(Number(high));
    expect(Number(pHolm)).toBeLessThan(0.05);
    const orders = compareJson(out)
      .comparisons.flatMap((s) => s.comparisons)
      .find((c) => c.sla === 'orders-iops')!;
    expect(orders).toMatchObject({ verdict: 'regression', check: 'min_iops', seeds: [1, 2] });
    expect(orders.ci![1]).toBeLessThan(-orders.tolerance);
  });

  it('compares two anvil run folders of a job file per job: a slower drive profile regresses IOPS and p99 (exit 1)', async () => {
    const [faster, slower] = [await ran(JOB, '--profile', 'intel-p5500-3.84tb'), await ran(JOB)];
    const r = await anvilInProcess(['compare', faster, slower]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^rr +- +job rr +IOPS +\S+k IOPS +\S+k IOPS +-\d+\.\d% \[-\d+\.\d%, -\d+\.\d%\] +-5% +\S+ +REGRESSION$/m);
    expect(r.stdout).toMatch(/^rr +- +job rr +p99 latency +\S+ us +\S+ us +\+\d+\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] +\+5% +\S+ +REGRESSION$/m);
    expect(r.stderr).toMatch(/ANVIL_ERR_REGRESSION: 2 of 2 comparisons regressed/);
    // The same run on both sides: identical, exit 0; a tolerance wider than the change lets the slower drive pass.
    expect((await anvilInProcess(['compare', slower, slower])).stdout).toMatch(/job rr +IOPS .* identical$/m);
    const wide = await anvilInProcess(['compare', faster, slower, '--tolerance', '10']);
    expect(wide.code, wide.stderr).toBe(0);

    // A tolerance inside the p99 change's interval: inconclusive, a warning (exit 0), a failure with --strict (exit 1).
    const out = tempDir('anvil-compare-out-');
    await anvilInProcess(['compare', faster, slower, '--out', out]);
    const [iops, p99] = compareJson(out).comparisons[0]!.comparisons;
    const tolerance = ((p99!.ci![0] + p99!.ci![1]) / 2).toFixed(3);
    expect(-iops!.ci![0]).toBeLessThan(Number(tolerance)); // the IOPS drop stays inside it: ok
    const loose = await anvilInProcess(['compare', faster, slower, '--tolerance', tolerance]);
    expect(loose.code, loose.stderr).toBe(0);
    expect(loose.stdout).toMatch(/job rr +p99 latency .* inconclusive$/m);
    expect(loose.stderr).toMatch(
      /^warning: 1 comparison inconclusive \(the interval of the change straddles the tolerance;[^\n]+\n {2}inconclusive \(rr\): job rr max_latency_p99: /,
    );
    const strict = await anvilInProcess(['compare', faster, slower, '--tolerance', tolerance, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^ANVIL_ERR_REGRESSION: 0 of 2 comparisons regressed, 1 inconclusive \(--strict\)/);
  });

  it('pairs a run of both stacks (anvil run --stack hci,diy) with a check of both, stack by stack, and compares pods where the scenario is gone', async () => {
    const file = noisyNeighbour();
    const both = tempDir('anvil-compare-run-');
    const run = await anvilInProcess(['run', file, '--stack', 'hci,diy', '--out', both]);
    expect(run.code, run.stderr).toBe(0);
    const check = tempDir('anvil-compare-check-');
    expect((await anvilInProcess(['check', file, '--stack', 'hci,diy', '--out', check])).code).toBe(1); // diy misses its floors
    const out = tempDir('anvil-compare-out-');
    const r = await anvilInProcess(['compare', both, check, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const comparisons = compareJson(out).comparisons;
    expect(comparisons.map((s) => `${s.stack} ${s.of ?? 'slas'}`)).toEqual(['diy slas', 'diy jobs', 'hci slas', 'hci jobs']);
    // Each stack's rows alone: the same runs on both sides, so identical (both stacks' rows together would not be).
    const pods = comparisons.filter((s) => s.of === 'jobs').flatMap((s) => s.comparisons.filter((c) => c.check === 'min_iops'));
    expect(pods.every((c) => c.verdict === 'identical')).toBe(true);
    const orders = (stack: string) =>
      pods.find((c) => c.sla === 'pod shop/orders-db' && comparisons.some((s) => s.stack === stack && s.comparisons.includes(c)))!;
    expect(orders('hci').current!).toBeGreaterThan(2 * orders('diy').current!);

    rmSync(file);
    const gone = await anvilInProcess(['compare', both, check]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stderr).toMatch(
      /^note: \S+noisy-neighbour\.yaml \(the scenario noisy-neighbour ran from\) is gone; its SLAs are not compared, its pods are\n/,
    );
    expect(gone.stdout).not.toMatch(/orders-iops/);
    expect(gone.stdout).toMatch(/pod shop\/orders-db +IOPS/);
  });

  it('compares the scenarios and stacks both folders hold and names the others as not compared', async () => {
    const baseline = await checked(noisyNeighbour());
    const current = tempDir('anvil-compare-more-');
    cpSync(baseline, current, { recursive: true });
    // A stack the nightly set gained since the baseline.
    cpSync(join(current, 'noisy-neighbour', 'hci'), join(current, 'noisy-neighbour', 'diy'), { recursive: true });
    const out = tempDir('anvil-compare-out-');
    const r = await anvilInProcess(['compare', baseline, current, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(`note: only the current ${current} holds noisy-neighbour on diy: not compared\n`);
    const doc = compareJson(out) as ReturnType<typeof compareJson> & { not_compared: { baseline_only: string[]; current_only: string[] } };
    expect(doc.not_compared).toEqual({ baseline_only: [], current_only: ['noisy-neighbour on diy'] });
    expect(new Set(doc.comparisons.map((s) => s.stack))).toEqual(new Set(['hci']));
    const back = await anvilInProcess(['compare', current, baseline]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toBe(`note: only the baseline ${current} holds noisy-neighbour on diy: not compared\n`);
  });

  it('refuses folders without results, and folders that do not pair, naming them and what is expected (exit 2)', async () => {
    const missing = join(tempDir(), 'none');
    const none = await anvilInProcess(['compare', missing, missing]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^ANVIL_ERR_FILE_NOT_FOUND: baseline \S+none is not a folder; give a results folder: summary\.json, intervals\.arrow and interval_histogram\.arrow \(a folder anvil run --out DIR wrote\) or SCENARIO\/STACK\/seed-N folders of them \(anvil check --out DIR\)\n$/,
    );
    const run1 = await ran(JOB);
    const empty = tempDir('anvil-empty-');
    mkdirSync(join(empty, 'noisy-neighbour', 'hci'), { recursive: true });
    const nothing = await anvilInProcess(['compare', run1, empty]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/^ANVIL_ERR_COMPARE_INPUT: current \S+anvil-empty-\S+ holds no results; expected summary\.json/);

    const seed2 = await anvilInProcess(['compare', run1, await ran(JOB, '--seed', '2')]);
    expect(seed2.code).toBe(2);
    expect(seed2.stderr).toMatch(
      /^ANVIL_ERR_COMPARE_MISMATCH: rr: baseline \S+ ran seeds 1 but current \S+ ran seeds 2; baseline and current pair seed by seed/,
    );
    const otherJob = await anvilInProcess(['compare', run1, await ran(JOB.replace('[rr]', '[other]'))]);
    expect(otherJob.code).toBe(2);
    expect(otherJob.stderr).toMatch(/^ANVIL_ERR_COMPARE_MISMATCH: rr: baseline \S+ ran jobs rr but current \S+ ran jobs other;/);
    const check = await checked(noisyNeighbour());
    const otherScenario = await anvilInProcess(['compare', check, run1]);
    expect(otherScenario.code).toBe(2);
    expect(otherScenario.stderr).toMatch(
      /^ANVIL_ERR_COMPARE_MISMATCH: baseline \S+ holds noisy-neighbour on hci but current \S+ holds rr; anvil compare pairs the same scenarios on the same stacks: compare two runs with at least one scenario and stack in common/,
    );
    expect(otherScenario.stdout).toBe('');
  });
});
