/** The scheduler on its own: no oversubscription under a seeded random load, policies, the open index, release. */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../sim/core/random.js';
import type { PodDemand } from '../../platform/scheduler/demand.js';
import { cpuBucket, NodeTable, type NodeCapacity } from '../../platform/scheduler/node-table.js';
import { Scheduler } from '../../platform/scheduler/scheduler.js';

function node(i: number, over: Partial<NodeCapacity> = {}): NodeCapacity {
  return {
    name: `n${i}`,
    zone: `z${i % 2}`,
    labels: {},
    taints: [],
    schedulable: true,
    cpu_millicores: 4000,
    memory_bytes: 8 * 2 ** 30,
    pods: 20,
    vfs: 10,
    guaranteeable_iops: 100_000,
    guaranteeable_bandwidth_bits_per_s: 2e9,
    local_controllers: 4,
    remote_controllers: 4,
    ...over,
  };
}

/** A demand; unless given, its first endpoint carries all its bandwidth. */
function demand(over: Partial<PodDemand> = {}): PodDemand {
  const d = {
    cpu_millicores: 500,
    memory_bytes: 2 ** 30,
    vfs: 1,
    zone: undefined,
    iops: 0,
    bandwidth_bits_per_s: 0,
    volumePlexNodes: [],
    nodeSelector: [],
    tolerations: [],
    ...over,
  };
  return {
    ...d,
    endpoint_bandwidths_bits_per_s:
      over.endpoint_bandwidths_bits_per_s ?? Array.from({ length: d.vfs }, (_, k) => (k === 0 ? d.bandwidth_bits_per_s : 0)),
  };
}

