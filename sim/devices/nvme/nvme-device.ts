/**
 * The `nvme` device kind: an NVMe SSD as a few FIFO resources, after MQSim (FAST'18) in structure and
 * FEMU in bookkeeping, cheap enough for millions of simulated I/Os per wall-clock second.
 *
 *   host queue ─► controller (cores, FIFO) ─┬─ read:  dies (tR) ─► channels ─► PCIe device→host ─► done
 *   (max_commands)                          ├─ write: buffer space ─► PCIe host→device ─► buffer ─► done
 *                                           └─ trim:  PCIe host→device (its 16-byte range) ─► done
 *                                                       write buffer ─► flusher ─► dies (program, GC, erase)
 *
 * Every resource is a next-free time reserved in the order the work reaches it, so each is an exact FIFO
 * queue and the hot path allocates nothing: a 4 KiB read costs three events (controller done, array read
 * done, PCIe transfer done), a write two, plus one per program unit flushed. Requests are ids; per-request
 * state lives in the request pool's rows (`tag`: 1 for a sequential write, a read's core while folded).
 *
 * A controller core and a die finish their work in the order it was reserved, so each keeps a FIFO of
 * (request, done time) and one kernel event for its head. A read spanning several dies has one event,
 * when its last array read ends. While a drive has served only single-page reads, their core and die
 * stages are folded (folded-reads.ts): the same reservations in the same order, made in batches by one
 * wake-up event, so such a read costs its link event and a share of a wake-up; the first write, trim or
 * multi-page read hands what is queued back to the evented stages for good.
 *
 * The PCIe link device→host takes reads in the order their channel transfers end, which is known when
 * the transfer is reserved, ahead of time. So a read joins the link's queue then, in that order
 * (`insertTimed`: ties in the order they joined, as the kernel would have fired them), and the link
 * keeps one event, for its head: the read whose transfer ended first is the next to cross, at
 * max(link free, transfer end). A read joining ahead of the head (its channel was free, the head's was
 * not) becomes the head; the old head's event is then stale (its token is old) and fires as nothing.
 * The link serves the same reads at the same times as when each transfer's end was an event of its own.
 *
 * A trim (NVMe Dataset Management, deallocate) is a controller command only: the core updates the
 * mapping table (`controller.trim_command`, plus the range at `controller.trim_rate`) and the 16-byte
 * range descriptor crosses PCIe; no NAND is programmed. Cleaning follows the drive's history
 * (flash-age.ts: fresh or preconditioned, settling at the steady state of garbage-collection.ts), and
 * a trim counts there as an invalidation, so trims lower later write amplification as on a real drive.
 *
 * Stages are told apart by the event argument: arg = index * 8 + stage, the index being a request id,
 * a core or a die.
 */
import type { RequestPool } from '../../io/requests.js';
import { OP_READ, OP_WRITE } from '../../io/requests.js';
import { EarliestFree } from '../../resources/earliest-free.js';
import { RequestFifo } from '../../resources/request-fifo.js';
import type { DeviceContext, DeviceInstance, DeviceKind } from '../device.js';
import { DEVICE_API_VERSION } from '../device.js';
import type { Distribution } from '../../core/distributions.js';
import { serviceTime } from '../service-time.js';
import { SequentialDetector, lrwWriteAmplification } from './garbage-collection.js';
import { nvmeGuaranteedIops } from './guarantee.js';
import { FoldedReads, type FoldedReadsHost } from './folded-reads.js';
import { NandBackend } from './nand-backend.js';
import { nvmeCapacity, nvmeSchema, resolveNvme, type NvmeConfig } from './params.js';
import { WriteBuffer, type WriteBufferOwner } from './write-buffer.js';

