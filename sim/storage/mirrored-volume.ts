/**
 * A mirrored volume as one station: fan-out and join over its plexes' legs. A write goes to every
 * writable plex (in sync or resyncing), one child per plex along that plex's leg (local: the device;
 * remote: NVMe over Ethernet delays around the other node's device), and completes when every child is
 * back: never sooner than its slowest plex. A read goes to one plex: the first local plex in sync, else
 * the first in sync in the order the builder gave (nearest first). A plex that is offline gets no child:
 * its blocks become dirty at once and the write goes on, degraded, on the others (a child that was in
 * flight when its plex left counts as missed too). A write with no plex to go to fails with
 * STATUS_ERROR and is not acknowledged. The legs are routes the builder gives, so the same station
 * serves a DIY primary-copy replication whose legs go through a primary.
 *
 * After a snapshot the first write to a block copies it first, on every plex it goes to: a read then a
 * write of the owed blocks on that plex's leg, then the data write. This is the copy-out of Linux's
 * dm-snapshot (LVM's classic snapshots): "for each write, the original data will be saved in the <COW
 * device> of each snapshot", in chunks of the snapshot's chunk size (here block_bytes), once per chunk
 * (docs.kernel.org/admin-guide/device-mapper/snapshot.html). The copy lands on the plex's own device
 * (its snapshot area); a redirect-on-write design would pay no copy and is not modelled.
 * Per-request state lives in typed arrays indexed by request id; nothing is allocated per I/O.
 */
import type { EventHandler, Simulator } from '../core/kernel.js';
import type { DeviceInstance } from '../devices/device.js';
import { OP_READ, OP_WRITE, STATUS_ERROR, type RequestPool, type Station } from '../io/requests.js';
import { BlockMap, type LostBlock } from './block-map.js';
import {
  KIND_COPY_READ,
  KIND_COPY_WRITE,
  KIND_DETOUR,
  KIND_NONE,
  KIND_READ,
  KIND_RESYNC_READ,
  KIND_RESYNC_WRITE,
  KIND_TRIM,
  KIND_WRITE,
  MirrorColumns,
  sharedMirrorColumns,
  type PlexLeg,
  type PlexState,
  type ResyncSink,
} from './mirror-columns.js';

export type { PlexLeg, PlexState, ResyncSink } from './mirror-columns.js';

export class MirroredVolume implements DeviceInstance, EventHandler {
  readonly map: BlockMap;
  /** Per plex, the flow of its leg. */
  readonly legFlow: number[] = [];
  /** Per plex, the flow of its resync copies (its leg's flow unless the leg gives copy stations). */
  readonly copyFlow: number[] = [];
  /** Per plex, its state. */
  readonly state: PlexState[] = [];
  /** Reads served by a plex that lacked an acknowledged version of a block (should stay 0). */
  staleReads = 0;
  /** Writes and reads that failed for want of a plex. */
  failedIos = 0;
  private readonly epoch: number[] = [];
  private readonly local: boolean[] = [];
  private readonly offset: number[] = [];
  private readPlex = 0;
  private held = 0;
  private resyncSink: ResyncSink | null = null;
  /** Where every leg ends: children and copies come back to the volume here. */
  private readonly legSink: Station = { accept: (req) => this.legDone(req) };
  /**
   * Per request id (see mirror-columns.ts): shared with the pool's other volumes, unless a leg leads through
   * another volume (that one then holds the same ids as this one's children, so this one keeps its own).
   */
  private readonly cols: MirrorColumns;

