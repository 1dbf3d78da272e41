/**
 * While a drive has served only single-page reads, their controller and die stages are folded
 * (sim/devices/nvme/folded-reads.ts): the same reservations made in batches by one wake-up instead of an
 * event per stage. Here one stream of I/Os runs on two identical drives, one folding and one told to
 * unfold before the run (`unfoldReads`, the evented stages throughout): every I/O must complete at
 * exactly the same time on both, with fewer events on the folding one. Cases: reads only, with and
 * without a core-time spread, on a grid of arrival times (ties) and at random times, and reads with a
 * write arriving halfway (which hands the folded reads back to the evented stages mid-run).
 */
import { describe, expect, test } from 'vitest';
import { RandomStreams } from '../../sim/core/random.js';
import type { NvmeParams } from '../../sim/devices/nvme/index.js';
import { OP_READ, OP_WRITE } from '../../sim/io/requests.js';
import { driveOf, runIos, smallNvme, type Io } from './nvme-io-harness.js';

/** 4 channels x 3 dies, 16 KiB pages, three page types; slow channels, so reads queue on dies and channels. */
function params(readSpread: boolean): NvmeParams {
  return smallNvme({
    maxCommands: 48,
    cores: 3,
    dataRate: '4GB/s',
    writeCommand: '5us',
    diesPerChannel: 3,
    read: ['20us', '30us', '45us'],
    ...(readSpread ? { readSpread: { dist: 'lognormal', mean: '1us', stddev: '2us' } } : {}),
    programSuspend: '10us',
  });
}

/**
 * `count` single-page reads (512 bytes to 16 KiB, inside one page) over 2 ms, at random times or on a 1 us
 * grid (many at one instant); with `writeAt_ns`, one 16 KiB write then (a program unit: it is programmed as
 * soon as it lands), and a quarter of the later I/Os writes of that size.
 */
function ios(seed: number, count: number, grid: boolean, writeAt_ns?: number): Io[] {
  const stream = new RandomStreams(seed).get('ios');
  const sizes = [512, 4096, 4096, 8192, 16384];
  const out: Io[] = [];
  for (let i = 0; i < count; i++) {
    const at_ns = grid ? stream.below(2000) * 1000 : stream.next() * 2e6;
    const size = sizes[stream.below(sizes.length)]!;
    const page = stream.below((1 << 30) / 16384 - 1);
    const offset = page * 16384 + stream.below((16384 - size) / 512 + 1) * 512;
    const write = writeAt_ns !== undefined && at_ns > writeAt_ns && stream.next() < 0.25;
    out.push({ at_ns, op: write ? OP_WRITE : OP_READ, offset: write ? page * 16384 : offset, size: write ? 16384 : size });
  }
  if (writeAt_ns !== undefined) out.push({ at_ns: writeAt_ns, op: OP_WRITE, offset: 0, size: 16384 });
  return out;
}

/** Runs `list` on a fresh drive; returns each I/O's completion time, by I/O, and the events fired. */
function run(p: NvmeParams, list: readonly Io[], folded: boolean) {
  const drive = driveOf(p, 11);
  if (!folded) drive.device.unfoldReads();
  const done = new Float64Array(list.length).fill(-1);
  runIos(drive, list, (_req, i) => (done[i] = drive.sim.now));
  return { done: [...done], events: drive.sim.eventsFired };
}

describe('NVMe single-page reads folded: the same completions as the evented stages', () => {
  // 4000 reads in 2 ms is more than the drive does (its queues fill); 400 leaves it mostly idle.
  test.each([
    ['random times, no spread', 1, false, false, 4000],
    ['random times, core spread', 2, true, false, 4000],
    ['a 1 us grid (ties), no spread', 3, false, true, 4000],
    ['a 1 us grid (ties), core spread', 4, true, true, 4000],
    ['random times, core spread, light load', 7, true, false, 400],
    ['a 1 us grid (ties), no spread, light load', 8, false, true, 400],
  ])('reads only, %s', (_name, seed, spread, grid, count) => {
    const list = ios(seed, count, grid);
    const folded = run(params(spread), list, true);
    const evented = run(params(spread), list, false);
    expect(folded.done.every((t) => t > 0)).toBe(true);
    expect(folded.done).toEqual(evented.done);
    // Two events fewer per read, less the wake-ups.
    expect(folded.events).toBeLessThan(evented.events - list.length);
  });

  test.each([
    [5, false, 4000],
    [6, true, 4000],
    [9, true, 1000],
    [10, false, 1000],
  ])(
    'seed %i (spread %s, %i I/Os): a write halfway hands the folded reads back; every I/O still completes when the evented drive completes it',
    (seed, spread, count) => {
      const list = ios(seed, count, false, 1e6);
      const folded = run(params(spread), list, true);
      const evented = run(params(spread), list, false);
      expect(folded.done.every((t) => t > 0)).toBe(true);
      expect(folded.done).toEqual(evented.done);
      expect(folded.events).toBeLessThan(evented.events);
    },
  );
});
