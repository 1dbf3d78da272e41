/**
 * The filter and prioritize answers to kube-scheduler written as JSON bytes straight from the pod's
 * assessment: no per-call arrays of 5,000 result objects for the schema's serializer to walk, and no text
 * to encode on the way out. What depends on a node's name alone (`"NAME"`, `{"Host":"NAME","Score":`) is
 * encoded once per scheduling view's node table (its names are fixed) and copied for every pod assessed
 * on it; candidates that fit and follow each other in the table are copied as one run. The bytes hold
 * what the routes' response schemas would serialise, in their property order (extender-cached-view.test.ts
 * compares the answers with a fresh assessment's on random clusters).
 */
import type { NodeTable } from '../../scheduler/node-table.js';
import { MAX_EXTENDER_PRIORITY } from './k8s-types.js';
import { unknownNodeReason, type PodAssessment } from './assess.js';

const COMMA = 0x2c;

/** A name table's fixed texts, as one buffer each with every node's start in it. */
interface Encoded {
  /** `"NAME0","NAME1",...` in table order. */
  readonly quoted: Buffer;
  /** Per table index, where its quoted name starts in `quoted`; at [count], `quoted`'s length + 1 (one comma on). */
  readonly quotedAt: Int32Array;
  /** `{"Host":"NAME0","Score":{"Host":"NAME1","Score":...` in table order. */
  readonly hosts: Buffer;
  /** Per table index, where its Host prefix starts in `hosts`; at [count], `hosts`' length. */
  readonly hostsAt: Int32Array;
}

interface TableMemory {
  encoded?: Encoded;
  /** The last candidate list and each name's table index (-1: not an Anvil node). */
  last?: { readonly names: readonly string[]; readonly indices: Int32Array };
  /** Per score 0..MAX_EXTENDER_PRIORITY, every node's HostPriority with it (entriesOf). */
  entries?: (Buffer | undefined)[];
}

/**
 * Buffers for the answers, used again once sent. An answer is 60-150 KB at 5,000 nodes: a fresh one per
 * call is memory outside V8's heap (and, past glibc's mmap threshold, fresh pages to fault in), and its
 * pressure forced a young-generation collection every ~75 pods. The route gives a buffer back when the
 * answer has been handed to the kernel (the response's `finish`); one never given back is left to the
 * collector.
 */
export class AnswerBuffers {
  private readonly free: ArrayBuffer[] = [];
  /** The backing stores this pool made (a buffer given back is taken only if it is one of them). */
  private readonly ours = new WeakSet<ArrayBuffer>();

  /**
   * `keep`: how many free buffers are kept (more answers in flight at once than that allocate); `largest`:
   * bytes, the largest buffer kept (larger answers are allocated and left to the collector).
   */
  constructor(
    private readonly keep = 4,
    private readonly largest = 8 * 1024 * 1024,
  ) {}

  /** A buffer of exactly `bytes` bytes (contents undefined) over a kept backing store when one is large enough. */
  take(bytes: number): Buffer {
    for (let k = this.free.length - 1; k >= 0; k--) {
      const store = this.free[k]!;
      if (store.byteLength < bytes) continue;
      this.free[k] = this.free[this.free.length - 1]!;
      this.free.pop();
      return Buffer.from(store, 0, bytes);
    }
    if (bytes > this.largest) return Buffer.allocUnsafeSlow(bytes);
    // A quarter more than asked, so a slightly longer answer next time fits too.
    const store = new ArrayBuffer(Math.min(this.largest, Math.ceil(bytes * 1.25)));
    this.ours.add(store);
    return Buffer.from(store, 0, bytes);
  }

  /** Gives back a buffer `take` returned (or a part of it), whose bytes no one reads any more. */
  give(buffer: Buffer): void {
    const store = buffer.buffer;
    if (!(store instanceof ArrayBuffer) || !this.ours.has(store) || this.free.includes(store)) return;
    if (this.free.length < this.keep) this.free.push(store);
  }
}

/** The filter's byte ranges to copy, reused call after call (filled and read within one call). */
let runScratch = new Int32Array(0);

/** Per node table (one per view): its encoded names and the last candidate list's indices. */
const memories = new WeakMap<NodeTable, TableMemory>();

function memoryOf(table: NodeTable): TableMemory {
  let memory = memories.get(table);
  if (memory === undefined) memories.set(table, (memory = {}));
  return memory;
}