  /**
   * @param capacity_bytes the volume's size, bytes
   * @param block_bytes unit of versions, dirty bits, copy-on-write and resync, bytes
   */
  constructor(
    readonly name: string,
    readonly sim: Simulator,
    private readonly requests: RequestPool,
    readonly capacity_bytes: number,
    readonly block_bytes: number,
    legs: readonly PlexLeg[],
  ) {
    if (legs.length < 1) throw new RangeError(`volume "${name}": give at least one plex`);
    if (!(Number.isInteger(block_bytes) && block_bytes >= 512))
      throw new RangeError(`volume "${name}": block_bytes must be a whole number of bytes ≥ 512, not ${block_bytes}`);
    this.map = new BlockMap(Math.ceil(capacity_bytes / block_bytes), block_bytes, legs.length);
    for (const leg of legs) {
      this.legFlow.push(-1);
      this.copyFlow.push(-1);
      this.state.push('in-sync');
      this.epoch.push(0);
      this.local.push(leg.local);
      this.offset.push(leg.offset_bytes);
    }
    const nests = legs.some((leg) => [...leg.via, leg.device, ...leg.back].some((s) => s instanceof MirroredVolume));
    this.cols = nests ? new MirrorColumns(requests) : sharedMirrorColumns(requests);
    this.routeLegs(legs);
  }

  /** The plexes' count. */
  get plexes(): number {
    return this.state.length;
  }

  /** The plex reads go to now, -1 when none is in sync. */
  get readingFrom(): number {
    return this.readPlex;
  }

  accept(req: number): void {
    this.fit(req + 1);
    this.held++;
    const requests = this.requests;
    const op = requests.op[req]!;
    const offset = requests.offset_bytes[req]!;
    const size = requests.size_bytes[req]!;
    const first = this.map.firstBlock(offset);
    const last = this.map.lastBlock(offset, size);
    this.cols.firstBlock[req] = first;
    this.cols.lastBlock[req] = last;
    this.cols.count[req] = 0;
    if (op === OP_READ) {
      this.cols.kind[req] = KIND_READ;
      if (this.readPlex < 0) return this.fail(req);
      this.detour(req, this.readPlex, KIND_READ);
      return;
    }
    this.cols.kind[req] = op === OP_WRITE ? KIND_WRITE : KIND_TRIM;
    if (this.writable === 0) {
      if (op === OP_WRITE) for (let p = 0; p < this.state.length; p++) this.map.markDirty(p, first, last);
      return this.fail(req);
    }
    const owed = op === OP_WRITE ? this.map.takeCopiesOnWrite(first, last) : 0;
    if (op === OP_WRITE) this.cols.version[req] = this.map.nextVersion();
    const alone = owed === 0 && this.writable === 1;
    for (let p = 0; p < this.state.length; p++) {
      if (this.state[p] === 'offline') {
        if (op === OP_WRITE) this.map.markDirty(p, first, last);
      } else if (alone) {
        this.detour(req, p, this.cols.kind[req]!);
      } else if (owed > 0) {
        this.send(req, p, KIND_COPY_READ, first * this.block_bytes, owed * this.block_bytes);
      } else {
        this.send(req, p, this.cols.kind[req]!, offset, size);
      }
    }
  }

  /**
   * The volume is used from another node now (its pod moved): each plex's leg is rebuilt as seen from
   * there (a plex on the new node local, the others remote), in the same plex order and on the same
   * extents. The old legs' flows are retired: what is in flight on them comes back as before.
   */
  relocate(legs: readonly PlexLeg[]): void {
    if (legs.length !== this.state.length || legs.some((leg, p) => leg.offset_bytes !== this.offset[p]))
      throw new RangeError(`volume "${this.name}": relocate it with its ${this.state.length} plexes' legs, in order, at their extents`);
    for (let p = 0; p < legs.length; p++) {
      this.requests.retireRoute(this.legFlow[p]!);
      if (this.copyFlow[p] !== this.legFlow[p]) this.requests.retireRoute(this.copyFlow[p]!);
      this.local[p] = legs[p]!.local;
    }
    this.routeLegs(legs);
  }

  /** Routes each plex's leg (and its copies' leg), then picks the plex reads go to. */
  private routeLegs(legs: readonly PlexLeg[]): void {
    const requests = this.requests;
    legs.forEach((leg, p) => {
      const flow = requests.addRoute([this, ...leg.via, leg.device, ...leg.back, this.legSink]);
      this.legFlow[p] = flow;
      this.copyFlow[p] =
        leg.copyVia || leg.copyBack
          ? requests.addRoute([this, ...(leg.copyVia ?? leg.via), leg.device, ...(leg.copyBack ?? leg.back), this.legSink])
          : flow;
    });
    this.chooseReadPlex();
  }

