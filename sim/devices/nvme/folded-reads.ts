/**
 * The controller and die stages of an NVMe drive's single-page reads without an event each, while the drive
 * has served nothing else: the same reservations, in the same order, made in batches by one wake-up event.
 *
 * A read's controller time is reserved when it is admitted (when its core ends is known then). In the
 * evented model its die read is reserved when its core ends (an event), and its channel transfer when its
 * die read ends (another event). Each of those resources is a FIFO in the order the work reaches it, so
 * what matters is that the reservations are made in that order, from the times the work arrives, not at
 * those instants. Here the reads wait in two queues kept in time order: `atCores` by when their core
 * ends (die not yet reserved), `atDies` by when their die read ends (channel not yet reserved).
 *
 * - A core stage ended at `c` is taken late: its die is reserved from `c` (`reserveDieRead(c, ...)`), in the
 *   order of `c`, exactly as the core's event would have.
 * - A die read ending at `e` may be taken early, at `now`, when no read can still reach that channel
 *   before it: every read whose die is not reserved yet ends its die read at least `minRead_ns` after its
 *   core ends, which is later than now. Nothing else touches the channels while the drive only reads; a
 *   write (or a multi-page read) first ends folding (`unfold`), and its first use of a channel comes at
 *   least `horizon_ns` after it arrived, so reads taken early are taken only `horizon_ns` ahead.
 * - The link device→host gets a read when its channel transfer is reserved, ahead of time; it already
 *   takes reads in channel order (nvme-device.ts), so it serves them at the same times.
 *
 * One event, the wake-up, comes no later than the first moment a read must be taken: its core's end plus
 * `minRead_ns` (its die read cannot end sooner), or its die read's end. A wake-up takes what is due and
 * everything safe beyond, so one event serves many reads.
 *
 * Ties: two reads whose cores (or die reads) end at the same nanosecond go, in the evented model, in the
 * order their events were posted: when the core (die) was free for them, at their arrival there if it was
 * idle, else when the work before them ended. The queues here sort equal times by that moment too, then by
 * arrival; only a tie in both (two events posted at one instant by two others that themselves tied) may
 * go the other way round. Results on drives whose times carry a random spread never tie.
 */
import type { EventHandler, Simulator } from '../../core/kernel.js';
import type { RequestPool } from '../../io/requests.js';
import { RequestFifo } from '../../resources/request-fifo.js';
import type { NandBackend } from './nand-backend.js';

/** What the drive gives its folded reads: the link they go on to, and its evented stages for `unfold`. */
export interface FoldedReadsHost extends EventHandler {
  /** A read's data will be in the controller at `channelsDone_ns`: it joins the link's queue. */
  toHost(req: number, channelsDone_ns: number): void;
  /** Queues `req` on core `core`, done at `end_ns`, as an evented core stage. */
  queueCore(req: number, core: number, end_ns: number): void;
  /** Queues `req` on die `die`, its read done at `end_ns`, as an evented die stage. */
  queueDie(req: number, die: number, end_ns: number): void;
}

/** Tokens of the wake-up event wrap here (the event argument holds token * 8 + stage in 32 bits). */
const TOKEN_MASK = (1 << 28) - 1;

export class FoldedReads {
  /** Reads whose core stage is reserved, by when it ends; `tag` holds the core. */
  private readonly atCores = RequestFifo.tied(64);
  /** Reads whose die read is reserved, by when it ends. */
  private readonly atDies = RequestFifo.tied(64);
  /** When the live wake-up fires (Infinity: none), and its token: an event with another is stale. */
  private wakeAt_ns = Infinity;
  private wakeToken = 0;

