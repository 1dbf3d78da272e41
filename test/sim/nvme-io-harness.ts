/**
 * A list of I/Os run on one NVMe drive in the kernel, for the drive's order tests: each I/O enters at its
 * time from a head station, goes through the drive, and is handed to `done` as it completes.
 */
import { Value } from '@sinclair/typebox/value';
import { Simulator } from '../../sim/core/kernel.js';
import { RandomStreams } from '../../sim/core/random.js';
import { NvmeDevice, nvmeDevice, nvmeSchema, type NvmeParams } from '../../sim/devices/nvme/index.js';
import { RequestPool, type Op, type Station } from '../../sim/io/requests.js';

/** One I/O of a test's list: when it arrives (ns), what it does, where (bytes) and how much (bytes). */
export interface Io {
  at_ns: number;
  op: Op;
  offset: number;
  size: number;
}

/** What the order tests' small drives differ in; the rest is one layout (4 channels, 16 KiB pages, 400 MB/s channels). */
export interface SmallNvme {
  readonly maxCommands: number;
  readonly cores: number;
  /** The controller's read and write data rate, e.g. '4GB/s'. */
  readonly dataRate: string;
  readonly writeCommand: string;
  readonly diesPerChannel: number;
  /** The array read time, or one per page type. */
  readonly read: string | readonly string[];
  /** A spread of the read command's core time (a service-time spec), if any. */
  readonly readSpread?: Record<string, string>;
  readonly programSuspend?: string;
}

/** A small NVMe drive's parameters, slow channels against PCIe so that reads queue on dies and channels. */
export function smallNvme(o: SmallNvme): NvmeParams {
  return Value.Default(nvmeSchema, {
    kind: 'nvme',
    capacity: '1G',
    host: { max_commands: o.maxCommands, pcie_bandwidth: '4GB/s', pcie_max_payload: '256', pcie_tlp_overhead: '24' },
    controller: {
      cores: o.cores,
      read_command: '2us',
      read_data_rate: o.dataRate,
      write_command: o.writeCommand,
      write_data_rate: o.dataRate,
      ...(o.readSpread ? { read_spread: o.readSpread } : {}),
    },
    write_buffer: { capacity: '256k', write_time: '1us' },
    media: {
      type: 'nand',
      channels: 4,
      dies_per_channel: o.diesPerChannel,
      planes: 1,
      page_size: '16k',
      pages_per_program: 1,
      pages_per_block: 64,
      die_capacity: '256M',
      channel_rate: '400MB/s',
      read: o.read,
      program: '300us',
      erase: '2ms',
      ...(o.programSuspend ? { program_suspend: o.programSuspend } : {}),
    },
    gc: { policy: 'lrw', sequential_streams: 4 },
  }) as NvmeParams;
}

/** A fresh drive of `params` (its random streams from `seed`), in a fresh simulator and request pool. */
export function driveOf(params: NvmeParams, seed: number) {
  const sim = new Simulator();
  const requests = new RequestPool();
  const device = nvmeDevice.create(params, { sim, requests, streams: new RandomStreams(seed), name: 'nvme0' }) as NvmeDevice;
  return { sim, requests, device };
}

/**
 * Runs `ios` on `device` to the end; `done(req, i)` is called at each completion (sim.now is its time),
 * before the request is released.
 */
export function runIos(drive: ReturnType<typeof driveOf>, ios: readonly Io[], done: (req: number, i: number) => void): void {
  const { sim, requests, device } = drive;
  const index = new Map<number, number>();
  const sink: Station = {
    accept(req) {
      done(req, index.get(req)!);
      index.delete(req);
      requests.release(req);
    },
  };
  const head: Station & { fire(i: number): void } = {
    accept() {},
    fire(i: number) {
      const io = ios[i]!;
      const req = requests.alloc(flow, io.op, io.offset, io.size, sim.now);
      index.set(req, i);
      requests.forward(req);
    },
  };
  const flow = requests.addRoute([head, device, sink]);
  ios.forEach((io, i) => sim.post(io.at_ns, head, i));
  sim.run();
}