const STAGE_BITS = 3;
const STAGE_MASK = (1 << STAGE_BITS) - 1;
/** A controller core has processed the command at the head of its FIFO (index: the core). */
const STAGE_CORE = 0;
/** A read of several pages has had all its array reads (index: the request). */
const STAGE_ARRAY = 1;
/** The single-page read at the head of a die's FIFO has been read (index: the die). */
const STAGE_DIE = 5;
/** The read at the head of the PCIe device→host queue has crossed (index: the link's token). */
const STAGE_TO_HOST = 2;
/** Tokens of the link's head event wrap here (an event argument holds index * 8 + stage in 32 bits). */
const TOKEN_MASK = (1 << 28) - 1;
/** The folded reads' wake-up (index: its token; folded-reads.ts). */
const STAGE_WAKE = 6;
/** A trim's range descriptor has crossed PCIe to the device (index: the request). */
const STAGE_TRIM_DONE = 3;
/** A write's data is in the buffer. */
const STAGE_WRITE_DONE = 4;
/** Bytes of one Dataset Management range descriptor (NVM Express NVM Command Set, Dataset Management): what a trim moves over PCIe. */
const DSM_RANGE_BYTES = 16;

export class NvmeDevice implements DeviceInstance, FoldedReadsHost, WriteBufferOwner {
  readonly capacity_bytes: number;
  readonly backend: NandBackend;
  readonly buffer: WriteBuffer;
  private readonly requests: RequestPool;
  /** Commands inside the drive (admitted, not completed). */
  private held = 0;
  /** Host I/Os completed since the start. */
  completedIos = 0;
  /** Busy time of the periods that ended, ns (at least one command in the drive), and when the current one began. */
  private busyEnded_ns = 0;
  private busySince_ns = 0;
  private readonly hostQueue = new RequestFifo();
  // Writes waiting for buffer space: the oldest apart, so it can be retried without losing its place.
  private bufferHead = -1;
  private readonly bufferQueue = new RequestFifo();
  private readonly cores: EarliestFree;
  private readonly coreWork: RequestFifo[];
  private readonly dieReads: RequestFifo[];
  private hostToDeviceFree = 0;
  /** When the link device→host finished its last transfer, ns. */
  private deviceToHostFree = 0;
  /** Reads whose channel transfers are reserved, by when those end: the link's queue, head next to cross. */
  private readonly toHostQueue = RequestFifo.timed(16);
  /** The token of the link's live head event; an event with another is stale. */
  private toHostToken = 0;
  private readonly sequential: SequentialDetector;
  private readonly readNsPerByte: number;
  private readonly writeNsPerByte: number;
  private readonly trimNsPerByte: number;
  private readonly pcieNsPerByte: number;
  private readonly pcieNsPerTlp: number;
  /** The size `pcieTime` last gave a time for (-1: none yet), bytes, and that time, ns. */
  private pcieLastBytes = -1;
  private pcieLast_ns = 0;
  /** Per-command spreads of the core time (null: fixed), each on its own seeded stream, and their means, ns. */
  private readonly readSpread: Distribution | null;
  private readonly writeSpread: Distribution | null;
  private readonly readSpreadMean_ns: number;
  private readonly writeSpreadMean_ns: number;
  /** The controller and die stages of single-page reads without their events, until anything else arrives (null then). */
  private folded: FoldedReads | null;

  constructor(
    readonly config: NvmeConfig,
    private readonly context: DeviceContext,
  ) {
    this.capacity_bytes = config.capacity_bytes;
    this.requests = context.requests;
    this.backend = new NandBackend(config);
    this.buffer = new WriteBuffer(config, this.backend, context.sim, this);
    this.cores = new EarliestFree(config.cores);
    this.coreWork = Array.from({ length: config.cores }, () => RequestFifo.timed(64));
    this.dieReads = Array.from({ length: config.dies }, () => RequestFifo.timed(8));
    this.sequential = new SequentialDetector(config.sequentialStreams);
    this.readNsPerByte = 1e9 / config.readDataRate_bytes_per_s;
    this.writeNsPerByte = 1e9 / config.writeDataRate_bytes_per_s;
    this.trimNsPerByte = 1e9 / config.trimRate_bytes_per_s;
    this.pcieNsPerByte = 1e9 / config.pcie_bytes_per_s;
    this.pcieNsPerTlp = config.pcieTlpOverhead_bytes * this.pcieNsPerByte;
    // Streams are made only for spreads a profile gives, so a profile without one draws exactly as before.
    this.readSpread = config.readSpread ? serviceTime(config.readSpread, context.streams.get(`${context.name}/read-spread`)) : null;
    this.writeSpread = config.writeSpread ? serviceTime(config.writeSpread, context.streams.get(`${context.name}/write-spread`)) : null;
    this.readSpreadMean_ns = this.readSpread ? this.readSpread.mean : 0;
    this.writeSpreadMean_ns = this.writeSpread ? this.writeSpread.mean : 0;
    // A write's first use of a channel (its program) comes no sooner than its least core time plus the buffer write.
    const minRead_ns = Math.min(...config.readByPageType_ns);
    const writeToProgram_ns = Math.max(0, config.writeCommand_ns - this.writeSpreadMean_ns) + config.bufferWrite_ns;
    const horizon_ns = Math.min(minRead_ns, writeToProgram_ns);
    this.folded = new FoldedReads(context.sim, this.requests, this.backend, this, minRead_ns, horizon_ns, STAGE_WAKE, STAGE_BITS);
  }

