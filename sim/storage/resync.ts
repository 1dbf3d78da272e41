/**
 * Resync of a returning plex: copies only its dirty blocks from the plex reads go to, one block at a
 * time, paced at a bandwidth share (a block every block_bytes / share), as a background flow through
 * the same legs as the foreground I/O, so the copies queue with it at the devices (and at a QoS
 * scheduler on the leg, under their own service class). The plex is in sync when every dirty block is
 * copied and the share's time for them has passed: dirty_bytes / share when the devices keep up,
 * longer when they do not. Blocks dirtied again meanwhile (a write that was in flight when the plex
 * left) are found on a second pass. A copy never overwrites a newer foreground write that reached the
 * target meanwhile (the newest version wins), as md and DRBD lock the region they copy. With no plex in
 * sync to copy from, the pass stalls and the plex stays resyncing. At most `RESYNC_DEPTH` copies of a
 * pass are in flight: when the devices fall behind the pace, the pass waits for a copy to land instead
 * of queueing copies without end (as md does: Linux drivers/md/raid1.c, RESYNC_DEPTH 32).
 */
import type { EventHandle, EventHandler, Simulator } from '../core/kernel.js';
import type { MirroredVolume, ResyncSink } from './mirrored-volume.js';

/** Copies of one pass in flight at most (Linux md raid1's RESYNC_DEPTH, drivers/md/raid1.c). */
export const RESYNC_DEPTH = 32;

/** How a volume resyncs. */
export interface ResyncPolicy {
  /** Bandwidth share of the copies, bytes per second. */
  readonly bytes_per_s: number;
  /** Service class the copies carry (what a QoS scheduler on the leg sorts them by). */
  readonly serviceClass: number;
  /**
   * Copies of one pass in flight at most (Ceph's osd_recovery_max_active): a pass that reaches it waits for a
   * copy to land before the next, so copies a drive cannot keep up with do not pile up ahead of its other
   * I/O. Default `RESYNC_DEPTH` (md's).
   */
  readonly maxOutstanding?: number;
}

/** One resync under way, per returning plex. */
interface Pass {
  started_ns: number;
  cursor: number;
  outstanding: number;
  /** Copies issued (every block once, plus any block dirtied again). */
  copies: number;
  tick: EventHandle;
  /** Pacing of this pass: one block's copy every interval_ns. */
  interval_ns: number;
  /** Every dirty block is issued: waiting for the last copies to come back. */
  draining: boolean;
  /** At the most copies in flight (the policy's, else RESYNC_DEPTH): the next goes when one lands. */
  full: boolean;
}

/** What a finished resync took, for the control plane's `resyncing` → `in-sync` and the report. */
export interface ResyncDone {
  readonly plex: number;
  readonly started_ns: number;
  readonly finished_ns: number;
  readonly copied_bytes: number;
}

export class Resync implements ResyncSink, EventHandler {
  /** Finished resyncs, in the order they finished. */
  readonly done: ResyncDone[] = [];
  private readonly passes: (Pass | null)[];
  private readonly interval_ns: number;
  private readonly sim: Simulator;

  /** @param onInSync told when a plex is back in sync (the control plane's plex state follows) */
  constructor(
    private readonly volume: MirroredVolume,
    private readonly policy: ResyncPolicy,
    private readonly onInSync: (done: ResyncDone) => void = () => undefined,
  ) {
    if (!(policy.bytes_per_s > 0 && Number.isFinite(policy.bytes_per_s)))
      throw new RangeError(`volume "${volume.name}": resync bytes_per_s must be a finite number > 0, not ${policy.bytes_per_s}`);
    this.sim = volume.sim;
    this.interval_ns = (volume.block_bytes / policy.bytes_per_s) * 1e9;
    this.passes = new Array<Pass | null>(volume.plexes).fill(null);
    volume.attachResync(this);
  }

  /**
   * Brings `plex` back: it takes writes at once and serves reads once its dirty blocks are copied.
   * `bytes_per_s` paces this pass instead of the policy's (a control plane that splits a node's resync
   * bandwidth between the plexes returning at once).
   */
  start(plex: number, lostData = false, bytes_per_s?: number): void {
    if (bytes_per_s !== undefined && !(bytes_per_s > 0 && Number.isFinite(bytes_per_s)))
      throw new RangeError(`volume "${this.volume.name}": resync bytes_per_s must be a finite number > 0, not ${bytes_per_s}`);
    this.volume.plexReturning(plex, lostData);
    const interval_ns = bytes_per_s === undefined ? this.interval_ns : (this.volume.block_bytes / bytes_per_s) * 1e9;
    const pass: Pass = {
      started_ns: this.sim.now,
      cursor: 0,
      outstanding: 0,
      copies: 0,
      tick: -1,
      interval_ns,
      draining: false,
      full: false,
    };
    this.passes[plex] = pass;
    this.fire(plex);
  }

  /** The plex left again during its resync: the pass stops (copies in flight are ignored when they land). */
  stop(plex: number): void {
    const pass = this.passes[plex];
    if (!pass) return;
    this.sim.cancel(pass.tick);
    this.passes[plex] = null;
  }

  /** The pacing tick of `plex`'s pass: issues the next dirty block's copy, or finishes. */
  fire(plex: number): void {
    const pass = this.passes[plex];
    if (!pass) return;
    const map = this.volume.map;
    let block = map.nextDirty(plex, pass.cursor);
    if (block < 0 && pass.outstanding === 0 && map.dirtyCount[plex]! > 0) block = map.nextDirty(plex, 0);
    if (block >= 0) {
      if (pass.outstanding >= (this.policy.maxOutstanding ?? RESYNC_DEPTH)) {
        pass.full = true;
        return;
      }
      const source = this.volume.readingFrom;
      if (source < 0) return; // nothing in sync to copy from: the pass stalls (the volume is down)
      pass.cursor = block + 1;
      pass.outstanding++;
      pass.copies++;
      this.volume.startCopy(source, plex, block, this.policy.serviceClass);
      pass.tick = this.sim.after(pass.interval_ns, this, plex);
      return;
    }
    if (pass.outstanding === 0) this.finish(plex, pass);
    else pass.draining = true;
  }

  copyRead(req: number): void {
    this.volume.continueCopy(req); // a copy whose target left is dropped there; its pass was stopped
  }

  copyWritten(req: number): void {
    const target = this.volume.copyTarget(req);
    const current = this.volume.copyCurrent(req);
    this.volume.endCopy(req);
    if (current) this.landed(target);
  }

  private landed(plex: number): void {
    const pass = this.passes[plex];
    if (!pass) return;
    pass.outstanding--;
    if (pass.full) {
      pass.full = false;
      this.fire(plex);
    } else if (pass.draining && pass.outstanding === 0) {
      pass.draining = false;
      this.fire(plex);
    }
  }

  private finish(plex: number, pass: Pass): void {
    this.passes[plex] = null;
    this.volume.plexInSync(plex);
    const done: ResyncDone = {
      plex,
      started_ns: pass.started_ns,
      finished_ns: this.sim.now,
      copied_bytes: pass.copies * this.volume.block_bytes,
    };
    this.done.push(done);
    this.onInSync(done);
  }
}
