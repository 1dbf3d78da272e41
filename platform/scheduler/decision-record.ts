/**
 * "Why this node", recorded as the scheduler decides: each node a decision evaluated (the first
 * `RECORDED_NODES` of them) with the filter that rejected it and the figures that decided it, or the parts
 * of its score, and the count of each rejection over every node evaluated. Cheap on the hot path: a
 * decision writes a node index and a code per node into typed arrays kept between decisions; the figures
 * are read from the node table only when the decision is kept (`snapshot`, before anything is reserved).
 */
import { iopsOn, type PodDemand } from './demand.js';
import type { NodeTable } from './node-table.js';

/** Why a node was rejected, as a code: cheap on the hot path, turned into text only when needed. */
export const enum Reject {
  None = 0,
  Unschedulable,
  Taint,
  Selector,
  Zone,
  Pods,
  Cpu,
  Memory,
  Vfs,
  Iops,
  Bandwidth,
  PortBandwidth,
  LocalControllers,
  RemoteControllers,
}

/** How many codes `Reject` has (None included). */
const REJECTION_CODES = 14;

/**
 * Per code (indexed by `Reject`): its stable name in the API, the filter that gives it, the words a summary and
 * a reason start with, and the unit of its figures where it has them (asked, free, total).
 */
export const REJECTIONS: readonly { readonly code: string; readonly filter: string; readonly words: string; readonly unit?: string }[] = [
  { code: 'fits', filter: 'none', words: 'fits' },
  { code: 'unschedulable', filter: 'schedulable', words: 'node is cordoned' },
  { code: 'taint', filter: 'taints', words: 'taint' },
  { code: 'node-selector', filter: 'node-selector', words: 'node selector' },
  { code: 'zone', filter: 'network-zone', words: 'network zones' },
  { code: 'pods', filter: 'pod-slots', words: 'too many pods', unit: 'pods' },
  { code: 'cpu', filter: 'cpu', words: 'insufficient cpu', unit: 'millicores' },
  { code: 'memory', filter: 'memory', words: 'insufficient memory', unit: 'bytes' },
  { code: 'vfs', filter: 'vfs', words: 'no free VF', unit: 'VFs' },
  { code: 'iops', filter: 'storage-iops', words: 'perf-tier admission (storage IOPS)', unit: 'IOPS' },
  { code: 'bandwidth', filter: 'network-bandwidth', words: 'perf-tier admission (network bandwidth)', unit: 'bit/s' },
  { code: 'port-bandwidth', filter: 'pod-port-bandwidth', words: 'perf-tier admission (pod port bandwidth)' },
  { code: 'local-controllers', filter: 'local-storage-controllers', words: 'no free local storage controller', unit: 'controllers' },
  { code: 'remote-controllers', filter: 'remote-storage-controllers', words: 'no free remote storage controller', unit: 'controllers' },
];

/** The filters in the order the scheduler applies them (Scheduler.check): a node rejected by one passed those before it. */
export const FILTER_ORDER: readonly Reject[] = [
  Reject.Unschedulable,
  Reject.Pods,
  Reject.Cpu,
  Reject.Memory,
  Reject.Vfs,
  Reject.Iops,
  Reject.Bandwidth,
  Reject.PortBandwidth,
  Reject.Zone,
  Reject.LocalControllers,
  Reject.RemoteControllers,
  Reject.Selector,
  Reject.Taint,
];

/** Bonus per volume of the pod with a plex on the node: outweighs any balance score (which is within 0..2). */
export const LOCALITY_BONUS = 10;

/** One part of a node's score: the final score is the sum of value x weight. */
export interface ScorePart {
  readonly name: 'cpu-left' | 'memory-left' | 'cpu-used' | 'memory-used' | 'volume-locality';
  /** Shares are 0-1 of the node's total after the pod; locality counts the pod's volumes with a plex on the node. */
  readonly value: number;
  readonly weight: number;
}

/**
 * The parts of the score of a node that fits, from what `RecordedNode` keeps of it: to balance, the CPU and
 * memory shares left after the pod; to pack, those used; plus the locality bonus (Scheduler.score).
 */
export function scoreParts(policy: 'balance' | 'pack', cpuLeft: number, memLeft: number, localVolumes: number): ScorePart[] {
  const locality: ScorePart = { name: 'volume-locality', value: localVolumes, weight: LOCALITY_BONUS };
  return policy === 'balance'
    ? [{ name: 'cpu-left', value: cpuLeft, weight: 1 }, { name: 'memory-left', value: memLeft, weight: 1 }, locality]
    : [{ name: 'cpu-used', value: 1 - cpuLeft, weight: 1 }, { name: 'memory-used', value: 1 - memLeft, weight: 1 }, locality];
}

/** Nodes kept per decision (the scheduler's default sample size); the counts cover every node evaluated. */
export const RECORDED_NODES = 64;

/** Doubles one decision may take: the counts, then five per node kept (the chosen one perhaps after the others). */
const DECISION_DOUBLES = REJECTION_CODES + 5 * (RECORDED_NODES + 1);

