/**
 * The scheduler's view of the nodes: free capacity per node in typed arrays (struct of arrays), and an
 * index of the nodes that can take a pod at all (schedulable, with a free pod slot and a free VF), so a
 * decision looks at a few candidates rather than scanning every node.
 */

/** What the table needs to know of one node. */
export interface NodeCapacity {
  readonly name: string;
  readonly zone: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Taint keys (NoSchedule). */
  readonly taints: readonly string[];
  readonly schedulable: boolean;
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  readonly pods: number;
  /** VFs on the ports that carry pod traffic. */
  readonly vfs: number;
  /**
   * The ports that carry pod traffic, in VF order (VFs are numbered across them), each with its VFs and
   * the bandwidth it can guarantee, bit/s. Default: one port with every VF and no limit of its own.
   */
  readonly ports?: readonly PodPort[];
  readonly guaranteeable_iops: number;
  readonly guaranteeable_bandwidth_bits_per_s: number;
  readonly local_controllers: number;
  readonly remote_controllers: number;
}

/** A NIC port that carries pod traffic. */
export interface PodPort {
  readonly name: string;
  readonly vfs: number;
  readonly bandwidth_bits_per_s: number;
}

/** Buckets of the open index: enough for 2^30 millicores free. */
export const CPU_BUCKETS = 32;

/** The bucket of a node with `free` millicores: 0 for none, else floor(log2(free)) + 1. */
export function cpuBucket(free: number): number {
  if (free < 1) return 0;
  return Math.min(CPU_BUCKETS - 1, 32 - Math.clz32(Math.min(free, 0x7fffffff)));
}

export class NodeTable {
  readonly names: string[] = [];
  readonly zones: string[] = [];
  readonly labels: Readonly<Record<string, string>>[] = [];
  readonly taints: (readonly string[])[] = [];
  private readonly index = new Map<string, number>();
  count = 0;

  // Per node, indexed like `names`. Units: cpu in millicores, mem in bytes, iops in I/Os per second,
  // bw in bits per second; pods, VFs and storage controllers are counts.
  readonly schedulable: Uint8Array;
  readonly cpuTotal: Float64Array;
  readonly cpuFree: Float64Array;
  readonly memTotal: Float64Array;
  readonly memFree: Float64Array;
  readonly podsTotal: Int32Array;
  readonly podsFree: Int32Array;
  readonly vfsTotal: Int32Array;
  readonly vfsFree: Int32Array;
  readonly iopsTotal: Float64Array;
  readonly iopsFree: Float64Array;
  readonly bwTotal: Float64Array;
  readonly bwFree: Float64Array;
  readonly localFree: Int32Array;
  readonly localTotal: Int32Array;
  readonly remoteFree: Int32Array;
  readonly remoteTotal: Int32Array;

  /**
   * Pod ports, flat: node i's are `portStart[i]` to `portStart[i + 1] - 1`, in VF order; each has its
   * first node-wide VF number, its VFs (total and free) and its bandwidth (total and free, bit/s).
   */
  readonly portStart: Int32Array;
  readonly portNames: string[] = [];
  readonly portVfBase: Int32Array;
  readonly portVfs: Int32Array;
  readonly portVfFree: Int32Array;
  readonly portBwTotal: Float64Array;
  readonly portBwFree: Float64Array;

  /** Per node, a stack of free VF numbers (lowest on top), `vfsFree[i]` deep, at `vfBase[i]`. */
  private readonly vfStack: Int32Array;
  private readonly vfBase: Int32Array;

  /**
   * The open index: nodes that are schedulable with a free pod slot and VF, bucketed by free CPU
   * (bucket b >= 1 holds nodes with 2^(b-1) <= free millicores < 2^b, bucket 0 none), so a pod skips
   * every bucket that cannot hold its CPU. `bucketOfNode[i]` is -1 when the node is out.
   */
  readonly buckets: Int32Array[] = [];
  readonly bucketSize = new Int32Array(CPU_BUCKETS);
  private readonly bucketOfNode: Int8Array;
  private readonly posInBucket: Int32Array;
  openCount = 0;

  constructor(nodes: readonly NodeCapacity[]) {
    const n = nodes.length;
    this.schedulable = new Uint8Array(n);
    this.cpuTotal = new Float64Array(n);
    this.cpuFree = new Float64Array(n);
    this.memTotal = new Float64Array(n);
    this.memFree = new Float64Array(n);
    this.podsTotal = new Int32Array(n);
    this.podsFree = new Int32Array(n);
    this.vfsTotal = new Int32Array(n);
    this.vfsFree = new Int32Array(n);
    this.iopsTotal = new Float64Array(n);
    this.iopsFree = new Float64Array(n);
    this.bwTotal = new Float64Array(n);
    this.bwFree = new Float64Array(n);
    this.localFree = new Int32Array(n);
    this.localTotal = new Int32Array(n);
    this.remoteFree = new Int32Array(n);
    this.remoteTotal = new Int32Array(n);
    this.vfBase = new Int32Array(n + 1);
    let vfSum = 0;
    for (let i = 0; i < n; i++) {
      this.vfBase[i] = vfSum;
      vfSum += nodes[i]!.vfs;
    }
    this.vfBase[n] = vfSum;
    this.vfStack = new Int32Array(vfSum);
    this.portStart = new Int32Array(n + 1);
    let portSum = 0;
    for (let i = 0; i < n; i++) {
      this.portStart[i] = portSum;
      portSum += nodes[i]!.ports?.length ?? 1;
    }
    this.portStart[n] = portSum;
    this.portVfBase = new Int32Array(portSum);
    this.portVfs = new Int32Array(portSum);
    this.portVfFree = new Int32Array(portSum);
    this.portBwTotal = new Float64Array(portSum);
    this.portBwFree = new Float64Array(portSum);
    for (let b = 0; b < CPU_BUCKETS; b++) this.buckets.push(new Int32Array(n));
    this.bucketOfNode = new Int8Array(n).fill(-1);
    this.posInBucket = new Int32Array(n);
    for (const node of nodes) this.add(node);
  }

