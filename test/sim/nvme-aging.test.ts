/**
 * Drives that age (issue 16): garbage collection from the drive's history. A fresh drive runs without
 * cleaning until every block has been written once, then falls to the steady state of the LRW model; a
 * preconditioned drive is at that steady state from the first write (the datasheet condition); trims lower
 * write amplification. The device test runs a P4510 shrunk 4096-fold (same dies, same spare factor, so the
 * same steady state), so a drive fill takes seconds of simulated time instead of hours.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlashAge, flashAgeOf } from '../../sim/devices/nvme/flash-age.js';
import { lrwWriteAmplification } from '../../sim/devices/nvme/garbage-collection.js';
import { anvilRun } from '../cli-harness.js';
import { PROFILE_DIR } from './nvme-harness.js';

const U = 1e9;
const UNIT = 98_304;

/** Random 4 KiB host writes for `bytes`, with the copies they owe programmed as a drive would. */
function writeRandomly(age: FlashAge, bytes: number): void {
  let debt = 0;
  for (let done = 0; done < bytes; done += 4096) {
    age.invalidated(4096);
    debt += 4096 * age.copiesPerRandomByte();
    age.programmed(4096);
    while (debt >= UNIT) {
      debt -= UNIT;
      age.programmed(UNIT);
    }
  }
}

describe('flash age', () => {
  const rho = 0.082;
  const steady = lrwWriteAmplification(rho);

  it('a preconditioned drive starts at the analytic steady state and stays there under random writes', () => {
    const age = flashAgeOf({ capacity_bytes: U, randomWriteAmplification: steady, initialState: 'preconditioned' });
    expect(age.writeAmplification()).toBeCloseTo(steady, 9);
    writeRandomly(age, 2 * U);
    expect(Math.abs(age.writeAmplification() / steady - 1)).toBeLessThan(0.01);
  });

  it('a fresh drive cleans nothing until one physical pass is written, then settles at the steady state', () => {
    const age = flashAgeOf({ capacity_bytes: U, randomWriteAmplification: steady, initialState: 'fresh' });
    writeRandomly(age, U);
    expect(age.writeAmplification()).toBe(1);
    writeRandomly(age, 0.2 * U);
    const afterCliff = age.writeAmplification();
    expect(afterCliff).toBeGreaterThan(1);
    expect(afterCliff).toBeLessThan(steady);
    writeRandomly(age, 9 * U);
    expect(Math.abs(age.writeAmplification() / steady - 1)).toBeLessThan(0.02);
  });

  it('trims lower write amplification: their pages need no copying', () => {
    const age = flashAgeOf({ capacity_bytes: U, randomWriteAmplification: steady, initialState: 'preconditioned' });
    age.invalidated(0.3 * U);
    expect(age.writeAmplification()).toBeLessThan(steady * 0.8);
  });

  it('matches a fitted write amplification, not only the analytic one', () => {
    const age = new FlashAge(U, 0.5, 'preconditioned', 0.5);
    expect(age.victimValid()).not.toBeCloseTo(0.5, 3); // 0.5 is not LRW's fixed point at rho 0.5: only flashAgeOf derives rho
    const fitted = flashAgeOf({ capacity_bytes: U, randomWriteAmplification: 3, initialState: 'preconditioned' });
    expect(fitted.writeAmplification()).toBeCloseTo(3, 9);
  });
});

describe('a fresh drive on the model', () => {
  const profileText = readFileSync(join(PROFILE_DIR, 'intel-p4510-4tb.yaml'), 'utf8');
  const datasheet = Number(/randwrite_4k_iops: \{ value: (\d+)/.exec(profileText)![1]);
  /** The P4510 at 1/4096 of its capacity: 84 dies of 12 MiB instead of 48 GiB, the same spare factor. */
  const small = (state: string) =>
    profileText
      .replace(/^capacity: "\d+"/m, 'capacity: "976754646"')
      .replace(/^ {2}die_capacity: 48G$/m, '  die_capacity: 12M')
      .replace(/^gc:\n/m, `gc:\n  initial_state: ${state}\n`);
  const writeIops = (intervals: readonly { ios: number; interval_ns: number }[]) =>
    intervals.filter((r) => r.interval_ns > 0).map((r) => (r.ios * 1e9) / r.interval_ns);

  it('random writes show the fresh-out-of-box phase, the cliff and the steady state within 10% of the datasheet', async () => {
    const job = '[w]\nrw=randwrite\nbs=4k\niodepth=32\nruntime=24\ntime_based\n';
    const { run } = await anvilRun(job, { profileYaml: small('fresh') });
    const iops = writeIops(run.jobs[0]!.measured.write.intervals);
    expect(iops.length).toBeGreaterThanOrEqual(20);
    const first = iops[0]!;
    const last = iops.at(-1)!;
    expect(first).toBeGreaterThan(3 * last);
    // Falling, interval after interval, once the cliff is passed (no step back up beyond noise).
    const cliff = iops.findIndex((v) => v < 0.9 * first);
    expect(cliff).toBeGreaterThan(0);
    for (let i = cliff + 1; i < iops.length; i++) expect(iops[i]!).toBeLessThan(iops[i - 1]! * 1.01);
    expect(Math.abs(last / datasheet - 1)).toBeLessThan(0.1);
  });

  it('preconditioned, the shrunk drive writes at the full drive steady rate from the start', async () => {
    const job = '[w]\nrw=randwrite\nbs=4k\niodepth=32\nruntime=2\ntime_based\n';
    const shrunk = (await anvilRun(job, { profileYaml: small('preconditioned') })).run.jobs[0]!.measured.write;
    const full = (await anvilRun(job, { profile: 'intel-p4510-4tb' })).run.jobs[0]!.measured.write;
    expect(Math.abs(shrunk.total_ios / full.total_ios - 1)).toBeLessThan(0.03);
  });
});