function encodedOf(table: NodeTable, memory: TableMemory): Encoded {
  if (memory.encoded !== undefined) return memory.encoded;
  const quoted = table.names.map((n) => JSON.stringify(n));
  const hosts = quoted.map((q) => `{"Host":${q},"Score":`);
  const offsets = (parts: string[], gap: number) => {
    const at = new Int32Array(parts.length + 1);
    for (let i = 0; i < parts.length; i++) at[i + 1] = at[i]! + Buffer.byteLength(parts[i]!) + gap;
    return at;
  };
  memory.encoded = {
    quoted: Buffer.from(quoted.join(',')),
    quotedAt: offsets(quoted, 1),
    hosts: Buffer.from(hosts.join('')),
    hostsAt: offsets(hosts, 0),
  };
  return memory.encoded;
}

/**
 * Each candidate's table index (-1 for a name Anvil does not know). kube-scheduler sends the same list
 * pod after pod (its node cache's names): the request reader hands over the very array of the last call
 * (args-reader.ts), and a list equal to the last one reuses its indices too, as comparing the names costs a
 * fraction of looking each one up (a hash of every freshly parsed string).
 */
function indicesOf(a: PodAssessment, memory: TableMemory, names: readonly string[]): Int32Array {
  const last = memory.last;
  if (last?.names === names) return last.indices;
  if (last !== undefined && last.names.length === names.length) {
    let k = 0;
    while (k < names.length && names[k] === last.names[k]) k++;
    if (k === names.length) return last.indices;
  }
  const indices = new Int32Array(names.length);
  for (let k = 0; k < names.length; k++) indices[k] = a.indexOf(names[k]!) ?? -1;
  memory.last = { names, indices };
  return indices;
}

/**
 * ExtenderFilterResult for candidates given by name (nodeCacheCapable): `NodeNames` those that fit, in
 * order; `FailedNodes` each other Anvil node's reason; `FailedAndUnresolvableNodes` the names Anvil does
 * not know. A name given twice is one key of the maps, as in the object the schema would serialise.
 */
export function filterAnswer(a: PodAssessment, names: readonly string[], buffers: AnswerBuffers): Buffer {
  const memory = memoryOf(a.table);
  const { quoted, quotedAt } = encodedOf(a.table, memory);
  const indices = indicesOf(a, memory, names);
  // Runs of fitting nodes in table order, [first, last] table index pairs (no closure over the loop's
  // variables: V8 would keep them in a heap context, read and written 5,000 times a call).
  if (runScratch.length < 2 * names.length) runScratch = new Int32Array(2 * names.length);
  const runs = runScratch;
  let runCount = 0;
  let lastFit = -2;
  let failed = '';
  let unknown = '';
  let failedOnce: Uint8Array | undefined;
  let unknownOnce: Set<string> | undefined;
  for (let k = 0; k < names.length; k++) {
    const i = indices[k]!;
    if (i >= 0 && a.fits(i)) {
      if (i !== lastFit + 1) {
        if (runCount > 0) runs[2 * runCount - 1] = lastFit;
        runs[2 * runCount++] = i;
      }
      lastFit = i;
    } else if (i < 0) {
      const name = names[k]!;
      if (unknownOnce?.has(name)) continue;
      (unknownOnce ??= new Set()).add(name);
      unknown += `${unknown === '' ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(unknownNodeReason(name))}`;
    } else {
      failedOnce ??= new Uint8Array(a.table.count);
      if (failedOnce[i] === 1) continue;
      failedOnce[i] = 1;
      failed += `${failed === '' ? '' : ','}${JSON.stringify(a.table.names[i])}:${JSON.stringify(a.reason(i))}`;
    }
  }
  if (runCount > 0) runs[2 * runCount - 1] = lastFit;
  // Each run's bytes in `quoted`: from its first name's quote to its last name's closing quote.
  let fitBytes = runCount > 0 ? runCount - 1 : 0;
  for (let r = 0; r < runCount; r++) fitBytes += quotedAt[runs[2 * r + 1]! + 1]! - 1 - quotedAt[runs[2 * r]!]!;
  const head = '{"Nodes":null,"NodeNames":[';
  const tail = `],"FailedNodes":{${failed}},"FailedAndUnresolvableNodes":{${unknown}},"Error":""}`;
  const out = buffers.take(head.length + fitBytes + Buffer.byteLength(tail));
  let at = out.write(head, 0, 'latin1');
  for (let r = 0; r < runCount; r++) {
    if (r > 0) out[at++] = COMMA;
    at += quoted.copy(out, at, quotedAt[runs[2 * r]!]!, quotedAt[runs[2 * r + 1]! + 1]! - 1);
  }
  out.write(tail, at);
  return out;
}