/** Doubles per chunk of kept decisions (512 KiB: some 190 decisions of RECORDED_NODES nodes). */
const CHUNK_DOUBLES = 65_536;

/**
 * One evaluated node as kept: [name, code (Reject), a, b, c, detail?]. For a node that fits, a = CPU share
 * left after the pod (0-1), b = memory share left (0-1), c = the pod's volumes with a plex on it; for a
 * rejected one, a = what the pod asks, b = what is free, c = the node's total (units: REJECTIONS' unit),
 * and `detail` the reason in words where figures do not say it (zones, selectors, taints, ports).
 */
export type RecordedNode = [name: string, code: number, a: number, b: number, c: number, detail?: string];

/** A decision as stored with the pod (JSON; compact: it is kept per placed pod). */
export interface RecordedDecisionJson {
  readonly policy: 'balance' | 'pack';
  readonly sample_size: number;
  /** Nodes in the cluster when it decided. */
  readonly considered: number;
  /** Nodes the filters ran on (plex holders, then the walk's sample). */
  readonly evaluated: number;
  readonly chosen: string;
  /** Per code name, the nodes evaluated it rejected. */
  readonly rejections: Readonly<Record<string, number>>;
  /** The first RECORDED_NODES nodes evaluated, in the order evaluated, and the chosen node after them if it was not among them. */
  readonly nodes: readonly RecordedNode[];
}

/**
 * A decision as the scheduler took it: typed arrays copied out of the recorder (a few copies per placed
 * pod, no object per node), turned into `RecordedDecisionJson` only when stored (JSON.stringify calls toJSON).
 */
export class RecordedDecision {
  constructor(
    /** The node table (node indices below are into it): its names and totals, which never change. */
    private readonly table: NodeTable,
    /** What the pod asks: millicores and bytes (a fitting node's shares left are worked out from them). */
    private readonly cpuAsked: number,
    private readonly memAsked: number,
    readonly policy: 'balance' | 'pack',
    readonly sampleSize: number,
    readonly considered: number,
    readonly evaluated: number,
    readonly chosen: number,
    /**
     * From `start` to `end` of `packed`: the counts per code (REJECTIONS.length of them), then per kept node
     * its index, code, a, b and c (RecordedNode; for a node that fits, a and b are its free CPU and memory
     * before the pod). `packed` is a chunk the recorder shares between decisions.
     */
    private readonly packed: Float64Array,
    private readonly start: number,
    private readonly end: number,
    /** Per kept node, the reason in words where figures do not say it. */
    private readonly details: readonly (string | undefined)[] | undefined,
  ) {}

  toJSON(): RecordedDecisionJson {
    const p = this.packed;
    const base = this.start;
    const nodes: RecordedNode[] = [];
    for (let k = 0, at = base + REJECTIONS.length; at < this.end; k++, at += 5) {
      const i = p[at]!;
      const code = p[at + 1]!;
      const t = this.table;
      const entry: RecordedNode =
        code === Reject.None
          ? [
              t.names[i]!,
              code,
              share((p[at + 2]! - this.cpuAsked) / t.cpuTotal[i]!),
              share((p[at + 3]! - this.memAsked) / t.memTotal[i]!),
              p[at + 4]!,
            ]
          : [t.names[i]!, code, p[at + 2]!, p[at + 3]!, p[at + 4]!];
      const detail = this.details?.[k];
      if (detail !== undefined) entry.push(detail);
      nodes.push(entry);
    }
    const rejections: Record<string, number> = {};
    for (let r = 1; r < REJECTIONS.length; r++) if (p[base + r]! > 0) rejections[REJECTIONS[r]!.code] = p[base + r]!;
    return {
      policy: this.policy,
      sample_size: this.sampleSize,
      considered: this.considered,
      evaluated: this.evaluated,
      chosen: this.table.names[this.chosen]!,
      rejections,
      nodes,
    };
  }
}

/** A share rounded to 6 decimals: as precise as a score is read, and a third of the JSON of a full double. */
const share = (x: number) => Math.round(x * 1e6) / 1e6;

/** The pod's volumes with a plex on node `i`. */
function localVolumes(d: PodDemand, i: number): number {
  let n = 0;
  for (let v = 0; v < d.volumePlexNodes.length; v++) if (d.volumePlexNodes[v]!.includes(i)) n++;
  return n;
}

export class DecisionRecorder {
  /**
   * Where decisions are kept, one after another, each written in place as the walk evaluates nodes: a new
   * chunk when one is full (the decisions in the old one keep it). No array is made per decision or per
   * node: the scheduler's rate would feel it (one ArrayBuffer or a grown array per pod costs as much as the
   * decision itself).
   */
  private chunk = new Float64Array(CHUNK_DOUBLES);
  /** The decision being taken: its counts start at `base`, its next kept node goes at `at`. */
  private base = 0;
  private at = 0;
  /** Per table node, the decision that last noted it: a plex holder met again in the walk is counted once. */
  private readonly seenIn: Uint32Array;
  private decision = 0;
  private worded = false;
  kept = 0;
  evaluated = 0;

