/**
 * The drive's PCIe link device→host takes each read when its channel transfer ends, in that order, ties
 * in the order the transfers were reserved (as one kernel event per transfer's end would). The device
 * knows these ends ahead of time and keeps one event for the link's head instead (nvme-device.ts); here
 * a random mix of reads (single- and multi-page, several sizes, channels that queue), writes and trims
 * runs on it, every channel transfer a read reserves is recorded, and the link is replayed from them
 * the event-per-transfer way: each read must complete at exactly the time that replay gives it.
 */
import { describe, expect, test } from 'vitest';
import { RandomStreams } from '../../sim/core/random.js';
import type { NvmeDevice, NvmeParams } from '../../sim/devices/nvme/index.js';
import { OP_READ, OP_TRIM, OP_WRITE, type Op } from '../../sim/io/requests.js';
import { driveOf, runIos, smallNvme, type Io } from './nvme-io-harness.js';

/** 4 channels x 2 dies, 16 KiB pages; channels slow against PCIe, so reads queue on them and overtake each other. */
function params(readSpread: boolean): NvmeParams {
  return smallNvme({
    maxCommands: 32,
    cores: 2,
    dataRate: '8GB/s',
    writeCommand: '3us',
    diesPerChannel: 2,
    read: '20us',
    ...(readSpread ? { readSpread: { dist: 'exponential', mean: '1us' } } : {}),
  });
}

/** A seeded random mix: mostly reads of 4K to 64K (some across pages), some writes and trims, over 2 ms. */
function randomIos(seed: number, count: number): Io[] {
  const stream = new RandomStreams(seed).get('ios');
  const sizes = [4096, 4096, 8192, 16384, 32768, 65536];
  const ios: Io[] = [];
  for (let i = 0; i < count; i++) {
    const u = stream.next();
    const op: Op = u < 0.8 ? OP_READ : u < 0.95 ? OP_WRITE : OP_TRIM;
    const size = sizes[stream.below(sizes.length)]!;
    // 4K-aligned offsets, so some reads start inside a page and cross into the next.
    ios.push({ at_ns: stream.next() * 2e6, op, offset: stream.below((1 << 30) / 4096 - 16) * 4096, size });
  }
  return ios;
}

/** Runs `ios` on a drive; returns each read's completion (time, size) in completion order, and the channel transfers its reads reserved in order. */
function run(p: NvmeParams, ios: readonly Io[]) {
  const drive = driveOf(p, 7);
  const { sim, requests, device } = drive;
  const transfers: { end_ns: number; bytes: number }[] = [];
  const backend = device.backend;
  const piece = backend.transferPiece.bind(backend);
  const whole = backend.transferRead.bind(backend);
  backend.transferPiece = (now, die, bytes) => {
    const end_ns = piece(now, die, bytes);
    transfers.push({ end_ns, bytes });
    return end_ns;
  };
  backend.transferRead = (now, offset, size) => {
    const end_ns = whole(now, offset, size);
    transfers.push({ end_ns, bytes: size });
    return end_ns;
  };
  const reads: { done_ns: number; bytes: number }[] = [];
  runIos(drive, ios, (req) => {
    if (requests.op[req] === OP_READ) reads.push({ done_ns: sim.now, bytes: requests.size_bytes[req]! });
  });
  return { reads, transfers, config: device.config };
}

/** The link the event-per-transfer way: transfers in order of their ends (ties: reserved first), each crossing from max(link free, its end). */
function replayLink(config: NvmeDevice['config'], transfers: readonly { end_ns: number; bytes: number }[]) {
  const nsPerByte = 1e9 / config.pcie_bytes_per_s;
  const tlp_ns = config.pcieTlpOverhead_bytes * nsPerByte;
  const order = transfers.map((t, i) => ({ ...t, i })).sort((a, b) => a.end_ns - b.end_ns || a.i - b.i);
  let free = 0;
  return order.map(({ end_ns, bytes }) => {
    const start = free > end_ns ? free : end_ns;
    free = start + (bytes * nsPerByte + Math.ceil(bytes / config.pcieMaxPayload_bytes) * tlp_ns);
    return { done_ns: free, bytes };
  });
}

describe('the PCIe link device→host, one event for its head', () => {
  test.each([
    [1, false],
    [2, true],
    [3, true],
  ])('seed %i (read spread %s): every read completes when the link, replayed transfer by transfer, lets it through', (seed, spread) => {
    const { reads, transfers, config } = run(params(spread), randomIos(seed, 3000));
    const replayed = replayLink(config, transfers);
    expect(reads.length).toBe(transfers.length);
    expect(reads.length).toBeGreaterThan(2000);
    // Reads overtook each other on the link (a later reservation crossed first), or the case tests nothing.
    const overtaken = transfers.filter((t, i) => i > 0 && t.end_ns < transfers[i - 1]!.end_ns).length;
    expect(overtaken).toBeGreaterThan(50);
    expect(reads).toEqual(replayed);
  });
});
