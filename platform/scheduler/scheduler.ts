/**
 * The QoS-aware scheduler: filters (schedulable, pod slots, CPU, memory, a free VF on a port reaching the
 * pod's networks, perf-tier admission: IOPS per node, bandwidth per node and per pod port, storage controllers for the pod's volumes, node selectors,
 * taints), then scores (prefer nodes holding plexes of the pod's volumes; balance or pack), then reserves.
 *
 * A decision walks the open index (nodes with a free pod slot and VF, bucketed by free CPU) over the
 * buckets that can hold the pod's CPU, each from where the last walk stopped, and scores the first
 * `sampleSize` nodes that fit (kube-scheduler's percentageOfNodesToScore idea), plus every node holding
 * a plex of the pod's volumes. Only when nothing fits does it look at every node, to say per node why not.
 */
import { iopsOn, type PodDemand } from './demand.js';
import { DecisionRecorder, LOCALITY_BONUS, Reject, REJECTIONS, type RecordedDecision } from './decision-record.js';
import { cpuBucket, CPU_BUCKETS, type NodeTable } from './node-table.js';

export type Policy = 'balance' | 'pack';

export type Decision =
  | { readonly ok: true; readonly node: number }
  | { readonly ok: false; readonly summary: string; readonly nodes: readonly { node: string; reason: string }[] };

export interface SchedulerOptions {
  readonly policy?: Policy;
  /** Feasible nodes scored per decision, besides plex holders. */
  readonly sampleSize?: number;
}

export class Scheduler {
  readonly policy: Policy;
  readonly sampleSize: number;
  /** Per bucket, where the next walk starts, so successive pods spread over the bucket. */
  private readonly cursors = new Int32Array(CPU_BUCKETS);
  /**
   * Walks start again from the first node of each bucket, as on a new scheduler: a view kept for the next
   * change of a group places that change's pods as a view built for it would (state/store.ts).
   */
  restartWalks(): void {
    this.cursors.fill(0);
  }

  /** Scratch for fitting a pod's endpoints onto one node's pod ports: free bandwidth and VFs per port. */
  private readonly scratchBw: Float64Array;
  private readonly scratchVfs: Int32Array;

  constructor(
    readonly table: NodeTable,
    options: SchedulerOptions = {},
  ) {
    this.policy = options.policy ?? 'balance';
    this.sampleSize = options.sampleSize ?? 64;
    let most = 1;
    for (let i = 0; i < table.count; i++) most = Math.max(most, table.portStart[i + 1]! - table.portStart[i]!);
    this.scratchBw = new Float64Array(most);
    this.scratchVfs = new Int32Array(most);
  }

  /**
   * Fits the pod's endpoints onto node `i`'s pod ports, each on the first port in order with a free VF
   * and the endpoint's bandwidth free (bandwidth is admitted per port, the one carrying the VF); writes
   * each endpoint's port (flat index) into `ports` when given. False when some endpoint fits no port.
   */
  private fitPorts(i: number, d: PodDemand, ports?: Int32Array): boolean {
    const t = this.table;
    const first = t.portStart[i]!;
    const count = t.portStart[i + 1]! - first;
    for (let k = 0; k < count; k++) {
      this.scratchBw[k] = t.portBwFree[first + k]!;
      this.scratchVfs[k] = t.portVfFree[first + k]!;
    }
    for (let e = 0; e < d.vfs; e++) {
      const bw = d.endpoint_bandwidths_bits_per_s[e] ?? 0;
      let k = 0;
      while (k < count && (this.scratchVfs[k]! < 1 || this.scratchBw[k]! < bw)) k++;
      if (k === count) return false;
      this.scratchVfs[k] = this.scratchVfs[k]! - 1;
      this.scratchBw[k] = this.scratchBw[k]! - bw;
      if (ports) ports[e] = first + k;
    }
    return true;
  }

  /** Picks a node for `d`, or says per node why none fits. Reserves nothing. */
  decide(d: PodDemand, detailLimit = Infinity): Decision {
    return this.walk(d, detailLimit, undefined);
  }

  private recorder: DecisionRecorder | undefined;