  constructor(private readonly t: NodeTable) {
    this.seenIn = new Uint32Array(t.count);
  }

  start(): void {
    this.decision++;
    this.kept = 0;
    this.evaluated = 0;
    this.worded = false;
    if (this.at + DECISION_DOUBLES > this.chunk.length) {
      this.chunk = new Float64Array(CHUNK_DOUBLES);
      this.at = 0;
    }
    this.base = this.at;
    this.chunk.fill(0, this.base, this.base + REJECTIONS.length);
    this.at = this.base + REJECTIONS.length;
  }

  /** Forgets the decision being taken (no node fits): its room in the chunk goes to the next. */
  discard(): void {
    this.at = this.base;
  }

  /** Node `i` was evaluated for `d` with verdict `r`; the first RECORDED_NODES are kept with their figures. */
  note(i: number, r: Reject, d: PodDemand): void {
    if (d.volumePlexNodes.length > 0) {
      if (this.seenIn[i] === this.decision) return;
      this.seenIn[i] = this.decision;
    }
    this.evaluated++;
    this.chunk[this.base + r]!++;
    if (this.kept === RECORDED_NODES) return;
    this.kept++;
    this.keep(i, r, d);
  }

  /** Writes node `i` at `at`: its verdict and the figures that decided it, or what its score is made of. */
  private keep(i: number, r: Reject, d: PodDemand): void {
    const t = this.t;
    const p = this.chunk;
    let at = this.at;
    p[at++] = i;
    p[at++] = r;
    switch (r) {
      case Reject.None:
        p[at++] = t.cpuFree[i]!;
        p[at++] = t.memFree[i]!;
        p[at++] = d.volumePlexNodes.length > 0 ? localVolumes(d, i) : 0;
        break;
      case Reject.Pods:
        p[at++] = 1;
        p[at++] = t.podsFree[i]!;
        p[at++] = t.podsTotal[i]!;
        break;
      case Reject.Cpu:
        p[at++] = d.cpu_millicores;
        p[at++] = t.cpuFree[i]!;
        p[at++] = t.cpuTotal[i]!;
        break;
      case Reject.Memory:
        p[at++] = d.memory_bytes;
        p[at++] = t.memFree[i]!;
        p[at++] = t.memTotal[i]!;
        break;
      case Reject.Vfs:
        p[at++] = d.vfs;
        p[at++] = t.vfsFree[i]!;
        p[at++] = t.vfsTotal[i]!;
        break;
      case Reject.Iops:
        p[at++] = iopsOn(d, i);
        p[at++] = t.iopsFree[i]!;
        p[at++] = t.iopsTotal[i]!;
        break;
      case Reject.Bandwidth:
        p[at++] = d.bandwidth_bits_per_s;
        p[at++] = t.bwFree[i]!;
        p[at++] = t.bwTotal[i]!;
        break;
      case Reject.LocalControllers:
        p[at++] = localVolumes(d, i);
        p[at++] = t.localFree[i]!;
        p[at++] = t.localTotal[i]!;
        break;
      case Reject.RemoteControllers:
        p[at++] = d.volumePlexNodes.length - localVolumes(d, i);
        p[at++] = t.remoteFree[i]!;
        p[at++] = t.remoteTotal[i]!;
        break;
      default:
        // Unschedulable, zone, selector, taint, pod ports: worded in `snapshot`, no single figure.
        this.worded = true;
        p[at++] = 0;
        p[at++] = 0;
        p[at++] = 0;
    }
    this.at = at;
  }

  /**
   * The decision as kept: call before reserving anything (the chosen node, if not kept yet, is read now).
   * `reasonText` words a rejection whose figures do not say it (rare: zones, selectors, taints, ports).
   */
  snapshot(
    d: PodDemand,
    chosen: number,
    policy: 'balance' | 'pack',
    sampleSize: number,
    reasonText: (i: number, r: Reject) => string,
  ): RecordedDecision {
    const p = this.chunk;
    const first = this.base + REJECTIONS.length;
    let chosenKept = false;
    for (let at = first; at < this.at; at += 5) if (p[at] === chosen) chosenKept = true;
    if (!chosenKept) this.keep(chosen, Reject.None, d);
    let details: (string | undefined)[] | undefined;
    if (this.worded) {
      details = [];
      for (let at = first, k = 0; at < this.at; at += 5, k++) {
        const r = p[at + 1]! as Reject;
        if (r !== Reject.None && REJECTIONS[r]!.unit === undefined) details[k] = reasonText(p[at]!, r);
      }
    }
    return new RecordedDecision(
      this.t,
      d.cpu_millicores,
      d.memory_bytes,
      policy,
      sampleSize,
      this.t.count,
      this.evaluated,
      chosen,
      p,
      this.base,
      this.at,
      details,
    );
  }
}