describe('scheduler', () => {
  it('never exceeds any node capacity under a random load, and gives each VF once', () => {
    const nodes = Array.from({ length: 40 }, (_, i) => node(i));
    const s = new Scheduler(new NodeTable(nodes), { sampleSize: 8 });
    const rng = new RandomStream(7, 'test/scheduler');
    const placed: { node: number; d: PodDemand; vfs: number[] }[] = [];
    let refused = 0;
    for (let p = 0; p < 2000; p++) {
      const d = demand({
        cpu_millicores: 100 + rng.below(900),
        memory_bytes: (1 + rng.below(8)) * 2 ** 28,
        vfs: 1 + rng.below(2),
        iops: [0, 5000, 20000][rng.below(3)]!,
        bandwidth_bits_per_s: [0, 125e6, 500e6][rng.below(3)]!,
        volumePlexNodes: rng.next() < 0.3 ? [[rng.below(40), rng.below(40)]] : [],
      });
      const r = s.decide(d);
      if (!r.ok) {
        refused++;
        expect(r.nodes).toHaveLength(40);
        continue;
      }
      placed.push({ node: r.node, d, vfs: s.reserve(r.node, d) });
    }
    expect(placed.length).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(0);
    for (let i = 0; i < 40; i++) {
      const mine = placed.filter((p) => p.node === i);
      const sum = (f: (d: PodDemand) => number) => mine.reduce((a, p) => a + f(p.d), 0);
      expect(sum((d) => d.cpu_millicores)).toBeLessThanOrEqual(4000);
      expect(sum((d) => d.memory_bytes)).toBeLessThanOrEqual(8 * 2 ** 30);
      expect(sum((d) => d.iops)).toBeLessThanOrEqual(100_000);
      expect(sum((d) => d.bandwidth_bits_per_s)).toBeLessThanOrEqual(2e9);
      expect(mine.length).toBeLessThanOrEqual(20);
      const vfs = mine.flatMap((p) => p.vfs);
      expect(new Set(vfs).size).toBe(vfs.length);
      expect(vfs.every((v) => v >= 0 && v < 10)).toBe(true);
      const remote = mine.reduce((a, p) => a + p.d.volumePlexNodes.filter((nodes) => !nodes.includes(i)).length, 0);
      expect(remote).toBeLessThanOrEqual(4);
    }
  });

  it('packs onto few nodes with pack and spreads with balance', () => {
    const used = (policy: 'pack' | 'balance') => {
      const s = new Scheduler(new NodeTable(Array.from({ length: 10 }, (_, i) => node(i))), { policy });
      const nodes = new Set<number>();
      for (let p = 0; p < 10; p++) {
        const r = s.decide(demand());
        if (!r.ok) throw new Error(r.summary);
        s.reserve(r.node, demand());
        nodes.add(r.node);
      }
      return nodes.size;
    };
    expect(used('balance')).toBe(10);
    expect(used('pack')).toBeLessThanOrEqual(2);
  });

  it('prefers a node holding a plex of the pod volume', () => {
    const s = new Scheduler(new NodeTable(Array.from({ length: 10 }, (_, i) => node(i))));
    const r = s.decide(demand({ volumePlexNodes: [[7]] }));
    expect(r.ok && r.node).toBe(7);
  });

  it('takes full nodes out of the open index and puts them back on release, reusing the lowest VF', () => {
    const table = new NodeTable([node(0, { vfs: 2 }), node(1, { schedulable: false })]);
    expect(table.openCount).toBe(1);
    const s = new Scheduler(table);
    const a = s.reserve(0, demand());
    const b = s.reserve(0, demand());
    expect([a, b]).toEqual([[0], [1]]);
    expect(table.openCount).toBe(0);
    const r = s.decide(demand());
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.summary).toBe('0/2 nodes are available: 1 no free VF, 1 node is cordoned');
    s.release(0, demand(), a);
    expect(table.openCount).toBe(1);
    expect(s.reserve(0, demand())).toEqual([0]);
  });

  it('keeps pods to the zone of their networks', () => {
    const s = new Scheduler(new NodeTable(Array.from({ length: 4 }, (_, i) => node(i))));
    for (let k = 0; k < 4; k++) {
      const r = s.decide(demand({ zone: 'z1' }));
      expect(r.ok && r.node % 2).toBe(1);
      if (r.ok) s.reserve(r.node, demand({ zone: 'z1' }));
    }
    const none = s.decide(demand({ zone: null }));
    expect(none.ok).toBe(false);
  });

  it('indexes open nodes by free CPU, so a big pod finds the one node with room among many without', () => {
    expect([0, 1, 2, 3, 4, 500, 40000].map(cpuBucket)).toEqual([0, 1, 2, 2, 3, 9, 16]);
    const nodes = Array.from({ length: 200 }, (_, i) => node(i, { cpu_millicores: i === 137 ? 4000 : 1000 }));
    const s = new Scheduler(new NodeTable(nodes), { sampleSize: 4 });
    const r = s.decide(demand({ cpu_millicores: 3000 }));
    expect(r.ok && r.node).toBe(137);
    // After it took 3000m, node 137 moves down a bucket: the next big pod fits nowhere and says why.
    s.reserve(137, demand({ cpu_millicores: 3000 }));
    const again = s.decide(demand({ cpu_millicores: 3000 }));
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.summary).toBe('0/200 nodes are available: 200 insufficient cpu');
  });

  it('admits bandwidth per pod port, the one carrying the VF, and gives the VF on a port that fits', () => {
    // Two pod ports of 1 Gbit/s with 2 VFs each; the node could guarantee 10 Gbit/s in all.
    const ports = [
      { name: 'pa', vfs: 2, bandwidth_bits_per_s: 1e9 },
      { name: 'pb', vfs: 2, bandwidth_bits_per_s: 1e9 },
    ];
    const s = new Scheduler(new NodeTable([node(0, { vfs: 4, ports, guaranteeable_bandwidth_bits_per_s: 10e9 })]));
    const d = demand({ bandwidth_bits_per_s: 600e6 });
    const first = s.decide(d);
    expect(first.ok && s.reserve(first.node, d)).toEqual([0]);
    // pa has 400M left: the next 600M endpoint goes to pb's first VF.
    const second = s.decide(d);
    expect(second.ok && s.reserve(second.node, d)).toEqual([2]);
    // Both ports hold 600M: no port has 600M more, though the node has 8.8G and two VFs free.
    const third = s.decide(d);
    expect(third.ok).toBe(false);
    if (!third.ok) {
      expect(third.summary).toBe('0/1 nodes are available: 1 perf-tier admission (pod port bandwidth)');
      expect(third.nodes[0]!.reason).toBe(
        "perf-tier admission (pod port bandwidth): pa 400000000 of 1000000000 bit/s free (1 VFs), pb 400000000 of 1000000000 bit/s free (1 VFs), the pod's endpoints need 600000000 bit/s, each on one port",
      );
    }
    // A best-effort endpoint still fits a free VF; a 300M one fits the 400M left on pa.
    const small = demand({ bandwidth_bits_per_s: 300e6 });
    const fourth = s.decide(small);
    expect(fourth.ok && s.reserve(fourth.node, small)).toEqual([1]);
    // Releasing the pb pod gives its bandwidth back to pb.
    s.release(0, d, [2]);
    const again = s.decide(d);
    expect(again.ok && s.reserve(again.node, d)).toEqual([2]);
  });
});
