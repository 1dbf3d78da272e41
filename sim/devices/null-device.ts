/**
 * The null device: every I/O completes after a fixed latency (zero by default), with no queueing. A
 * reference for tests of everything around the devices (workloads, recorders, results), as fio's null
 * engine is for fio. Completions go through the kernel, never re-entrantly from `accept`.
 */
import { Type } from '@sinclair/typebox';
import type { EventHandler } from '../core/kernel.js';
import { parseDuration, parseSize } from '../core/units.js';
import type { DeviceContext, DeviceInstance, DeviceKind } from './device.js';
import { DEVICE_API_VERSION } from './device.js';
import { RANGES, rangedDuration, rangedSize } from './schema-types.js';

const nullSchema = Type.Object(
  {
    kind: Type.Literal('null'),
    capacity: rangedSize(RANGES.capacity, { default: '1T', description: 'capacity the jobs address, e.g. "1T"' }),
    latency: rangedDuration(RANGES.time, { default: '0ns', description: 'fixed completion latency, e.g. "0ns", "10us"' }),
  },
  { additionalProperties: false },
);

class NullDevice implements DeviceInstance, EventHandler {
  private held = 0;
  constructor(
    readonly capacity_bytes: number,
    private readonly latency_ns: number,
    private readonly context: DeviceContext,
  ) {}
  accept(req: number): void {
    this.held++;
    this.context.sim.postAfter(this.latency_ns, this, req);
  }
  fire(req: number): void {
    this.held--;
    this.context.requests.forward(req);
  }
  inFlight(): number {
    return this.held;
  }
  peakIops(): number {
    return Infinity; // no queueing: only the jobs' depth over the latency bounds it
  }
  minLatency_ns(): number {
    return this.latency_ns;
  }
}

export const nullDevice: DeviceKind<typeof nullSchema> = {
  name: 'null',
  version: DEVICE_API_VERSION,
  description: 'Completes every I/O after a fixed latency (zero by default); for testing what surrounds the devices',
  capabilities: { writeCache: false, garbageCollection: false, trim: true, addressAware: false },
  schema: nullSchema,
  create(params, context) {
    return new NullDevice(nullDevice.capacityOf(params), parseDuration(params.latency, 'ns')!, context);
  },
  capacityOf(params) {
    return parseSize(params.capacity)!;
  },
};
