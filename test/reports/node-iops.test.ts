import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../bench/profiles.js';
import { driveIopsAtSla, driveIopsKey } from '../../reports/tco/node-iops.js';
import { tempDir } from '../cli-harness.js';

describe('IOPS at the latency SLA from the NVMe model', () => {
  const profile = loadProfile('intel-p4510-4tb');

  it('meets the budget, rises with a looser SLA, and stays below the closed-loop maximum', () => {
    const tight = driveIopsAtSla({ profile, readFraction: 1, p99Budget_ns: 200e3, seed: 1 }, undefined);
    const loose = driveIopsAtSla({ profile, readFraction: 1, p99Budget_ns: 1000e3, seed: 1 }, undefined);
    expect(tight.p99_ns).toBeLessThanOrEqual(200e3);
    expect(loose.p99_ns).toBeLessThanOrEqual(1000e3);
    expect(loose.iops).toBeGreaterThan(tight.iops);
    expect(tight.iops).toBeGreaterThan(0);
    // Within a few percent of the datasheet's 645K random reads when the budget is loose.
    expect(loose.iops).toBeGreaterThan(0.85 * loose.max_iops);
    expect(loose.iops).toBeLessThanOrEqual(loose.max_iops * 1.02);
  });

  it('writes cost more: a 50/50 mix sustains fewer IOPS than reads alone', () => {
    const reads = driveIopsAtSla({ profile, readFraction: 1, p99Budget_ns: 1000e3, seed: 1 }, undefined);
    const mixed = driveIopsAtSla({ profile, readFraction: 0.5, p99Budget_ns: 1000e3, seed: 1 }, undefined);
    expect(mixed.iops).toBeLessThan(reads.iops);
  });

  it('caches on disk by a hash of the inputs: the second ask runs no model', () => {
    const dir = tempDir('anvil-iops-cache-');
    const q = { profile, readFraction: 0.7, p99Budget_ns: 800e3, seed: 3 };
    const first = driveIopsAtSla(q, dir);
    expect(first.fromCache).toBe(false);
    expect(first.modelRuns).toBeGreaterThan(1);
    const second = driveIopsAtSla(q, dir);
    expect(second).toEqual({ ...first, modelRuns: 0, fromCache: true });
    expect(readdirSync(dir)).toEqual([`${driveIopsKey(q)}.json`]);
    // A changed input is a different key, and a fresh simulation.
    expect(driveIopsKey({ ...q, p99Budget_ns: 700e3 })).not.toBe(driveIopsKey(q));
    expect(driveIopsAtSla({ ...q, seed: 4 }, dir).fromCache).toBe(false);
  });
});
