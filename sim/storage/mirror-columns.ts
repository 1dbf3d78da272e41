/**
 * A mirrored volume's state per request id (what a parent or a child is to the volume, its plex, epoch,
 * version, block range), in typed arrays as long as the request pool. One set serves every volume on a
 * pool (`sharedMirrorColumns`): a request is held by one volume at a time, so the volumes need not each
 * keep a row for every id. A pool whose jobs hold millions of arrivals (a stack that cannot keep up with
 * an open-loop rate) grows to millions of ids; 50 volumes with a copy each took gigabytes. The volume's
 * leg and plex types and the codes of what a request is to it live here too (mirrored-volume.ts re-exports the types).
 */
import { grown } from '../core/slots.js';
import type { RequestPool, Station } from '../io/requests.js';

/** A plex's state, as the control plane names it. */
export type PlexState = 'in-sync' | 'offline' | 'resyncing';

/** What a plex's leg is made of; the builder turns it into a route. */
export interface PlexLeg {
  /** Stations from the volume to the device (a remote plex's outbound delay, links, a QoS scheduler). */
  readonly via: readonly Station[];
  readonly device: Station;
  /** Stations after the device back to the volume (a remote plex's inbound delay, links). */
  readonly back: readonly Station[];
  /** The plex's start on its device, bytes (its extent). */
  readonly offset_bytes: number;
  /** On the node the volume is read from: reads prefer it. */
  readonly local: boolean;
  /** Stations resync copies take instead of `via` and `back` (their own QoS client, so they do not queue in the volume's); default the same. */
  readonly copyVia?: readonly Station[];
  readonly copyBack?: readonly Station[];
}

// What a request is to the volume (kept per request id while the volume holds it or one of its children).
export const KIND_NONE = 0;
export const KIND_READ = 1;
export const KIND_COPY_READ = 2;
export const KIND_COPY_WRITE = 3;
export const KIND_WRITE = 4;
export const KIND_TRIM = 5;
export const KIND_RESYNC_READ = 6;
export const KIND_RESYNC_WRITE = 7;
/**
 * Added to a read's, write's or trim's kind while the request itself goes down the one leg it needs
 * (`detour`): a read (one plex serves it), or a write with one writable plex and no copy owed. It then
 * needs no child: no allocation, no join.
 */
export const KIND_DETOUR = 16;

/** Receives the resync copies when they come back along a leg (see resync.ts). */
export interface ResyncSink {
  copyRead(req: number): void;
  copyWritten(req: number): void;
}

export class MirrorColumns {
  kind = new Uint8Array(0);
  legPlex = new Int32Array(0);
  legEpoch = new Int32Array(0);
  /** A write's version; a resync copy's version read from its source. */
  version = new Uint32Array(0);
  /** Per parent: legs that acknowledged; per resync copy: its block. */
  count = new Int32Array(0);
  /** Per resync copy: the plex it is copied to. */
  copyTo = new Int32Array(0);
  /** Per parent: the first and last block it touches, computed once when it arrives (its legs and its end read them). */
  firstBlock = new Int32Array(0);
  lastBlock = new Int32Array(0);
  /** Per request on a detour (`MirroredVolume.detour`): its place on its own route, to go on from when it is back. */
  routePos = new Int32Array(0);

  constructor(private readonly requests: RequestPool) {
    this.fit(requests.op.length);
  }

  /** Grows the arrays to hold ids below `ids` (at least as long as the pool: a doubling per growth of the pool). */
  fit(ids: number): void {
    if (ids <= this.kind.length) return;
    const size = Math.max(ids, this.requests.op.length);
    this.kind = grown(this.kind, size);
    this.legPlex = grown(this.legPlex, size);
    this.legEpoch = grown(this.legEpoch, size);
    this.version = grown(this.version, size);
    this.count = grown(this.count, size);
    this.copyTo = grown(this.copyTo, size);
    this.firstBlock = grown(this.firstBlock, size);
    this.lastBlock = grown(this.lastBlock, size);
    this.routePos = grown(this.routePos, size);
  }
}

const shared = new WeakMap<RequestPool, MirrorColumns>();

/** The columns every (non-nesting) volume on `requests` shares. */
export function sharedMirrorColumns(requests: RequestPool): MirrorColumns {
  let columns = shared.get(requests);
  if (columns === undefined) {
    columns = new MirrorColumns(requests);
    shared.set(requests, columns);
  }
  return columns;
}