/**
 * Every node's whole HostPriority with score `score`, joined by commas in table order (built when first
 * needed, at most MAX_EXTENDER_PRIORITY + 1 per table): a run of candidates that follow each other in the
 * table with one score is one copy. Node i's entry starts at hostsAt[i] + i * (digits + 2) (each entry
 * before it adds its digits, `}` and a comma).
 */
function entriesOf(memory: TableMemory, encoded: Encoded, score: number): Buffer {
  const entries = (memory.entries ??= []);
  let bytes = entries[score];
  if (bytes === undefined) {
    const count = encoded.hostsAt.length - 1;
    const tail = Buffer.from(`${score}},`);
    bytes = Buffer.allocUnsafe(encoded.hosts.length + count * tail.length);
    let at = 0;
    for (let i = 0; i < count; i++) {
      at += encoded.hosts.copy(bytes, at, encoded.hostsAt[i]!, encoded.hostsAt[i + 1]!);
      at += tail.copy(bytes, at);
    }
    entries[score] = bytes;
  }
  return bytes;
}

/**
 * Copies the HostPriority entries of table indices first..last, all with `score`, into `out` at `pos` (after
 * a comma unless it is the list's first entry); returns the position after them.
 */
function copyEntries(out: Buffer, pos: number, memory: TableMemory, encoded: Encoded, first: number, last: number, score: number): number {
  const digits = score >= 10 ? 2 : 1;
  const start = encoded.hostsAt[first]! + first * (digits + 2);
  const end = encoded.hostsAt[last + 1]! + last * (digits + 2) + digits + 1; // through the last entry's `}`
  if (pos > 1) out[pos++] = COMMA;
  return pos + entriesOf(memory, encoded, score).copy(out, pos, start, end);
}

/**
 * HostPriorityList: Anvil's raw score of each candidate that fits, scaled to 0..MAX_EXTENDER_PRIORITY over
 * the fitting candidates (the best gets the max); the others, and names Anvil does not know, get 0.
 */
export function prioritizeAnswer(a: PodAssessment, names: readonly string[], buffers: AnswerBuffers): Buffer {
  const memory = memoryOf(a.table);
  const encoded = encodedOf(a.table, memory);
  const { hostsAt } = encoded;
  const at = indicesOf(a, memory, names);
  let lo = Infinity;
  let hi = -Infinity;
  // Bytes: `[`, `]`, and per candidate its Host prefix, up to two digits, `}` and a comma.
  let size = 2 + 4 * names.length;
  for (let k = 0; k < names.length; k++) {
    const i = at[k]!;
    size += i < 0 ? Buffer.byteLength(`{"Host":${JSON.stringify(names[k])},"Score":`) : hostsAt[i + 1]! - hostsAt[i]!;
    if (i >= 0 && a.fits(i)) {
      const score = a.score(i);
      if (score < lo) lo = score;
      if (score > hi) hi = score;
    }
  }
  const max = MAX_EXTENDER_PRIORITY;
  const out = buffers.take(size);
  let pos = 0;
  out[pos++] = 0x5b; // [
  // The run being gathered: table indices first..last, all with score runScore (loop variables only: see filterAnswer).
  let first = -1;
  let last = -2;
  let runScore = -1;
  for (let k = 0; k < names.length; k++) {
    const i = at[k]!;
    const score = i < 0 || !a.fits(i) ? 0 : hi === lo ? max : Math.round(((a.score(i) - lo) / (hi - lo)) * max);
    if (i >= 0 && i === last + 1 && score === runScore) {
      last = i;
      continue;
    }
    if (first >= 0) pos = copyEntries(out, pos, memory, encoded, first, last, runScore);
    first = -1;
    if (i >= 0) {
      first = last = i;
      runScore = score;
      continue;
    }
    // A name Anvil does not know: written on its own, with 0.
    last = -2;
    if (pos > 1) out[pos++] = COMMA;
    pos += out.write(`{"Host":${JSON.stringify(names[k])},"Score":0}`, pos);
  }
  if (first >= 0) pos = copyEntries(out, pos, memory, encoded, first, last, runScore);
  out[pos++] = 0x5d; // ]
  return out.subarray(0, pos);
}