  /** Plexes that take writes (in sync or resyncing). */
  private get writable(): number {
    let n = 0;
    for (let p = 0; p < this.state.length; p++) if (this.state[p] !== 'offline') n++;
    return n;
  }

  /** A parent that failed for want of a plex completes (through the kernel, never inside `accept`). */
  fire(req: number): void {
    this.finish(req);
  }

  inFlight(): number {
    return this.held;
  }

  /** Connects the resync flows (resync.ts) to the legs' completions. */
  attachResync(sink: ResyncSink): void {
    this.resyncSink = sink;
  }

  /** The plex leaves (its node or drive failed): it gets no more writes; writes in flight to it count as missed. */
  plexOffline(plex: number): void {
    this.checkPlex(plex);
    this.state[plex] = 'offline';
    this.epoch[plex]!++;
    this.chooseReadPlex();
  }

  /** The plex is back and writable, not yet readable: resync copies its dirty blocks. With `lostData` (a replaced drive) every written block is dirty. */
  plexReturning(plex: number, lostData = false): void {
    this.checkPlex(plex);
    if (this.state[plex] !== 'offline')
      throw new RangeError(`volume "${this.name}": plex ${plex} is ${this.state[plex]}, not offline; only an offline plex returns`);
    if (lostData) this.map.loseEverything(plex);
    this.state[plex] = 'resyncing';
  }

  /**
   * The plex that was the volume's last current copy is back (its node returned): no write was
   * acknowledged while it was away (none had a plex to go to), so it is in sync at once; the blocks the
   * failed writes marked are clean again, as nothing of theirs was acknowledged.
   */
  plexBackCurrent(plex: number): void {
    this.checkPlex(plex);
    if (this.state[plex] !== 'offline' || this.writable > 0)
      throw new RangeError(
        `volume "${this.name}": plex ${plex} is ${this.state[plex]} with ${this.writable} writable plexes; only the last copy of a volume that took no writes comes back current`,
      );
    this.map.cleanAll(plex);
    this.state[plex] = 'in-sync';
    this.chooseReadPlex();
  }

  /** Resync brought the plex up to date: it serves reads again. */
  plexInSync(plex: number): void {
    this.checkPlex(plex);
    this.state[plex] = 'in-sync';
    this.chooseReadPlex();
  }

  /** Takes a snapshot of the volume: the next write to each block pays a copy first. */
  snapshot(): void {
    this.map.snapshot();
  }

  /** The acknowledged blocks no in-sync plex can give back; empty when no acknowledged write is lost. */
  verifyAcknowledged(limit = 100): LostBlock[] {
    return this.map.lostBlocks(
      this.state.map((s) => s === 'in-sync'),
      limit,
    );
  }

  /** Throws, naming the first blocks, when an acknowledged write is not readable from any in-sync plex. */
  assertNoLostWrites(): void {
    const lost = this.verifyAcknowledged(5);
    if (lost.length === 0 && this.staleReads === 0) return;
    const list = lost.map((l) => `block ${l.block} (acknowledged version ${l.acknowledged}, best in sync ${l.bestInSync})`).join(', ');
    throw new Error(`volume "${this.name}": acknowledged writes lost: ${list || 'none'}; stale reads served: ${this.staleReads}`);
  }

  /** Starts a resync copy of `block` to `target`: first the read from `source` (for resync.ts). */
  startCopy(source: number, target: number, block: number, serviceClass: number): void {
    const req = this.requests.alloc(
      this.copyFlow[source]!,
      OP_READ,
      this.offset[source]! + block * this.block_bytes,
      this.block_bytes,
      this.sim.now,
    );
    this.fit(req + 1);
    this.cols.kind[req] = KIND_RESYNC_READ;
    this.cols.legPlex[req] = source;
    this.cols.legEpoch[req] = this.epoch[target]!;
    this.cols.copyTo[req] = target;
    this.cols.count[req] = block;
    this.requests.serviceClass[req] = serviceClass;
    this.requests.forward(req);
  }

