/**
 * A generic queueing station: `servers` identical servers, one FIFO queue, service times from a
 * distribution. With Poisson arrivals it is M/G/c, which lets the kernel be checked against queueing
 * theory (M/M/1, M/M/c, M/D/1), and it stands in for any device known only by its service time.
 */
import { Type } from '@sinclair/typebox';
import type { Distribution } from '../core/distributions.js';
import type { EventHandler } from '../core/kernel.js';
import { RandomStreams } from '../core/random.js';
import { parseSize } from '../core/units.js';
import { RequestFifo } from '../resources/request-fifo.js';
import type { DeviceContext, DeviceInstance, DeviceKind } from './device.js';
import { DEVICE_API_VERSION } from './device.js';
import { RANGES, rangedSize } from './schema-types.js';
import { serviceTime, serviceTimeProblems, serviceTimeSchema } from './service-time.js';

const queueSchema = Type.Object(
  {
    kind: Type.Literal('queue'),
    servers: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1, description: 'number of identical servers (c)' }),
    service: serviceTimeSchema,
    capacity: rangedSize(RANGES.capacity, { default: '1T', description: 'capacity the jobs address, e.g. "1T"' }),
  },
  { additionalProperties: false },
);

/** An M/G/c station. Completions are events; the queue is a ring of request ids. */
export class QueueStation implements DeviceInstance, EventHandler {
  private busy = 0;
  private readonly waiting = new RequestFifo();

  constructor(
    readonly capacity_bytes: number,
    private readonly servers: number,
    private readonly service: Distribution,
    private readonly context: DeviceContext,
  ) {}

  accept(req: number): void {
    if (this.busy < this.servers) this.start(req);
    else this.waiting.push(req);
  }

  fire(req: number): void {
    const next = this.waiting.shift();
    if (next >= 0) this.start(next);
    else this.busy--;
    this.context.requests.forward(req);
  }

  inFlight(): number {
    return this.busy + this.waiting.length;
  }

  peakIops(): number {
    return this.service.mean > 0 ? (this.servers * 1e9) / this.service.mean : Infinity;
  }

  singleServer(): Distribution | null {
    return this.servers === 1 ? this.service : null;
  }

  minLatency_ns(): number {
    return this.service.kind === 'deterministic' ? this.service.mean : 0;
  }

  private start(req: number): void {
    if (this.busy < this.servers) this.busy++;
    this.context.sim.postAfter(this.service.sample(), this, req);
  }
}

export const queueDevice: DeviceKind<typeof queueSchema> = {
  name: 'queue',
  version: DEVICE_API_VERSION,
  description: 'Generic queueing station: c servers, one FIFO queue, a service-time distribution',
  capabilities: { writeCache: false, garbageCollection: false, trim: true, addressAware: false },
  schema: queueSchema,
  create(params, context) {
    const problem = serviceTimeProblems(params.service, '/service')[0];
    if (problem) throw new RangeError(`queue: ${problem.path}: ${problem.message}`);
    const service = serviceTime(params.service, context.streams.get(`${context.name}/service`));
    return new QueueStation(queueDevice.capacityOf(params), params.servers, service, context);
  },
  capacityOf(params) {
    return parseSize(params.capacity)!;
  },
  // Every I/O holds a server for one service time whatever its size or direction, so with `depth` I/Os
  // outstanding min(depth, servers) are served at once: the closed loop's exact rate, times the headroom.
  guaranteedIops(params, load) {
    const service = serviceTime(params.service, new RandomStreams(0).get('guarantee'));
    if (!(service.mean > 0)) throw new RangeError('queue: a zero mean service time guarantees no finite rate');
    return Math.floor(((Math.min(load.depth, params.servers) * 1e9) / service.mean) * load.utilisation);
  },
};
