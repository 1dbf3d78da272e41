/**
 * A network flow between two pods: the head and sink of a route of network stations, sending messages
 * of `size_bytes` either open loop at a payload rate (evenly spaced or Poisson) or closed loop keeping a
 * window of messages outstanding (a saturating sender). A message is done when its last bit reaches the
 * receiver (acknowledgements are not modelled). Its latency and bytes go to a `JobRecorder` as writes
 * (clat = one-way message latency), so the flow's results have the shape of a fio job's.
 */
import type { EventHandler, Simulator } from '../core/kernel.js';
import type { RandomStream } from '../core/random.js';
import type { RequestPool, Station } from '../io/requests.js';
import { OP_WRITE } from '../io/requests.js';
import { JobRecorder } from '../measure/job-recorder.js';

/** How a flow sends. */
export type FlowMode =
  /** Open loop: messages at `rate_bits_per_s` of payload, evenly spaced (`fixed`) or as a Poisson process. */
  | { readonly kind: 'rate'; readonly rate_bits_per_s: number; readonly process?: 'fixed' | 'poisson' }
  /** Closed loop: `window` messages outstanding, a new one as each arrives (saturating). */
  | { readonly kind: 'window'; readonly window: number };

/**
 * Messages a saturating flow keeps outstanding unless told otherwise: more than the bandwidth-delay
 * product of a rack (25 Gbit/s x ~3 us is under one 64 KiB message), so the flow is never the limit.
 */
export const DEFAULT_SATURATING_WINDOW = 8;

/** A scenario flow's mode: an offered payload rate in bits/s, or `saturate` (a closed loop of `window` messages). */
export function flowMode(
  rate_bits_per_s: number | 'saturate',
  process: 'fixed' | 'poisson' = 'fixed',
  window = DEFAULT_SATURATING_WINDOW,
): FlowMode {
  return rate_bits_per_s === 'saturate' ? { kind: 'window', window } : { kind: 'rate', rate_bits_per_s, process };
}

export interface NetworkFlowParams {
  /** Unique name; the Poisson stream is `flow/NAME`. */
  readonly name: string;
  /** Payload of each message, bytes. */
  readonly size_bytes: number;
  readonly mode: FlowMode;
  /** When the flow starts sending, ns. Default 0. */
  readonly start_ns?: number;
  /** When it stops sending, ns; messages in flight still arrive. */
  readonly end_ns: number;
  /** Messages arriving before this are not measured (warm-up), ns. Default `start_ns`. */
  readonly measureFrom_ns?: number;
  /** Length of a row of the interval series, ns. */
  readonly interval_ns: number;
}

const EVENT_SEND = 0;
const EVENT_END = 1;

export class NetworkFlow implements Station, EventHandler {
  readonly recorder: JobRecorder;
  /** Messages sent and arrived. */
  sent = 0;
  arrived = 0;
  private flow = -1;
  private sending = false;
  private readonly gap_ns: number;

  constructor(
    readonly params: NetworkFlowParams,
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    private readonly stream: RandomStream,
  ) {
    const { name, size_bytes, mode } = params;
    const start = params.start_ns ?? 0;
    if (!(size_bytes >= 1 && Number.isInteger(size_bytes)))
      throw new RangeError(`flow ${name}: size_bytes must be a whole number >= 1, got ${size_bytes}`);
    if (!(params.end_ns > start)) throw new RangeError(`flow ${name}: end_ns ${params.end_ns} must be after start_ns ${start}`);
    if (mode.kind === 'rate' && !(mode.rate_bits_per_s > 0 && Number.isFinite(mode.rate_bits_per_s)))
      throw new RangeError(`flow ${name}: rate_bits_per_s must be a positive finite number, got ${mode.rate_bits_per_s}`);
    if (mode.kind === 'window' && !(Number.isInteger(mode.window) && mode.window >= 1))
      throw new RangeError(`flow ${name}: window must be a whole number >= 1, got ${mode.window}`);
    this.gap_ns = mode.kind === 'rate' ? (size_bytes * 8e9) / mode.rate_bits_per_s : 0;
    this.recorder = new JobRecorder(params.measureFrom_ns ?? start, params.interval_ns, params.end_ns);
  }

  /** Starts the flow on its route (`requests.addRoute([flow, ...stations, flow])`). */
  attach(flow: number): void {
    if (this.flow >= 0) throw new RangeError(`flow ${this.params.name} is attached already`);
    this.flow = flow;
    this.sim.post(this.params.start_ns ?? 0, this, EVENT_SEND);
    this.sim.post(this.params.end_ns, this, EVENT_END);
  }

  fire(event: number): void {
    if (event === EVENT_END) {
      this.sending = false;
      this.recorder.finish(this.params.end_ns);
      return;
    }
    const mode = this.params.mode;
    if (mode.kind === 'window') {
      this.sending = true;
      for (let k = 0; k < mode.window; k++) this.send();
      return;
    }
    if (this.sim.now >= this.params.end_ns) return;
    this.sending = true;
    this.send();
    const gap = mode.process === 'poisson' ? -this.gap_ns * Math.log(1 - this.stream.next()) : this.gap_ns;
    this.sim.post(this.sim.now + gap, this, EVENT_SEND);
  }

  /** A message arrived at the receiver. */
  accept(req: number): void {
    const now = this.sim.now;
    const requests = this.requests;
    this.recorder.record(OP_WRITE, 0, now - requests.arrival_ns[req]!, requests.size_bytes[req]!, now);
    this.arrived++;
    requests.release(req);
    if (this.sending && this.params.mode.kind === 'window' && now < this.params.end_ns) this.send();
  }

  /** Messages sent and not yet arrived. */
  get inFlight(): number {
    return this.sent - this.arrived;
  }

  private send(): void {
    const req = this.requests.alloc(this.flow, OP_WRITE, 0, this.params.size_bytes, this.sim.now);
    this.sent++;
    this.requests.forward(req);
  }
}
