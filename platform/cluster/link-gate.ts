/**
 * A link's state on a message's route: up, it hands each message on at once (no event); down, it holds
 * them in arrival order (the sender's socket buffer: nothing is dropped, as TCP retransmits until the link
 * returns) and hands them all on when the link comes back. One gate per port and direction.
 */
import type { RequestPool, Station } from '../../sim/io/requests.js';
import { RequestFifo } from '../../sim/resources/request-fifo.js';

export class LinkGate implements Station {
  /** Messages held while the link was down, in all. */
  heldInAll = 0;
  private isUp = true;
  private readonly held = new RequestFifo(16);

  constructor(private readonly requests: RequestPool) {}

  /** Whether the link is up. */
  get open(): boolean {
    return this.isUp;
  }

  /** Messages waiting for the link now. */
  get waiting(): number {
    return this.held.length;
  }

  accept(req: number): void {
    if (this.isUp) {
      this.requests.forward(req);
      return;
    }
    this.heldInAll++;
    this.held.push(req);
  }

  /** The link went down: messages wait from now on. */
  close(): void {
    this.isUp = false;
  }

  /** The link is back: what waited goes on, in order. */
  reopen(): void {
    this.isUp = true;
    while (this.held.length > 0) this.requests.forward(this.held.shift());
  }
}
