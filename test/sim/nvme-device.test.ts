/**
 * The nvme kind's contract and mechanics on a small hand-sized drive whose every time can be added up by
 * hand: what a read and a write cost at QD1, striping over dies and channels, the host queue limit,
 * program suspension, and the schema's validation.
 */
import { Value } from '@sinclair/typebox/value';
import { describe, expect, test } from 'vitest';
import { Simulator } from '../../sim/core/kernel.js';
import { RandomStreams } from '../../sim/core/random.js';
import { deviceKind } from '../../sim/devices/index.js';
import { NvmeDevice, nvmeDevice, nvmeSchema, type NvmeParams } from '../../sim/devices/nvme/index.js';
import { OP_READ, OP_TRIM, OP_WRITE, RequestPool, type Op, type Station } from '../../sim/io/requests.js';
import { runJob } from './nvme-harness.js';

/** 2 channels x 2 dies, 16 KiB pages, round numbers everywhere. */
function tiny(overrides: Partial<Record<'host' | 'controller' | 'write_buffer' | 'media' | 'gc', object>> = {}): NvmeParams {
  const base = {
    kind: 'nvme',
    capacity: '1G',
    host: { max_commands: 64, pcie_bandwidth: '4GB/s', pcie_max_payload: '256', pcie_tlp_overhead: '0' },
    controller: { cores: 1, read_command: '1us', read_data_rate: '4GB/s', write_command: '2us', write_data_rate: '4GB/s' },
    write_buffer: { capacity: '64k', write_time: '1us' },
    media: {
      type: 'nand',
      channels: 2,
      dies_per_channel: 2,
      planes: 1,
      page_size: '16k',
      pages_per_program: 1,
      pages_per_block: 4,
      die_capacity: '512M',
      channel_rate: '1GB/s',
      read: '50us',
      program: '500us',
      erase: '2ms',
    },
    gc: { policy: 'lrw', sequential_streams: 4 },
  };
  for (const [key, value] of Object.entries(overrides)) Object.assign((base as unknown as Record<string, object>)[key]!, value);
  return Value.Default(nvmeSchema, base) as NvmeParams;
}

/** Submits requests at given times and records each completion time. */
function drive(params: NvmeParams, ios: { at_ns: number; op: Op; offset: number; size: number }[]) {
  const sim = new Simulator();
  const requests = new RequestPool();
  const device = nvmeDevice.create(params, { sim, requests, streams: new RandomStreams(1), name: 'nvme0' }) as NvmeDevice;
  const done = new Map<number, number>();
  const ids: number[] = [];
  const sink: Station = {
    accept(req) {
      done.set(req, sim.now);
    },
  };
  const head: Station & { fire(i: number): void } = {
    accept() {},
    fire(i: number) {
      const io = ios[i]!;
      const req = requests.alloc(flow, io.op, io.offset, io.size, sim.now);
      ids[i] = req;
      requests.forward(req);
    },
  };
  const flow = requests.addRoute([head, device, sink]);
  ios.forEach((io, i) => sim.schedule(io.at_ns, head, i));
  sim.run();
  return { device, latency: (i: number) => done.get(ids[i]!)! - ios[i]!.at_ns };
}

describe('kind', () => {
  test('declares itself and is registered', () => {
    expect(deviceKind('nvme')).toBe(nvmeDevice);
    expect(nvmeDevice.capabilities).toEqual({ writeCache: true, garbageCollection: true, trim: true, addressAware: true });
  });

  test('the schema fills defaults and rejects bad units, unknown keys and inconsistent media', () => {
    const filled = Value.Default(nvmeSchema, { kind: 'nvme' }) as NvmeParams;
    expect(Value.Check(nvmeSchema, filled)).toBe(true);
    expect(filled.media.read).toBe('100us');
    expect(Value.Check(nvmeSchema, { ...filled, media: { ...filled.media, read: '100 parsecs' } })).toBe(false);
    expect(Value.Check(nvmeSchema, { ...filled, controller: { ...filled.controller, cores: 0 } })).toBe(false);
    expect(Value.Check(nvmeSchema, { ...filled, turbo: true })).toBe(false);
    const context = { sim: new Simulator(), requests: new RequestPool(), streams: new RandomStreams(1), name: 'x' };
    expect(() => nvmeDevice.create({ ...filled, media: { ...filled.media, type: 'xpoint' } }, context)).toThrow(/gc.policy/);
    expect(() => nvmeDevice.create({ ...filled, media: { ...filled.media, die_capacity: '1G' } }, context)).toThrow(/raw media/);
  });
});