  /** The plex a resync copy goes to. */
  copyTarget(req: number): number {
    return this.cols.copyTo[req]!;
  }

  /** Whether a resync copy belongs to its target's current return (not to a pass the target's leaving ended). */
  copyCurrent(req: number): boolean {
    return this.cols.legEpoch[req] === this.epoch[this.cols.copyTo[req]!];
  }

  /** Turns a copy read back from its source into the write to its target (for resync.ts); false (and released) when the target left meanwhile. */
  continueCopy(req: number): boolean {
    const target = this.cols.copyTo[req]!;
    const block = this.cols.count[req]!;
    const version = this.map.heldVersion(this.cols.legPlex[req]!, block);
    const serviceClass = this.requests.serviceClass[req]!;
    const current = this.copyCurrent(req);
    this.cols.kind[req] = KIND_NONE;
    this.requests.release(req);
    if (!current) return false;
    const write = this.requests.alloc(
      this.copyFlow[target]!,
      OP_WRITE,
      this.offset[target]! + block * this.block_bytes,
      this.block_bytes,
      this.sim.now,
    );
    this.fit(write + 1);
    this.cols.kind[write] = KIND_RESYNC_WRITE;
    this.cols.legPlex[write] = target;
    this.cols.legEpoch[write] = this.epoch[target]!;
    this.cols.copyTo[write] = target;
    this.cols.count[write] = block;
    this.cols.version[write] = version;
    this.requests.serviceClass[write] = serviceClass;
    this.requests.forward(write);
    return true;
  }

  /** Ends a copy written to its target (for resync.ts): the block is clean there unless the target left meanwhile. */
  endCopy(req: number): void {
    if (this.copyCurrent(req)) {
      const plex = this.cols.copyTo[req]!;
      const block = this.cols.count[req]!;
      this.map.store(plex, block, block, this.cols.version[req]!);
      this.map.clean(plex, block);
    }
    this.cols.kind[req] = KIND_NONE;
    this.requests.release(req);
  }

  /** A child (or a resync copy) came back along its leg. */
  private legDone(req: number): void {
    const requests = this.requests;
    const kind = this.cols.kind[req]!;
    if (kind >= KIND_DETOUR) return this.detourDone(req, kind - KIND_DETOUR);
    if (kind === KIND_RESYNC_READ) return this.resyncSink!.copyRead(req);
    if (kind === KIND_RESYNC_WRITE) return this.resyncSink!.copyWritten(req);
    const parent = requests.parent[req]!;
    const plex = this.cols.legPlex[req]!;
    const current = this.cols.legEpoch[req] === this.epoch[plex];
    const first = this.cols.firstBlock[parent]!;
    const last = this.cols.lastBlock[parent]!;
    if ((kind === KIND_COPY_READ || kind === KIND_COPY_WRITE) && !current) {
      this.map.markDirty(plex, first, last); // the plex left between the copy and the write: it missed the write
    } else if (kind === KIND_COPY_READ) {
      this.send(parent, plex, KIND_COPY_WRITE, requests.offset_bytes[req]! - this.offset[plex]!, requests.size_bytes[req]!);
    } else if (kind === KIND_COPY_WRITE) {
      this.send(parent, plex, KIND_WRITE, requests.offset_bytes[parent]!, requests.size_bytes[parent]!);
    } else if (kind === KIND_READ && !current) {
      // Its plex left while the read was out: the read goes again to the plex reads go to now, if any.
      if (this.readPlex >= 0) this.send(parent, this.readPlex, KIND_READ, requests.offset_bytes[parent]!, requests.size_bytes[parent]!);
    } else this.landed(parent, plex, kind, current, first, last);
    this.cols.kind[req] = KIND_NONE;
    if (requests.childDone(req) === 0) this.finish(parent);
  }