  private add(node: NodeCapacity): void {
    const i = this.count++;
    this.names.push(node.name);
    this.zones.push(node.zone);
    this.labels.push(node.labels);
    this.taints.push(node.taints);
    this.index.set(node.name, i);
    this.schedulable[i] = node.schedulable ? 1 : 0;
    this.cpuTotal[i] = this.cpuFree[i] = node.cpu_millicores;
    this.memTotal[i] = this.memFree[i] = node.memory_bytes;
    this.podsTotal[i] = this.podsFree[i] = node.pods;
    this.vfsTotal[i] = this.vfsFree[i] = node.vfs;
    this.iopsTotal[i] = this.iopsFree[i] = node.guaranteeable_iops;
    this.bwTotal[i] = this.bwFree[i] = node.guaranteeable_bandwidth_bits_per_s;
    this.localTotal[i] = this.localFree[i] = node.local_controllers;
    this.remoteTotal[i] = this.remoteFree[i] = node.remote_controllers;
    // Stack with VF 0 on top: top is at base + free - 1.
    const base = this.vfBase[i]!;
    for (let k = 0; k < node.vfs; k++) this.vfStack[base + k] = node.vfs - 1 - k;
    const ports = node.ports ?? [{ name: 'pods', vfs: node.vfs, bandwidth_bits_per_s: Infinity }];
    let vf = 0;
    ports.forEach((port, k) => {
      const p = this.portStart[i]! + k;
      this.portNames.push(port.name);
      this.portVfBase[p] = vf;
      this.portVfs[p] = this.portVfFree[p] = port.vfs;
      this.portBwTotal[p] = this.portBwFree[p] = port.bandwidth_bits_per_s;
      vf += port.vfs;
    });
    this.refreshOpen(i);
  }

  indexOf(name: string): number | undefined {
    return this.index.get(name);
  }

  /** Keeps the open index in step with a node's free capacity. */
  refreshOpen(i: number): void {
    const open = this.schedulable[i] === 1 && this.podsFree[i]! > 0 && this.vfsFree[i]! > 0;
    const want = open ? cpuBucket(this.cpuFree[i]!) : -1;
    const have = this.bucketOfNode[i]!;
    if (want === have) return;
    if (have >= 0) {
      const list = this.buckets[have]!;
      const pos = this.posInBucket[i]!;
      const last = list[--this.bucketSize[have]!]!;
      list[pos] = last;
      this.posInBucket[last] = pos;
      this.openCount--;
    }
    if (want >= 0) {
      const size = this.bucketSize[want]!;
      this.buckets[want]![size] = i;
      this.posInBucket[i] = size;
      this.bucketSize[want] = size + 1;
      this.openCount++;
    }
    this.bucketOfNode[i] = want;
  }

  /** The pod port (flat index) of node `i` that carries node-wide VF `vf`. */
  portOf(i: number, vf: number): number {
    const end = this.portStart[i + 1]!;
    for (let p = this.portStart[i]!; p < end; p++) if (vf < this.portVfBase[p]! + this.portVfs[p]!) return p;
    return end - 1;
  }

  /** Takes the lowest free VF of node `i` on pod port `p` (flat index), or -1. */
  takeVfOn(i: number, p: number): number {
    const base = this.vfBase[i]!;
    const free = this.vfsFree[i]!;
    const low = this.portVfBase[p]!;
    const high = low + this.portVfs[p]!;
    // The stack is sorted with the lowest on top: the first VF of the port's range met from the top is its lowest.
    for (let k = free - 1; k >= 0; k--) {
      const vf = this.vfStack[base + k]!;
      if (vf < low || vf >= high) continue;
      this.vfStack.copyWithin(base + k, base + k + 1, base + free);
      this.vfsFree[i] = free - 1;
      this.portVfFree[p] = this.portVfFree[p]! - 1;
      return vf;
    }
    return -1;
  }

  /** Marks a given VF of node `i` used (state read back from storage). */
  takeSpecificVf(i: number, vf: number): boolean {
    const base = this.vfBase[i]!;
    const free = this.vfsFree[i]!;
    for (let k = 0; k < free; k++) {
      if (this.vfStack[base + k] === vf) {
        this.vfStack.copyWithin(base + k, base + k + 1, base + free);
        this.vfsFree[i] = free - 1;
        const p = this.portOf(i, vf);
        this.portVfFree[p] = this.portVfFree[p]! - 1;
        this.refreshOpen(i);
        return true;
      }
    }
    return false;
  }

  /** Returns a VF; keeps the stack sorted so the lowest free VF is reused first (deterministic). */
  releaseVf(i: number, vf: number): void {
    const base = this.vfBase[i]!;
    const free = this.vfsFree[i]!;
    let k = free;
    while (k > 0 && this.vfStack[base + k - 1]! < vf) {
      this.vfStack[base + k] = this.vfStack[base + k - 1]!;
      k--;
    }
    this.vfStack[base + k] = vf;
    this.vfsFree[i] = free + 1;
    const p = this.portOf(i, vf);
    this.portVfFree[p] = this.portVfFree[p]! + 1;
    this.refreshOpen(i);
  }
}