  accept(req: number): void {
    const requests = this.requests;
    if (this.folded !== null && !(requests.op[req] === OP_READ && this.singlePage(req))) this.unfoldReads();
    if (requests.op[req] === OP_WRITE) {
      requests.tag[req] = this.sequential.isSequential(requests.offset_bytes[req]!, requests.size_bytes[req]!) ? 1 : 0;
    }
    if (this.held < this.config.maxCommands) this.admit(req);
    else this.hostQueue.push(req);
  }

  /**
   * Ends read folding now, as a write's arrival would: later reads take the evented stages (one event per
   * core and per die read). The two ways give the same times; for tests that compare them.
   */
  unfoldReads(): void {
    if (this.folded === null) return;
    this.folded.unfold();
    this.folded = null;
  }

  inFlight(): number {
    return this.held + this.hostQueue.length;
  }

  busyTime_ns(now_ns: number): number {
    return this.held > 0 ? this.busyEnded_ns + (now_ns - this.busySince_ns) : this.busyEnded_ns;
  }

  fire(arg: number): void {
    const stage = arg & STAGE_MASK;
    const index = arg >>> STAGE_BITS;
    const requests = this.requests;
    const sim = this.context.sim;
    switch (stage) {
      case STAGE_CORE: {
        const work = this.coreWork[index]!;
        const req = work.shift();
        if (work.length > 0) sim.post(work.headTime(), this, (index << STAGE_BITS) | STAGE_CORE);
        const op = requests.op[req];
        if (op === OP_READ) this.toDies(req);
        else if (op === OP_WRITE) this.toBuffer(req);
        else this.trimDone(req);
        return;
      }
      case STAGE_DIE: {
        const reads = this.dieReads[index]!;
        const req = reads.shift();
        if (reads.length > 0) sim.post(reads.headTime(), this, (index << STAGE_BITS) | STAGE_DIE);
        // A single-page read: its one piece crosses the die's channel.
        this.toHost(req, this.backend.transferPiece(sim.now, index, requests.size_bytes[req]!));
        return;
      }
      case STAGE_ARRAY:
        this.toChannels(index);
        return;
      case STAGE_TO_HOST: {
        if (index !== this.toHostToken) return; // the head changed since this event was posted
        const queue = this.toHostQueue;
        const req = queue.shift();
        this.deviceToHostFree = sim.now;
        if (queue.length > 0) this.postToHostHead();
        this.complete(req);
        return;
      }
      case STAGE_WAKE:
        if (this.folded !== null) this.folded.wake(index);
        return;
      case STAGE_WRITE_DONE:
        this.buffer.landed(requests.size_bytes[index]!, requests.tag[index] === 0);
        this.complete(index);
        return;
      default:
        this.complete(index);
    }
  }

  bufferSpaceFreed(): void {
    while (this.bufferHead >= 0 && this.buffer.tryReserve(this.requests.size_bytes[this.bufferHead]!)) {
      this.transferWrite(this.bufferHead);
      this.bufferHead = this.bufferQueue.shift();
    }
  }

  writesWaiting(): boolean {
    return this.bufferHead >= 0;
  }