  /**
   * Sends request `req` itself along plex `plex`'s leg (a child's way, the same stations and times): its
   * place on its own route and its offset are kept to be given back in `detourDone`.
   */
  private detour(req: number, plex: number, kind: number): void {
    const requests = this.requests;
    this.cols.kind[req] = kind + KIND_DETOUR;
    this.cols.legPlex[req] = plex;
    this.cols.legEpoch[req] = this.epoch[plex]!;
    this.cols.routePos[req] = requests.detour(req, this.legFlow[plex]!);
    requests.offset_bytes[req] = this.offset[plex]! + requests.offset_bytes[req]!;
    requests.forward(req);
  }

  /** A detoured request is back: what `legDone` does for its one child, then its end. */
  private detourDone(req: number, kind: number): void {
    const requests = this.requests;
    const plex = this.cols.legPlex[req]!;
    const current = this.cols.legEpoch[req] === this.epoch[plex];
    const first = this.cols.firstBlock[req]!;
    const last = this.cols.lastBlock[req]!;
    requests.offset_bytes[req] = requests.offset_bytes[req]! - this.offset[plex]!;
    requests.resume(req, this.cols.routePos[req]!);
    this.cols.kind[req] = kind;
    if (kind === KIND_READ && !current) {
      // Its plex left while the read was out: the read goes again to the plex reads go to now, if any.
      if (this.readPlex >= 0) return this.detour(req, this.readPlex, KIND_READ);
    } else this.landed(req, plex, kind, current, first, last);
    this.finish(req);
  }

  /**
   * A write, read (not one to send again) or trim of `owner` (the parent, or a detoured request itself)
   * came back from plex `plex`: the map learns what the plex now holds, and a leg that did its part counts.
   */
  private landed(owner: number, plex: number, kind: number, current: boolean, first: number, last: number): void {
    if (kind === KIND_WRITE) {
      if (current) {
        this.map.store(plex, first, last, this.cols.version[owner]!);
        this.cols.count[owner]!++;
      } else this.map.markDirty(plex, first, last);
    } else {
      if (kind === KIND_READ && !this.map.holdsAcknowledged(plex, first, last)) this.staleReads++;
      this.cols.count[owner]!++;
    }
  }

  /** Sends a child of `parent` along plex `plex`'s leg, at `offset` in the volume. */
  private send(parent: number, plex: number, kind: number, offset_bytes: number, size_bytes: number): void {
    const requests = this.requests;
    const child = requests.allocChild(parent, this.legFlow[plex]!, this.offset[plex]! + offset_bytes, size_bytes, this.sim.now);
    this.fit(child + 1);
    if (kind === KIND_COPY_READ) requests.op[child] = OP_READ;
    this.cols.kind[child] = kind;
    this.cols.legPlex[child] = plex;
    this.cols.legEpoch[child] = this.epoch[plex]!;
    requests.forward(child);
  }

  private finish(parent: number): void {
    const requests = this.requests;
    if (this.cols.count[parent] === 0) requests.status[parent] = STATUS_ERROR;
    if (this.cols.kind[parent] === KIND_WRITE && requests.status[parent] !== STATUS_ERROR)
      this.map.acknowledge(this.cols.firstBlock[parent]!, this.cols.lastBlock[parent]!, this.cols.version[parent]!);
    if (requests.status[parent] === STATUS_ERROR) this.failedIos++;
    this.cols.kind[parent] = KIND_NONE;
    this.held--;
    requests.forward(parent);
  }

  private fail(req: number): void {
    this.requests.status[req] = STATUS_ERROR;
    this.sim.postAfter(0, this, req);
  }

  private chooseReadPlex(): void {
    this.readPlex = -1;
    for (let p = 0; p < this.state.length; p++) {
      if (this.state[p] !== 'in-sync') continue;
      if (this.local[p]) {
        this.readPlex = p;
        return;
      }
      if (this.readPlex < 0) this.readPlex = p;
    }
  }

  private checkPlex(plex: number): void {
    if (!(Number.isInteger(plex) && plex >= 0 && plex < this.state.length))
      throw new RangeError(`volume "${this.name}" has plexes 0 to ${this.state.length - 1}, not ${plex}`);
  }

  /** Grows the per-request arrays with the pool. */
  private fit(ids: number): void {
    if (ids > this.cols.kind.length) this.cols.fit(ids);
  }
}
