/**
 * A list of I/Os run on one NVMe drive in the kernel, for the drive's order tests: each I/O enters at its
 * time from a head station, goes through the drive, and is handed to `done` as it completes.
 */
import { Simulator } from '../../sim/core/kernel.js';
import { RandomStreams } from '../../sim/core/random.js';
import { NvmeDevice, nvmeDevice, type NvmeParams } from '../../sim/devices/nvme/index.js';
import { RequestPool, type Op, type Station } from '../../sim/io/requests.js';

/** One I/O of a test's list: when it arrives (ns), what it does, where (bytes) and how much (bytes). */
export interface Io {
  at_ns: number;
  op: Op;
  offset: number;
  size: number;
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
