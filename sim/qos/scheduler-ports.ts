/**
 * The two stations every storage QoS scheduler (mclock.ts, fifo.ts) shows the model: one entry per client
 * on the way to the device, and the completion after it. Shared so both schedulers pass requests the same
 * way (the call sites stay the same shape whichever scheduler a run takes).
 */
import type { Station } from '../io/requests.js';

/** What a scheduler does with requests: queue one of `client`'s, and learn one came back from the device. */
export interface QueuedScheduler {
  enqueue(client: number, req: number): void;
  complete(req: number): void;
}

/** A client's entry to the scheduler: the station its requests pass on their way to the device. */
export class ClientPort implements Station {
  constructor(
    private readonly scheduler: QueuedScheduler,
    private readonly client: number,
  ) {}
  accept(req: number): void {
    this.scheduler.enqueue(this.client, req);
  }
}

/** The station after the device: counts the request done and dispatches the next. */
export class CompletionPort implements Station {
  constructor(private readonly scheduler: QueuedScheduler) {}
  accept(req: number): void {
    this.scheduler.complete(req);
  }
}

/** Refuses a dispatch window no scheduler can keep: `depth` requests (whole, >= 1) and `units` cost units (> 0) outstanding. */
export function checkDispatchWindow(depth: number, units: number): void {
  if (!(units > 0)) throw new RangeError(`dispatch units must be above 0, got ${units}`);
  if (!(Number.isInteger(depth) && depth >= 1)) throw new RangeError(`dispatch depth must be a whole number >= 1, got ${depth}`);
}