  /** Takes a command into the drive: the first free controller core processes it (FIFO over all cores). */
  private admit(req: number): void {
    const now = this.context.sim.now;
    if (this.held++ === 0) this.busySince_ns = now;
    const requests = this.requests;
    const size = requests.size_bytes[req]!;
    const op = requests.op[req];
    let service: number;
    if (op === OP_READ) {
      service = this.config.readCommand_ns + size * this.readNsPerByte;
      if (this.readSpread !== null) service = spreadService(service, this.readSpreadMean_ns, this.readSpread);
    } else if (op === OP_WRITE) {
      service = this.config.writeCommand_ns + size * this.writeNsPerByte;
      if (this.writeSpread !== null) service = spreadService(service, this.writeSpreadMean_ns, this.writeSpread);
    } else {
      service = this.config.trimCommand_ns + size * this.trimNsPerByte;
    }
    const core = this.cores.earliest();
    const free = this.cores.free_ns[core]!;
    const end = (free > now ? free : now) + service;
    this.cores.reserveEarliest(core, end);
    if (this.folded !== null) this.folded.add(req, core, end, free);
    else this.queueCore(req, core, end);
  }

  /** Whether a read lies in one page (one die, one channel transfer). */
  private singlePage(req: number): boolean {
    const offset = this.requests.offset_bytes[req]!;
    return this.backend.pageOf(offset) === this.backend.pageOf(offset + this.requests.size_bytes[req]! - 1);
  }

  queueCore(req: number, core: number, end_ns: number): void {
    const work = this.coreWork[core]!;
    work.pushTimed(req, end_ns);
    if (work.length === 1) this.context.sim.post(end_ns, this, (core << STAGE_BITS) | STAGE_CORE);
  }

  queueDie(req: number, die: number, end_ns: number): void {
    const reads = this.dieReads[die]!;
    reads.pushTimed(req, end_ns);
    if (reads.length === 1) this.context.sim.post(end_ns, this, (die << STAGE_BITS) | STAGE_DIE);
  }

  /** A read leaves the controller for the dies holding its pages. */
  private toDies(req: number): void {
    const requests = this.requests;
    const backend = this.backend;
    const now = this.context.sim.now;
    const offset = requests.offset_bytes[req]!;
    const size = requests.size_bytes[req]!;
    const first = backend.pageOf(offset);
    if (first === backend.pageOf(offset + size - 1)) {
      this.queueDie(req, backend.dieOf(first), backend.reserveDieRead(now, first));
    } else {
      this.context.sim.post(backend.reserveRead(now, offset, size), this, (req << STAGE_BITS) | STAGE_ARRAY);
    }
  }

  /** A read's pages have been read: move its data over the channels to the controller. */
  private toChannels(req: number): void {
    this.toHost(req, this.backend.transferRead(this.context.sim.now, this.requests.offset_bytes[req]!, this.requests.size_bytes[req]!));
  }

  /** A read's data will be in the controller at `channelsDone_ns`: it joins the link's queue in that order. */
  toHost(req: number, channelsDone_ns: number): void {
    if (this.toHostQueue.insertTimed(req, channelsDone_ns) === 0) this.postToHostHead();
  }

  /** The link's head crosses from when both it and the link are ready: its (new) event, under a new token. */
  private postToHostHead(): void {
    const queue = this.toHostQueue;
    const ready = queue.headTime();
    const start = this.deviceToHostFree > ready ? this.deviceToHostFree : ready;
    const end = start + this.pcieTime(this.requests.size_bytes[queue.peek()]!);
    this.toHostToken = (this.toHostToken + 1) & TOKEN_MASK;
    this.context.sim.post(end, this, (this.toHostToken << STAGE_BITS) | STAGE_TO_HOST);
  }

  private toBuffer(req: number): void {
    if (this.bufferHead < 0 && this.buffer.tryReserve(this.requests.size_bytes[req]!)) this.transferWrite(req);
    else if (this.bufferHead < 0) this.bufferHead = req;
    else this.bufferQueue.push(req);
  }