  /**
   * As `decide`, and where a node is picked, why (decision-record.ts): each node evaluated with its filters'
   * verdict and its score's parts, read before anything is reserved.
   */
  decideRecorded(d: PodDemand, detailLimit = Infinity): { decision: Decision; record?: RecordedDecision } {
    const recorder = (this.recorder ??= new DecisionRecorder(this.table));
    recorder.start();
    const decision = this.walk(d, detailLimit, recorder);
    if (!decision.ok) {
      recorder.discard();
      return { decision };
    }
    const record = recorder.snapshot(d, decision.node, this.policy, this.sampleSize, (i, r) => this.reasonText(i, r, d));
    return { decision, record };
  }

  private walk(d: PodDemand, detailLimit: number, recorder: DecisionRecorder | undefined): Decision {
    const t = this.table;
    let best = -1;
    let bestScore = -Infinity;
    for (const plexNodes of d.volumePlexNodes) {
      for (const i of plexNodes) {
        const r = this.check(i, d);
        if (recorder !== undefined) recorder.note(i, r, d);
        if (r !== Reject.None) continue;
        const s = this.score(i, d);
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
    }
    // Buckets that can hold the pod's CPU: the emptiest first to balance, the fullest first to pack.
    const low = d.cpu_millicores <= 0 ? 0 : cpuBucket(d.cpu_millicores);
    const step = this.policy === 'balance' ? -1 : 1;
    let found = 0;
    for (let b = step < 0 ? CPU_BUCKETS - 1 : low; b >= low && b < CPU_BUCKETS && found < this.sampleSize; b += step) {
      const n = t.bucketSize[b]!;
      if (n === 0) continue;
      const list = t.buckets[b]!;
      const start = this.cursors[b]! % n;
      let k = 0;
      for (; k < n && found < this.sampleSize; k++) {
        let p = start + k;
        if (p >= n) p -= n;
        const i = list[p]!;
        const r = this.check(i, d);
        if (recorder !== undefined) recorder.note(i, r, d);
        if (r !== Reject.None) continue;
        found++;
        const s = this.score(i, d);
        if (s > bestScore) {
          bestScore = s;
          best = i;
        }
      }
      this.cursors[b] = start + k;
    }
    if (best >= 0) return { ok: true, node: best };
    return this.diagnose(d, detailLimit);
  }

  /** Takes the pod's resources on node `i`; returns the VFs it got (the lowest free ones of the ports that fit). */
  reserve(i: number, d: PodDemand): number[] {
    const t = this.table;
    const ports = new Int32Array(d.vfs);
    if (!this.fitPorts(i, d, ports))
      throw new Error(`scheduler: reserve on node ${t.names[i]} for a pod whose endpoints fit none of its pod ports`);
    this.account(i, d);
    const vfs: number[] = [];
    for (let e = 0; e < d.vfs; e++) {
      const p = ports[e]!;
      t.portBwFree[p] = t.portBwFree[p]! - (d.endpoint_bandwidths_bits_per_s[e] ?? 0);
      vfs.push(t.takeVfOn(i, p));
    }
    t.refreshOpen(i);
    return vfs;
  }

  /** Takes `iops` of node `i`'s guaranteeable IOPS (gives them back when negative) for a pod bound elsewhere: a plex there carries its volume's writes. */
  holdIops(i: number, iops: number): void {
    this.table.iopsFree[i] = this.table.iopsFree[i]! - iops;
  }

  /** Takes the resources of a pod already bound to node `i` with these VFs (state read back). */
  occupy(i: number, d: PodDemand, vfs: readonly number[]): void {
    const t = this.table;
    this.account(i, d);
    vfs.forEach((vf, e) => {
      const p = t.portOf(i, vf);
      t.portBwFree[p] = t.portBwFree[p]! - (d.endpoint_bandwidths_bits_per_s[e] ?? 0);
      t.takeSpecificVf(i, vf);
    });
    t.refreshOpen(i);
  }

  private account(i: number, d: PodDemand): void {
    const t = this.table;
    t.cpuFree[i] = t.cpuFree[i]! - d.cpu_millicores;
    t.memFree[i] = t.memFree[i]! - d.memory_bytes;
    t.podsFree[i] = t.podsFree[i]! - 1;
    t.iopsFree[i] = t.iopsFree[i]! - iopsOn(d, i);
    t.bwFree[i] = t.bwFree[i]! - d.bandwidth_bits_per_s;
    for (const plexNodes of d.volumePlexNodes) {
      if (plexNodes.includes(i)) t.localFree[i] = t.localFree[i]! - 1;
      else t.remoteFree[i] = t.remoteFree[i]! - 1;
    }
  }

  /** Gives back what `reserve` took (the pod was deleted or its node drained). */
  release(i: number, d: PodDemand, vfs: readonly number[]): void {
    const t = this.table;
    t.cpuFree[i] = t.cpuFree[i]! + d.cpu_millicores;
    t.memFree[i] = t.memFree[i]! + d.memory_bytes;
    t.podsFree[i] = t.podsFree[i]! + 1;
    t.iopsFree[i] = t.iopsFree[i]! + iopsOn(d, i);
    t.bwFree[i] = t.bwFree[i]! + d.bandwidth_bits_per_s;
    for (const plexNodes of d.volumePlexNodes) {
      if (plexNodes.includes(i)) t.localFree[i] = t.localFree[i]! + 1;
      else t.remoteFree[i] = t.remoteFree[i]! + 1;
    }
    vfs.forEach((vf, e) => {
      const p = t.portOf(i, vf);
      t.portBwFree[p] = t.portBwFree[p]! + (d.endpoint_bandwidths_bits_per_s[e] ?? 0);
      t.releaseVf(i, vf);
    });
    t.refreshOpen(i);
  }

  /**
   * One node's raw score for `d` when it fits, NaN when it does not (`whyNot` says why), without reserving:
   * the scheduler extender asks it of every candidate, 5,000 per pod, so it allocates nothing.
   */
  fitScore(i: number, d: PodDemand): number {
    return this.check(i, d) === Reject.None ? this.score(i, d) : NaN;
  }

  /** Why node `i` does not take `d` (as `assess` words it); for a node that does, says so. */
  whyNot(i: number, d: PodDemand): string {
    return this.reasonText(i, this.check(i, d), d);
  }

  /** One node's verdict for `d` without reserving, as an object: its score when it fits, else why not (a placement's explanation; the extender's hot loop takes `fitScore` and `whyNot`). */
  assess(i: number, d: PodDemand): { readonly fits: true; readonly score: number } | { readonly fits: false; readonly reason: string } {
    const r = this.check(i, d);
    return r === Reject.None ? { fits: true, score: this.score(i, d) } : { fits: false, reason: this.reasonText(i, r, d) };
  }

  /** The filters, cheapest and most selective first. */
  private check(i: number, d: PodDemand): Reject {
    const t = this.table;
    if (t.schedulable[i] === 0) return Reject.Unschedulable;
    if (t.podsFree[i]! < 1) return Reject.Pods;
    if (t.cpuFree[i]! < d.cpu_millicores) return Reject.Cpu;
    if (t.memFree[i]! < d.memory_bytes) return Reject.Memory;
    if (t.vfsFree[i]! < d.vfs) return Reject.Vfs;
    if (t.iopsFree[i]! < iopsOn(d, i)) return Reject.Iops;
    if (t.bwFree[i]! < d.bandwidth_bits_per_s) return Reject.Bandwidth;
    // Best-effort endpoints fit any free VF, and the node has enough of those (checked above).
    if (d.bandwidth_bits_per_s > 0 && !this.fitPorts(i, d)) return Reject.PortBandwidth;
    if (d.zone === null || (d.zone !== undefined && t.zones[i] !== d.zone)) return Reject.Zone;
    if (d.volumePlexNodes.length > 0) {
      let local = 0;
      let remote = 0;
      for (const plexNodes of d.volumePlexNodes) {
        if (plexNodes.includes(i)) local++;
        else remote++;
      }
      if (t.localFree[i]! < local) return Reject.LocalControllers;
      if (t.remoteFree[i]! < remote) return Reject.RemoteControllers;
    }
    if (d.nodeSelector.length > 0) {
      const labels = t.labels[i]!;
      for (const [key, value] of d.nodeSelector) if (labels[key] !== value) return Reject.Selector;
    }
    const taints = t.taints[i]!;
    if (taints.length > 0 && !d.tolerations.includes('*')) {
      for (const taint of taints) if (!d.tolerations.includes(taint)) return Reject.Taint;
    }
    return Reject.None;
  }

  /** The parts of this sum are decision-record.ts's `scoreParts`: keep the two in step. */
  private score(i: number, d: PodDemand): number {
    const t = this.table;
    const cpuLeft = (t.cpuFree[i]! - d.cpu_millicores) / t.cpuTotal[i]!;
    const memLeft = (t.memFree[i]! - d.memory_bytes) / t.memTotal[i]!;
    let s = this.policy === 'balance' ? cpuLeft + memLeft : 2 - cpuLeft - memLeft;
    for (const plexNodes of d.volumePlexNodes) if (plexNodes.includes(i)) s += LOCALITY_BONUS;
    return s;
  }

  /**
   * Why `d` fits nowhere: a summary in kube-scheduler's style ("0/3 nodes are available: ...") over every
   * node, and the reason of each node in full for the first `detailLimit` nodes (text costs more than
   * the check: a pending pod at 5,000 nodes keeps a few, `describe` asks for all).
   */
  diagnose(d: PodDemand, detailLimit = Infinity): Extract<Decision, { ok: false }> {
    const t = this.table;
    const nodes: { node: string; reason: string }[] = [];
    const counts = new Map<Reject, number>();
    for (let i = 0; i < t.count; i++) {
      const r = this.check(i, d);
      counts.set(r, (counts.get(r) ?? 0) + 1);
      if (nodes.length < detailLimit) nodes.push({ node: t.names[i]!, reason: this.reasonText(i, r, d) });
    }
    const parts = [...counts]
      .map(([r, c]) => [REJECTIONS[r]!.words, c] as const)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([r, c]) => `${c} ${r}`);
    const summary =
      t.count === 0 ? '0/0 nodes are available: the cluster has no nodes' : `0/${t.count} nodes are available: ${parts.join(', ')}`;
    return { ok: false, summary, nodes };
  }

