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

/** Per code (indexed by `Reject`): its stable name in the API and the filter that gives it. */
export const REJECTIONS: readonly { readonly code: string; readonly filter: string; readonly unit?: string }[] = [
  { code: 'fits', filter: 'none' },
  { code: 'unschedulable', filter: 'schedulable' },
  { code: 'taint', filter: 'taints' },
  { code: 'node-selector', filter: 'node-selector' },
  { code: 'zone', filter: 'network-zone' },
  { code: 'pods', filter: 'pod-slots', unit: 'pods' },
  { code: 'cpu', filter: 'cpu', unit: 'millicores' },
  { code: 'memory', filter: 'memory', unit: 'bytes' },
  { code: 'vfs', filter: 'vfs', unit: 'VFs' },
  { code: 'iops', filter: 'storage-iops', unit: 'IOPS' },
  { code: 'bandwidth', filter: 'network-bandwidth', unit: 'bit/s' },
  { code: 'port-bandwidth', filter: 'pod-port-bandwidth' },
  { code: 'local-controllers', filter: 'local-storage-controllers', unit: 'controllers' },
  { code: 'remote-controllers', filter: 'remote-storage-controllers', unit: 'controllers' },
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

/**
 * One evaluated node as kept: [name, code (Reject), a, b, c, detail?]. For a node that fits, a = CPU share
 * left after the pod (0-1), b = memory share left (0-1), c = the pod's volumes with a plex on it; for a
 * rejected one, a = what the pod asks, b = what is free, c = the node's total (units: REJECTIONS' unit),
 * and `detail` the reason in words where figures do not say it (zones, selectors, taints, ports).
 */
export type RecordedNode = [name: string, code: number, a: number, b: number, c: number, detail?: string];

/** A decision as kept with the pod (compact: it is stored per placed pod). */
export interface RecordedDecision {
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

export class DecisionRecorder {
  private readonly node = new Int32Array(RECORDED_NODES);
  private readonly code = new Uint8Array(RECORDED_NODES);
  private readonly counts = new Int32Array(REJECTIONS.length);
  /** Per table node, the decision that last noted it: a plex holder met again in the walk is counted once. */
  private readonly seenIn: Uint32Array;
  private decision = 0;
  kept = 0;
  evaluated = 0;

  constructor(nodes: number) {
    this.seenIn = new Uint32Array(nodes);
  }

  start(): void {
    this.decision++;
    this.kept = 0;
    this.evaluated = 0;
    this.counts.fill(0);
  }

  note(i: number, r: Reject): void {
    if (this.seenIn[i] === this.decision) return;
    this.seenIn[i] = this.decision;
    this.evaluated++;
    this.counts[r]!++;
    if (this.kept === RECORDED_NODES) return;
    this.node[this.kept] = i;
    this.code[this.kept++] = r;
  }

  /**
   * The decision as kept, read from the table as the scheduler saw it: call before reserving anything.
   * `reasonText` words a rejection whose figures do not say it.
   */
  snapshot(
    t: NodeTable,
    d: PodDemand,
    chosen: number,
    policy: 'balance' | 'pack',
    sampleSize: number,
    reasonText: (i: number, r: Reject) => string,
  ): RecordedDecision {
    const nodes: RecordedNode[] = [];
    let chosenKept = false;
    for (let k = 0; k < this.kept; k++) if (this.node[k] === chosen) chosenKept = true;
    const count = chosenKept ? this.kept : this.kept + 1;
    for (let k = 0; k < count; k++) {
      const i = k < this.kept ? this.node[k]! : chosen;
      const r = k < this.kept ? (this.code[k]! as Reject) : Reject.None;
      const name = t.names[i]!;
      switch (r) {
        case Reject.None: {
          let local = 0;
          for (const plexNodes of d.volumePlexNodes) if (plexNodes.includes(i)) local++;
          const cpuLeft = (t.cpuFree[i]! - d.cpu_millicores) / t.cpuTotal[i]!;
          const memLeft = (t.memFree[i]! - d.memory_bytes) / t.memTotal[i]!;
          nodes.push([name, r, cpuLeft, memLeft, local]);
          break;
        }
        case Reject.Pods:
          nodes.push([name, r, 1, t.podsFree[i]!, t.podsTotal[i]!]);
          break;
        case Reject.Cpu:
          nodes.push([name, r, d.cpu_millicores, t.cpuFree[i]!, t.cpuTotal[i]!]);
          break;
        case Reject.Memory:
          nodes.push([name, r, d.memory_bytes, t.memFree[i]!, t.memTotal[i]!]);
          break;
        case Reject.Vfs:
          nodes.push([name, r, d.vfs, t.vfsFree[i]!, t.vfsTotal[i]!]);
          break;
        case Reject.Iops:
          nodes.push([name, r, iopsOn(d, i), t.iopsFree[i]!, t.iopsTotal[i]!]);
          break;
        case Reject.Bandwidth:
          nodes.push([name, r, d.bandwidth_bits_per_s, t.bwFree[i]!, t.bwTotal[i]!]);
          break;
        case Reject.LocalControllers:
        case Reject.RemoteControllers: {
          let local = 0;
          for (const plexNodes of d.volumePlexNodes) if (plexNodes.includes(i)) local++;
          const remote = d.volumePlexNodes.length - local;
          nodes.push(
            r === Reject.LocalControllers
              ? [name, r, local, t.localFree[i]!, t.localTotal[i]!]
              : [name, r, remote, t.remoteFree[i]!, t.remoteTotal[i]!],
          );
          break;
        }
        default:
          // Unschedulable, zone, selector, taint, pod ports: words, no single figure.
          nodes.push([name, r, 0, 0, 0, reasonText(i, r)]);
      }
    }
    const rejections: Record<string, number> = {};
    for (let r = 1; r < REJECTIONS.length; r++) if (this.counts[r]! > 0) rejections[REJECTIONS[r]!.code] = this.counts[r]!;
    return {
      policy,
      sample_size: sampleSize,
      considered: t.count,
      evaluated: this.evaluated,
      chosen: t.names[chosen]!,
      rejections,
      nodes,
    };
  }
}