  /** A trim's mapping update is done; its range descriptor crosses PCIe host→device, then it completes. */
  private trimDone(req: number): void {
    this.buffer.trimmed(this.requests.size_bytes[req]!);
    const now = this.context.sim.now;
    const start = this.hostToDeviceFree > now ? this.hostToDeviceFree : now;
    const end = start + this.pcieTime(DSM_RANGE_BYTES);
    this.hostToDeviceFree = end;
    this.context.sim.post(end, this, (req << STAGE_BITS) | STAGE_TRIM_DONE);
  }

  /** Moves a write's data host→device over PCIe into its reserved buffer space. */
  private transferWrite(req: number): void {
    const now = this.context.sim.now;
    const start = this.hostToDeviceFree > now ? this.hostToDeviceFree : now;
    const end = start + this.pcieTime(this.requests.size_bytes[req]!);
    this.hostToDeviceFree = end;
    this.context.sim.post(end + this.config.bufferWrite_ns, this, (req << STAGE_BITS) | STAGE_WRITE_DONE);
  }

  /**
   * Upper bound on I/Os per second: the controller cores (command time plus data at the core's rate)
   * and the PCIe direction the data crosses, whichever is slower; the media can only lower it.
   */
  peakIops(op: 'read' | 'write', bytes: number): number {
    const c = this.config;
    const core_ns = op === 'read' ? c.readCommand_ns + bytes * this.readNsPerByte : c.writeCommand_ns + bytes * this.writeNsPerByte;
    const link_ns = this.pcieTime(bytes);
    return Math.min(core_ns > 0 ? (c.cores * 1e9) / core_ns : Infinity, link_ns > 0 ? 1e9 / link_ns : Infinity);
  }

  /**
   * An I/O alone on the drive: core time, then the array read and the link (read), or the link and the
   * buffer (write). With a spread this is the mean core time (the spread keeps it), not the least.
   */
  minLatency_ns(op: 'read' | 'write', bytes: number): number {
    const c = this.config;
    if (op === 'write') return c.writeCommand_ns + bytes * this.writeNsPerByte + this.pcieTime(bytes) + c.bufferWrite_ns;
    return c.readCommand_ns + bytes * this.readNsPerByte + Math.min(...c.readByPageType_ns) + this.pcieTime(bytes);
  }

  /** Time for `bytes` of data on one direction of the link: payload plus each TLP's overhead. */
  private pcieTime(bytes: number): number {
    // I/Os of one size follow each other: the last size's time is kept (a division and a ceil less per I/O).
    if (bytes !== this.pcieLastBytes) {
      this.pcieLastBytes = bytes;
      this.pcieLast_ns = bytes * this.pcieNsPerByte + Math.ceil(bytes / this.config.pcieMaxPayload_bytes) * this.pcieNsPerTlp;
    }
    return this.pcieLast_ns;
  }

  private complete(req: number): void {
    this.held--;
    this.completedIos++;
    // A busy period ends here (a queued command admitted next starts another at the same instant).
    if (this.held === 0) this.busyEnded_ns += this.context.sim.now - this.busySince_ns;
    if (this.hostQueue.length > 0) this.admit(this.hostQueue.shift());
    this.requests.forward(req);
  }
}

/** A core time with a spread: the spread's mean taken out of the fixed time (not below 0), one draw added, ns. */
function spreadService(fixed_ns: number, spreadMean_ns: number, spread: Distribution): number {
  const rest = fixed_ns - spreadMean_ns;
  return (rest > 0 ? rest : 0) + spread.sample();
}

export const nvmeDevice: DeviceKind<typeof nvmeSchema> = {
  name: 'nvme',
  version: DEVICE_API_VERSION,
  description:
    "NVMe SSD: host queue, controller cores, PCIe per direction, DRAM write buffer, NAND or 3D XPoint dies on channels, garbage collection from the drive's state (fresh or preconditioned)",
  capabilities: { writeCache: true, garbageCollection: true, trim: true, addressAware: true },
  schema: nvmeSchema,
  create(params, context) {
    return new NvmeDevice(resolveNvme(params, lrwWriteAmplification), context);
  },
  capacityOf(params) {
    return nvmeCapacity(params);
  },
  guaranteedIops(params, load) {
    return nvmeGuaranteedIops(resolveNvme(params, lrwWriteAmplification), load);
  },
};
