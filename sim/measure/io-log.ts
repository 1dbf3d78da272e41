/**
 * A per-I/O completion log for fio's unaveraged latency logs (write_lat_log with log_avg_msec=0): time,
 * direction, submission and completion latency and size of each I/O, up to a cap. Entries go into
 * Float64Array chunks made once per CHUNK I/Os, never one object per I/O.
 */

/** I/Os per chunk. */
const CHUNK = 65_536;
/** Numbers per entry: time (ns since the window's start), direction, slat (ns), clat (ns), bytes. */
const FIELDS = 5;

/** Most I/Os the per-I/O logs of one run keep, every job together (about 40 MB); later I/Os are counted in `dropped`. */
export const MAX_IO_LOG_ENTRIES = 1_000_000;

/** Entries left to the per-I/O logs of one run, shared by its jobs' logs. */
export interface IoLogBudget {
  left: number;
}

/** One logged I/O. */
export interface IoLogEntry {
  /** Completion time, ns since the start of the job's measurement window. */
  time_ns: number;
  /** 0 read, 1 write. */
  direction: number;
  slat_ns: number;
  clat_ns: number;
  bytes: number;
}

/** The read side of the log, as results carry it. */
export interface IoLogView {
  /** Entries kept. */
  readonly count: number;
  /** I/Os after the cap, not kept. */
  readonly dropped: number;
  /** Fills `out` with entry `i` (0 <= i < count) and returns it. */
  entry(i: number, out: IoLogEntry): IoLogEntry;
}

export class IoLog implements IoLogView {
  private readonly chunks: Float64Array[] = [];
  count = 0;
  dropped = 0;

  /** @param budget the run's entries left, shared with its other logs (a fresh MAX_IO_LOG_ENTRIES by default) */
  constructor(private readonly budget: IoLogBudget = { left: MAX_IO_LOG_ENTRIES }) {}

  push(time_ns: number, direction: number, slat_ns: number, clat_ns: number, bytes: number): void {
    if (this.budget.left <= 0) {
      this.dropped++;
      return;
    }
    this.budget.left--;
    const at = this.count % CHUNK;
    if (at === 0) this.chunks.push(new Float64Array(CHUNK * FIELDS));
    const chunk = this.chunks[this.chunks.length - 1]!;
    const base = at * FIELDS;
    chunk[base] = time_ns;
    chunk[base + 1] = direction;
    chunk[base + 2] = slat_ns;
    chunk[base + 3] = clat_ns;
    chunk[base + 4] = bytes;
    this.count++;
  }

  entry(i: number, out: IoLogEntry): IoLogEntry {
    const chunk = this.chunks[Math.floor(i / CHUNK)]!;
    const base = (i % CHUNK) * FIELDS;
    out.time_ns = chunk[base]!;
    out.direction = chunk[base + 1]!;
    out.slat_ns = chunk[base + 2]!;
    out.clat_ns = chunk[base + 3]!;
    out.bytes = chunk[base + 4]!;
    return out;
  }
}