describe('mechanics of a tiny drive', () => {
  test('a 4 KiB read at QD1: controller + tR + channel + PCIe, to the nanosecond', () => {
    const { latency } = drive(tiny(), [{ at_ns: 0, op: OP_READ, offset: 0, size: 4096 }]);
    const expected = 1000 + 4096 / 4 + 50_000 + 4096 + 4096 / 4; // ns: command, data in core, tR, 1 GB/s channel, 4 GB/s PCIe
    expect(latency(0)).toBeCloseTo(expected, 6);
  });

  test('a 64 KiB read spans four dies on two channels and completes when its last piece is in', () => {
    const { latency } = drive(tiny(), [{ at_ns: 0, op: OP_READ, offset: 0, size: 65536 }]);
    // All four dies read in parallel; each channel then carries two 16 KiB pieces one after the other.
    const expected = 1000 + 65536 / 4 + 50_000 + 2 * 16384 + 65536 / 4;
    expect(latency(0)).toBeCloseTo(expected, 6);
  });

  test('read time follows the page type, cycling over the successive pages of a die', () => {
    const params = tiny({ media: { read: ['40us', '60us'] } });
    const first = drive(params, [{ at_ns: 0, op: OP_READ, offset: 0, size: 4096 }]); // page 0: die 0, its page 0
    const second = drive(params, [{ at_ns: 0, op: OP_READ, offset: 4 * 16384, size: 4096 }]); // page 4: die 0, its page 1
    const third = drive(params, [{ at_ns: 0, op: OP_READ, offset: 8 * 16384, size: 4096 }]); // page 8: die 0, its page 2
    expect(second.latency(0) - first.latency(0)).toBeCloseTo(20_000, 6);
    expect(third.latency(0)).toBeCloseTo(first.latency(0), 6);
    expect(second.device.config.read_ns).toBe(50_000);
  });

  test('two reads on the same die queue; on different dies they overlap', () => {
    const same = drive(tiny(), [
      { at_ns: 0, op: OP_READ, offset: 0, size: 4096 },
      { at_ns: 0, op: OP_READ, offset: 4 * 16384, size: 4096 }, // page 4: die 0 again
    ]);
    const apart = drive(tiny(), [
      { at_ns: 0, op: OP_READ, offset: 0, size: 4096 },
      { at_ns: 0, op: OP_READ, offset: 16384, size: 4096 }, // page 1: die 1
    ]);
    expect(same.latency(1) - same.latency(0)).toBeGreaterThan(45_000);
    expect(apart.latency(1) - apart.latency(0)).toBeLessThan(10_000);
  });

  test('busy time is the time with at least one command in the drive, overlaps counted once, idle gaps not at all', () => {
    const read = 1000 + 4096 / 4 + 50_000 + 4096 + 4096 / 4; // a 4 KiB read alone, as above
    const { device, latency } = drive(tiny(), [
      { at_ns: 0, op: OP_READ, offset: 0, size: 4096 },
      { at_ns: 10_000, op: OP_READ, offset: 16384, size: 4096 }, // another die: overlaps the first
      { at_ns: 1_000_000, op: OP_READ, offset: 0, size: 4096 }, // after an idle gap
    ]);
    const end = 1_000_000 + latency(2);
    // Busy from 0 to the second read's end, then for the third read alone; the gap between is idle.
    expect(device.busyTime_ns(end)).toBeCloseTo(10_000 + latency(1) + latency(2), 6);
    expect(latency(2)).toBeCloseTo(read, 6);
    expect(device.completedIos).toBe(3);
  });

  test('with one command slot, back-to-back commands from the host queue make one busy period', () => {
    const { device, latency } = drive(tiny({ host: { max_commands: 1 } }), [
      { at_ns: 0, op: OP_READ, offset: 0, size: 4096 },
      { at_ns: 0, op: OP_READ, offset: 16384, size: 4096 },
    ]);
    // The second waits in the host queue for the first: the drive is busy until the second ends.
    expect(device.busyTime_ns(latency(1))).toBeCloseTo(latency(1), 6);
  });

  test('a 4 KiB write is acknowledged from the buffer: controller + PCIe + buffer write', () => {
    const { latency } = drive(tiny(), [{ at_ns: 0, op: OP_WRITE, offset: 0, size: 4096 }]);
    expect(latency(0)).toBeCloseTo(2000 + 4096 / 4 + 4096 / 4 + 1000, 6);
  });

  test('a full buffer makes writes wait for programs; sequential writes bring no GC', () => {
    // 64 KiB buffer = 4 program units; 32 sequential 16 KiB writes must wait for programs of 500 us.
    const ios = Array.from({ length: 32 }, (_, i) => ({ at_ns: 0, op: OP_WRITE as Op, offset: i * 16384, size: 16384 }));
    const { device, latency } = drive(tiny(), ios);
    expect(latency(0)).toBeLessThan(20_000);
    expect(latency(31)).toBeGreaterThan(5 * 500_000 * 0.9);
    expect(device.backend.counts.hostPrograms).toBe(32);
    expect(device.backend.counts.gcPrograms).toBeLessThanOrEqual(1);
    expect(device.buffer.used).toBe(0);
  });

  test('random writes owe (WA - 1) GC copies per program unit and erase a block every pages_per_block units', () => {
    const ios = Array.from({ length: 64 }, (_, i) => ({
      at_ns: 0,
      op: OP_WRITE as Op,
      offset: ((i * 7919) % 4096) * 16384 * 3,
      size: 16384,
    }));
    const { device } = drive(tiny(), ios);
    const { hostPrograms, gcPrograms, erases } = device.backend.counts;
    const wa = device.config.randomWriteAmplification;
    expect(hostPrograms).toBe(64);
    expect(Math.abs(gcPrograms - 64 * (wa - 1))).toBeLessThanOrEqual(1);
    expect(erases).toBeGreaterThanOrEqual(Math.floor((hostPrograms + gcPrograms) / 4) - 4);
  });

  test('the host queue holds commands beyond max_commands', () => {
    const params = tiny({ host: { max_commands: 2 } });
    const ios = Array.from({ length: 6 }, (_, i) => ({ at_ns: 0, op: OP_READ as Op, offset: i * 16384, size: 4096 }));
    const sim = new Simulator();
    const requests = new RequestPool();
    const device = nvmeDevice.create(params, { sim, requests, streams: new RandomStreams(1), name: 'nvme0' });
    const sink: Station = { accept() {} };
    const flow = requests.addRoute([sink, device, sink]);
    for (const io of ios) requests.forward(requests.alloc(flow, io.op, io.offset, io.size, 0));
    expect(device.inFlight()).toBe(6);
    sim.run();
    expect(device.inFlight()).toBe(0);
  });

  test('program suspend lets a read in after the suspend latency instead of after the program', () => {
    const write = { at_ns: 0, op: OP_WRITE as Op, offset: 0, size: 16384 };
    // The first write fills a program unit, which starts on die 0 at about 20 us; read die 0 at 100 us.
    const read = { at_ns: 100_000, op: OP_READ as Op, offset: 0, size: 4096 };
    const waiting = drive(tiny(), [write, read]);
    const suspending = drive(tiny({ media: { program_suspend: '10us' } }), [write, read]);
    expect(waiting.latency(1)).toBeGreaterThan(400_000);
    expect(suspending.latency(1)).toBeLessThan(100_000);
    expect(suspending.device.backend.counts.suspensions).toBe(1);
  });

  test('a trim is accepted (the kind declares trim) and is a controller command: no NAND program, no buffer space', () => {
    const { device, latency } = drive(tiny(), [{ at_ns: 0, op: OP_TRIM, offset: 0, size: 1 << 20 }]);
    // No trim_command given: a write command's time; no trim_rate: no size cost; 16-byte range over 4 GB/s PCIe.
    expect(latency(0)).toBeCloseTo(2000 + 16 / 4, 6);
    expect(device.backend.counts.hostPrograms + device.backend.counts.gcPrograms + device.backend.counts.reads).toBe(0);
    expect(device.inFlight()).toBe(0);
  });

  test('a default-parameter drive runs', () => {
    const params = Value.Default(nvmeSchema, { kind: 'nvme' }) as NvmeParams;
    const r = runJob(params, { op: 'read', pattern: 'random', bs: 4096, iodepth: 8 }, { ramp_ns: 1e6, runtime_ns: 10e6 });
    expect(r.ios).toBeGreaterThan(100);
  });
});