  /**
   * @param minRead_ns the shortest array read of a page, ns
   * @param horizon_ns how far ahead a channel may be reserved: at most `minRead_ns`, and at most the least
   *   time from a write's arrival to its first program (the first other use of a channel), ns
   * @param stage the event stage the host gives the wake-up (`fire` passes the token on to `wake`)
   */
  constructor(
    private readonly sim: Simulator,
    private readonly requests: RequestPool,
    private readonly backend: NandBackend,
    private readonly host: FoldedReadsHost,
    private readonly minRead_ns: number,
    private readonly horizon_ns: number,
    private readonly stage: number,
    private readonly stageBits: number,
  ) {}

  /**
   * A single-page read was admitted on core `core`, its core stage ending at `coreEnd_ns`; `coreFree_ns`:
   * when the core finished the work reserved before it.
   */
  add(req: number, core: number, coreEnd_ns: number, coreFree_ns: number): void {
    this.requests.tag[req] = core;
    const now = this.sim.now;
    this.atCores.insertTied(req, coreEnd_ns, coreFree_ns > now ? coreFree_ns : now);
    this.wakeBy(coreEnd_ns + this.minRead_ns);
  }

  /** The wake-up event with `token`: takes what is due and what is safe, then sets the next one. */
  wake(token: number): void {
    if (token !== this.wakeToken) return;
    this.wakeAt_ns = Infinity;
    this.catchUp(this.sim.now);
    let at = Infinity;
    if (this.atCores.length > 0) at = this.atCores.headTime() + this.minRead_ns;
    if (this.atDies.length > 0 && this.atDies.headTime() < at) at = this.atDies.headTime();
    if (at < Infinity) this.wakeBy(at);
  }

  /**
   * Folding ends (a write or a multi-page read arrived): what is due now is taken, the rest goes back to
   * the drive's evented stages, in the order it was queued here, and the wake-up is dropped.
   */
  unfold(): void {
    this.catchUp(this.sim.now);
    const requests = this.requests;
    const backend = this.backend;
    for (const cores = this.atCores; cores.length > 0;) {
      const end = cores.headTime();
      const req = cores.shift();
      this.host.queueCore(req, requests.tag[req]!, end);
    }
    for (const dies = this.atDies; dies.length > 0;) {
      const end = dies.headTime();
      const req = dies.shift();
      this.host.queueDie(req, backend.dieOf(backend.pageOf(requests.offset_bytes[req]!)), end);
    }
    this.wakeToken = (this.wakeToken + 1) & TOKEN_MASK;
    this.wakeAt_ns = Infinity;
  }

  /**
   * Reserves the dies of the reads whose core stage ended by `now` (in that order, from when each ended),
   * then the channels of the reads whose die read ends before `now + horizon_ns` (in that order).
   */
  private catchUp(now: number): void {
    const requests = this.requests;
    const backend = this.backend;
    const cores = this.atCores;
    const dies = this.atDies;
    while (cores.length > 0 && cores.headTime() <= now) {
      const end = cores.headTime();
      const req = cores.shift();
      const page = backend.pageOf(requests.offset_bytes[req]!);
      const dieFree = backend.readFree[backend.dieOf(page)]!;
      dies.insertTied(req, backend.reserveDieRead(end, page), dieFree > end ? dieFree : end);
    }
    const horizon = now + this.horizon_ns;
    while (dies.length > 0 && (dies.headTime() < horizon || dies.headTime() <= now)) {
      const end = dies.headTime();
      const req = dies.shift();
      const die = backend.dieOf(backend.pageOf(requests.offset_bytes[req]!));
      this.host.toHost(req, backend.transferPiece(end, die, requests.size_bytes[req]!));
    }
  }

  /** Makes sure a wake-up comes by `at_ns`: a new one (the old one stale) when the live one is later. */
  private wakeBy(at_ns: number): void {
    if (at_ns >= this.wakeAt_ns) return;
    this.wakeAt_ns = at_ns;
    this.wakeToken = (this.wakeToken + 1) & TOKEN_MASK;
    this.sim.post(at_ns, this.host, (this.wakeToken << this.stageBits) | this.stage);
  }
}