  /** A rejection in words, with the figures that decided it (the node as it is now). */
  reasonText(i: number, r: Reject, d: PodDemand): string {
    const t = this.table;
    switch (r) {
      case Reject.None:
        return 'fits (capacity was taken by another pod of the same decision round)';
      case Reject.Unschedulable:
        return 'node is cordoned';
      case Reject.Pods:
        return `too many pods: ${t.podsTotal[i]} of ${t.podsTotal[i]} used`;
      case Reject.Cpu:
        return `insufficient cpu: ${t.cpuFree[i]}m free, pod asks ${d.cpu_millicores}m`;
      case Reject.Memory:
        return `insufficient memory: ${t.memFree[i]} bytes free, pod asks ${d.memory_bytes}`;
      case Reject.Vfs:
        return `no free VF: ${t.vfsFree[i]} of ${t.vfsTotal[i]} VFs free, pod needs ${d.vfs}`;
      case Reject.Iops:
        return d.iopsPerNode
          ? `perf-tier admission (storage IOPS): ${t.iopsFree[i]} of ${t.iopsTotal[i]} guaranteeable IOPS free, pod needs ${d.iops} at its tiers' I/O, ${iopsOn(d, i)} of the node's`
          : `perf-tier admission (storage IOPS): ${t.iopsFree[i]} of ${t.iopsTotal[i]} guaranteeable IOPS free, pod needs ${d.iops}`;
      case Reject.Bandwidth:
        return `perf-tier admission (network bandwidth): ${t.bwFree[i]} of ${t.bwTotal[i]} guaranteeable bit/s free, pod needs ${d.bandwidth_bits_per_s}`;
      case Reject.PortBandwidth: {
        const ports: string[] = [];
        for (let p = t.portStart[i]!; p < t.portStart[i + 1]!; p++)
          ports.push(`${t.portNames[p]} ${t.portBwFree[p]} of ${t.portBwTotal[p]} bit/s free (${t.portVfFree[p]} VFs)`);
        return `perf-tier admission (pod port bandwidth): ${ports.join(', ')}, the pod's endpoints need ${d.endpoint_bandwidths_bits_per_s.join(' + ')} bit/s, each on one port`;
      }
      case Reject.Zone:
        return d.zone === null
          ? "network zones: the pod's networks are in different zones"
          : `network zones: node is in ${t.zones[i]}, the pod's networks reach only ${d.zone}`;
      case Reject.LocalControllers:
        return `no free local storage controller: ${t.localFree[i]} of ${t.localTotal[i]} free`;
      case Reject.RemoteControllers:
        return `no free remote storage controller: ${t.remoteFree[i]} of ${t.remoteTotal[i]} free`;
      case Reject.Selector:
        return `node selector: node labels do not match ${d.nodeSelector.map(([k, v]) => `${k}=${v}`).join(',')}`;
      case Reject.Taint:
        return `taint: node has taint ${t.taints[i]!.filter((x) => !d.tolerations.includes(x)).join(',')} the pod does not tolerate`;
    }
  }
}
