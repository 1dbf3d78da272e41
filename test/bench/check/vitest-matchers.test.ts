/**
 * Issue 14, vitest matchers: a user's test imports them by the package's name (`anvil/vitest`, through
 * package.json `exports`, compiled dist/ as a user gets it), loads a results folder `anvil run --out` wrote
 * and asserts `toMeetSla`; a broken SLA fails with its figures. Shortened noisy-neighbour on hci.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { noisyNeighbourOnFasterDrives, scenarioFile, shortenedScenario } from '../../platform/cluster/scenario-files.js';

type Matchers = typeof import('../../../bench/check/vitest-matchers.js');
let anvil: Matchers;
let results: Awaited<ReturnType<Matchers['loadResults']>>;

beforeAll(async () => {
  // By name, as a user's project imports it: resolved through package.json's exports.
  anvil = (await import('anvil/vitest' as string)) as Matchers;
  expect.extend(anvil.anvilMatchers);
  const out = join(tempDir('anvil-matchers-'), 'run');
  const file = shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' });
  const r = await anvilInProcess(['run', file, '--stack', 'hci', '--out', out, '--output-format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  results = await anvil.loadResults(out);
});

describe('expect(results).toMeetSla', () => {
  it('passes where every limit holds: a pod by its name, per interval, with a tolerance', () => {
    expect(results).toMeetSla({ pod: 'orders-db', iopsAtLeast: 20_000, window: 'interval', tolerance: 0.02 });
    expect(results).toMeetSla({ tenant: 'shop', p99LatencyAtMost: '1ms', latencyAtMost: { p50: '1ms' } });
  });

  it('fails a broken SLA with a message that names it and gives the figures', () => {
    let message = '';
    try {
      expect(results).toMeetSla({ tenant: 'shop', p99LatencyAtMost: '500us', iopsAtLeast: 1000 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^expected tenant shop to meet its SLA:\n/);
    expect(message).toMatch(/ {2}held: tenant shop: IOPS \S+k IOPS >= 1\.00k IOPS, margin \+\S+%/);
    expect(message).toMatch(/ {2}BROKEN: tenant shop: p99 latency \d+ us > 500 us, margin -\S+%, at tenant shop/);
    expect(results).not.toMeetSla({ pod: 'shop/stock-db', p99LatencyAtMost: 1000 });
  });

  it('refuses an expectation without one scope or without a limit', () => {
    expect(() => expect(results).toMeetSla({ pod: 'orders-db', tenant: 'shop', iopsAtLeast: 1 })).toThrow(
      /name exactly one of pod, tenant, volume or tier; given pod, tenant/,
    );
    expect(() => expect(results).toMeetSla({ volume: 'orders' })).toThrow(/give at least one limit/);
    expect(() => expect(results).toMeetSla({ volume: 'orders', p99LatencyAtMost: 'soon' })).toThrow(
      /p99LatencyAtMost soon is not a duration/,
    );
  });
});

describe('expect(results).toMeetSla for a tier', () => {
  let tiered: Awaited<ReturnType<Matchers['loadResults']>>;

  beforeAll(async () => {
    // Gold: two pods at 25K IOPS each (70/30), reserved; silver: two pods capped at 20K.
    const out = join(tempDir('anvil-matchers-tier-'), 'run');
    const file = scenarioFile(
      readFileSync(join('bench', 'scenarios', 'qos', 'tier-isolation.yaml'), 'utf8')
        .replace(/^duration: .*$/m, 'duration: 400ms')
        .replace(/^warmup: .*$/m, 'warmup: 100ms')
        .replace(/^interval: .*$/m, 'interval: 100ms'),
      'tier-isolation.yaml',
    );
    const r = await anvilInProcess(['run', file, '--stack', 'hci', '--out', out, '--output-format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    tiered = await anvil.loadResults(out);
  });

  it('judges each member of the tier, as a scenario SLA with tier: does', () => {
    expect(tiered).toMeetSla({ tier: 'gold', iopsAtLeast: 20_000 });
    let message = '';
    try {
      // Silver is capped at 20K a pod: 22K is more than either member can give.
      expect(tiered).toMeetSla({ tier: 'silver', iopsAtLeast: 22_000 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^expected tier silver \(2 members\) to meet its SLA:\n/);
    expect(message).toMatch(/BROKEN: tier silver \(2 members\): IOPS \S+k IOPS < 22\.0k IOPS, margin -\S+%, at pod silver-co\/silver-[12]/);
    // The best-effort pod is in no tier of those two: gold holds its members only.
    expect(tiered).not.toMeetSla({ tier: 'gold', iopsAtLeast: 26_000 });
  });

  it('refuses a tier that no pod or volume of the results is in, naming the tiers they hold', () => {
    expect(() => expect(tiered).toMeetSla({ tier: 'platinum', iopsAtLeast: 1 })).toThrow(
      /no pod or volume of these results is in tier platinum; tiers in them: best-effort, gold, silver/,
    );
    expect(() => expect(results).toMeetSla({ tier: 'gold', iopsAtLeast: 1 })).toThrow(/no pod or volume of these results is in tier gold/);
  });
});

describe('expect(results).toHoldAgainstBaseline', () => {
  const TIMES = { duration: '300ms', warmup: '50ms', interval: '50ms' };
  /** The two seeds' results of `anvil check FILE --seeds 2 --out DIR`, in seed order. */
  async function twoSeeds(file: string): Promise<Awaited<ReturnType<Matchers['loadResults']>>[]> {
    const out = tempDir('anvil-matchers-seeds-');
    const r = await anvilInProcess(['check', file, '--stack', 'hci', '--seeds', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    return Promise.all([1, 2].map((seed) => anvil.loadResults(join(out, 'noisy-neighbour', 'hci', `seed-${seed}`))));
  }
  let current: Awaited<ReturnType<typeof twoSeeds>>;
  let faster: Awaited<ReturnType<typeof twoSeeds>>;

  beforeAll(async () => {
    current = await twoSeeds(shortenedScenario('noisy-neighbour', TIMES));
    // The same scenario on P5500 drives instead of the P4510: a baseline today's drives fall behind.
    faster = await twoSeeds(noisyNeighbourOnFasterDrives(TIMES));
  });

  it('holds against itself: identical, no change', () => {
    expect(current).toHoldAgainstBaseline(current, { pod: 'orders-db', iopsAtLeast: 1, p99LatencyAtMost: '10ms' });
    let message = '';
    try {
      expect(current).not.toHoldAgainstBaseline(current, { pod: 'orders-db', iopsAtLeast: 1 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/ {2}identical: pod-orders-db min_iops: /);
  });

  it('fails on slower drives with the size and confidence of the regression', () => {
    let message = '';
    try {
      expect(current).toHoldAgainstBaseline(faster, { pod: 'orders-db', iopsAtLeast: 1, regressionTolerance: 0.05 });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^expected pod shop\/orders-db not to regress from the baseline:\n/);
    expect(message).toMatch(
      / {2}REGRESSION: pod-orders-db min_iops: \S+k IOPS against \S+k IOPS in the baseline, change -\d+\.\d% \[-\d+\.\d%, -\d+\.\d%\] at 95\.0% confidence, tolerance 5%/,
    );
  });

  it('refuses sides that do not share their seeds', () => {
    expect(() => expect([current[0]!]).toHoldAgainstBaseline([faster[1]!], { pod: 'orders-db', iopsAtLeast: 1 })).toThrow(
      /baseline and current share seeds: current 1, baseline 2/,
    );
  });
});
