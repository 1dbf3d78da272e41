/**
 * The `fitted` device kind: a drive known only by what fio measured on it (`anvil calibrate`), with a
 * read path and a write path of their own. An I/O started with n I/Os in the device (itself included)
 * first spends the host time of its direction at depth n, then a completion latency drawn from its
 * direction's quantile function at depth n (`PathTable`). Other sizes scale these by the path's size
 * factors. In a mix each I/O takes its own direction's figures at the total depth, times the path's mix
 * factors at the stream's read fraction (a moving average of the I/Os accepted, so the device sees the
 * mix as a drive does: in what it is sent). A closed loop of depth N then completes N over the mean of
 * host time plus latency per second, as fio does on the drive.
 *
 * The host time is fio's and the kernel's share of each I/O (on a small VM as large as the device's):
 * fio counts most of it as submission latency, so the model moves the request's submission time past
 * it (`submit_ns` += host time) and reports it as `slat`, the completion latency staying the device's.
 */
import type { EventHandler } from '../../core/kernel.js';
import type { RandomStream } from '../../core/random.js';
import { parseSize } from '../../core/units.js';
import { OP_READ } from '../../io/requests.js';
import type { DeviceContext, DeviceInstance, DeviceKind } from '../device.js';
import { DEVICE_API_VERSION } from '../device.js';
import { fittedCapacity, fittedProblems, fittedSchema, type FittedParams } from './fitted-schema.js';
import { PathTable } from './path-table.js';

/**
 * Least weight of each I/O in the moving read fraction (the first I/Os weigh 1/count, a plain mean): a
 * 50/50 stream then reads as 0.5 +- 0.016, so a mix's factors apply as fitted, and a change of the
 * workload shows within a thousand I/Os.
 */
const MIX_WEIGHT = 1 / 512;

/** `tag` of a request in its completion (device) stage; in its host stage the tag holds its depth (>= 1). */
const IN_DEVICE = -1;

function tables(params: FittedParams): { read: PathTable; write: PathTable } {
  const problem = fittedProblems(params)[0];
  if (problem) throw new RangeError(`fitted: ${problem}`);
  const reference = parseSize(params.reference_size)!;
  return {
    read: new PathTable(params.read, params.probabilities, reference),
    write: new PathTable(params.write, params.probabilities, reference),
  };
}

class FittedStation implements DeviceInstance, EventHandler {
  private held = 0;
  /** Moving read fraction of the I/Os accepted, and how many were (up to 1 / MIX_WEIGHT). */
  private readShare = 0;
  private accepted = 0;

  constructor(
    readonly capacity_bytes: number,
    private readonly read: PathTable,
    private readonly write: PathTable,
    private readonly stream: RandomStream,
    private readonly context: DeviceContext,
  ) {}

  accept(req: number): void {
    const requests = this.context.requests;
    const depth = ++this.held;
    requests.tag[req] = depth;
    const isRead = requests.op[req] === OP_READ;
    if (this.accepted * MIX_WEIGHT < 1) this.accepted++;
    this.readShare += ((isRead ? 1 : 0) - this.readShare) / Math.min(this.accepted, 1 / MIX_WEIGHT);
    const path = isRead ? this.read : this.write;
    const host = path.hostTime(depth, requests.size_bytes[req]!, this.readShare);
    requests.submit_ns[req] = requests.submit_ns[req]! + host;
    this.context.sim.postAfter(host, this, req);
  }

  fire(req: number): void {
    const requests = this.context.requests;
    const depth = requests.tag[req]!;
    if (depth !== IN_DEVICE) {
      requests.tag[req] = IN_DEVICE;
      const path = requests.op[req] === OP_READ ? this.read : this.write;
      this.context.sim.postAfter(path.clatTime(depth, requests.size_bytes[req]!, this.stream.next(), this.readShare), this, req);
      return;
    }
    this.held--;
    requests.forward(req);
  }

  inFlight(): number {
    return this.held;
  }

  peakIops(op: 'read' | 'write', bytes: number): number {
    return (op === 'read' ? this.read : this.write).peakIops(bytes);
  }

  minLatency_ns(op: 'read' | 'write'): number {
    return (op === 'read' ? this.read : this.write).minLatency();
  }
}

export const fittedDevice: DeviceKind<typeof fittedSchema> = {
  name: 'fitted',
  version: DEVICE_API_VERSION,
  description:
    'A drive as fio measured it (anvil calibrate): per direction, host time and completion-latency quantiles at each queue depth',
  capabilities: { writeCache: false, garbageCollection: false, trim: true, addressAware: false },
  schema: fittedSchema,
  create(params, context) {
    const { read, write } = tables(params);
    return new FittedStation(fittedCapacity(params), read, write, context.streams.get(`${context.name}/service`), context);
  },
  capacityOf: fittedCapacity,
  // A closed loop of `depth` I/Os of the mix completes depth / (mean time per I/O) a second: each path's
  // host time plus mean latency at that depth (the mix's factors applied), weighted by the mix, times the headroom.
  guaranteedIops(params, load) {
    const { read, write } = tables(params);
    const depth = Math.max(1, load.depth);
    const f = load.readFraction;
    const cycle = f * read.meanCycle(depth, load.size_bytes, f) + (1 - f) * write.meanCycle(depth, load.size_bytes, f);
    if (!(cycle > 0)) throw new RangeError('fitted: a zero time per I/O guarantees no finite rate');
    return Math.floor(((depth * 1e9) / cycle) * load.utilisation);
  },
};
