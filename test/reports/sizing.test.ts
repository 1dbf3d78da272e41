import { describe, expect, it } from 'vitest';
import { dataCopies, driveReadFraction, fitProblems, sizeStack, sizeStacks, totalServers } from '../../reports/tco/sizing.js';
import type { Scenario } from '../../reports/tco/scenario-schema.js';
import { loadStackCoefficients } from '../../bench/stack-coefficients.js';
import { DRIVES, figures, reference } from './fixtures.js';

function oneDbScenario(kind: 'appliance' | 'diy-sds' | 'diy-db-outside'): Scenario {
  const s = reference();
  return {
    ...s,
    growth_per_year: 0,
    free_space: 0.25,
    applications: [],
    databases: [
      { name: 'db', count: 1, instances: 2, cores: 1, memory_gib: 1, size_tb: 3, iops: 1000, read_fraction: 0.5, latency_sla_p99_us: 1000 },
    ],
    stacks: [{ id: 'x', label: 'x', kind, database: 'open-source' }],
  };
}

describe('sizing from performance', () => {
  it('capacity after replication and headroom: 3 TB x 2 instances x 3 SDS copies on 4 x 4 TB at 25% free', () => {
    const s = oneDbScenario('diy-sds');
    const f = figures();
    expect(dataCopies('diy-sds', s.databases[0]!, f)).toBe(6);
    const cluster = sizeStack(s.stacks[0]!, s, f, DRIVES).years[0]!.roles.find((r) => r.role === 'cluster')!;
    expect(cluster.demand.capacity_tb).toBeCloseTo(18, 9);
    expect(cluster.perServer.capacity_tb).toBeCloseTo(12, 9);
    expect(cluster.need.capacity).toBeCloseTo(1.5, 9);
    // The appliance keeps one copy per instance: 6 TB.
    const a = oneDbScenario('appliance');
    expect(sizeStack(a.stacks[0]!, a, f, DRIVES).years[0]!.roles[0]!.demand.capacity_tb).toBeCloseTo(6, 9);
  });

  it('drive IOPS: reads hit one copy, writes every copy', () => {
    const s = oneDbScenario('diy-sds');
    const f = figures();
    // 500 reads + 500 writes x 6 copies = 3500 drive I/Os, 1/7 of them reads.
    expect(driveReadFraction('diy-sds', s, f)).toBeCloseTo(1 / 7, 12);
    expect(sizeStack(s.stacks[0]!, s, f, DRIVES).years[0]!.roles[0]!.demand.iops).toBeCloseTo(3500, 9);
  });

  it('the count is the largest need, rounded up, and names the binding constraint', () => {
    const s = {
      ...oneDbScenario('appliance'),
      databases: [
        {
          name: 'db',
          count: 1,
          instances: 2,
          cores: 1,
          memory_gib: 1,
          size_tb: 30,
          iops: 1000,
          read_fraction: 0.5,
          latency_sla_p99_us: 1000,
        },
      ],
    };
    const role = sizeStack(s.stacks[0]!, s, figures(), DRIVES).years[0]!.roles[0]!;
    // 60 TB over 12 TB a server: 5 servers, capacity-bound, above the 3-node minimum.
    expect(role.servers).toBe(5);
    expect(role.binding).toBe('capacity');
    const small = sizeStack(oneDbScenario('appliance').stacks[0]!, oneDbScenario('appliance'), figures(), DRIVES).years[0]!.roles[0]!;
    expect(small.servers).toBe(3);
    expect(small.binding).toBe('minimum');
  });

  it('servers never shrink from year to year, and growth adds servers', () => {
    const s = { ...reference(), growth_per_year: 0.5 };
    for (const st of sizeStacks(s, figures(), DRIVES)) {
      const counts = st.years.map(totalServers);
      for (let y = 1; y < counts.length; y++) expect(counts[y]!).toBeGreaterThanOrEqual(counts[y - 1]!);
    }
    const appliance = sizeStacks(s, figures(), DRIVES)[0]!;
    expect(totalServers(appliance.years[2]!)).toBeGreaterThan(totalServers(appliance.years[0]!));
  });

  it('doubling database IOPS changes the node counts of IOPS-bound stacks (and CPU-bound SDS ones), and only those', () => {
    const s = reference();
    const f = figures();
    const before = sizeStacks(s, f, DRIVES);
    const doubled = { ...s, databases: s.databases.map((d) => ({ ...d, iops: d.iops * 2 })) };
    const after = sizeStacks(doubled, f, DRIVES);
    let iopsBound = 0;
    let other = 0;
    before.forEach((st, i) => {
      st.years.forEach((y, year) => {
        y.roles.forEach((r, k) => {
          const next = after[i]!.years[year]!.roles[k]!;
          // On SDS the storage daemons' CPU per I/O makes a CPU-bound count depend on IOPS too.
          const cpuPerIo = st.stack.kind === 'diy-sds' && r.binding === 'cpu';
          if (r.binding === 'iops' || cpuPerIo) {
            iopsBound++;
            expect(next.servers, `${st.stack.id} ${r.role} year ${year}`).toBeGreaterThan(r.servers);
          } else if (year === 0) {
            other++;
            expect(next.servers, `${st.stack.id} ${r.role} year ${year}`).toBe(r.servers);
          }
        });
      });
    });
    // Not vacuous: the reference has both kinds.
    expect(iopsBound).toBeGreaterThan(0);
    expect(other).toBeGreaterThan(0);
  });

  it('SDS overhead: cores and memory per drive come off each server, per-I/O CPU adds to demand', () => {
    const s = oneDbScenario('diy-sds');
    const f = figures({ sds_cores_per_drive: 2, sds_memory_gib_per_drive: 8, node_reserved_cores: 1, node_reserved_memory_gib: 1 });
    const r = sizeStack(s.stacks[0]!, s, f, DRIVES).years[0]!.roles[0]!;
    expect(r.perServer.cores).toBeCloseTo(48 * 0.7 - 1 - 8, 9);
    expect(r.perServer.memory_gib).toBe(512 - 1 - 32);
    // 2 instances x 1 core + 500 reads x CPU per read + (500 writes x 2 instances) x copies x CPU per replica write.
    const diy = loadStackCoefficients().diy;
    const cpu_us = 500 * diy.sds_cpu_us_per_client_read.value + 1000 * diy.sds_replication.value * diy.sds_cpu_us_per_replica_write.value;
    expect(r.demand.cores).toBeCloseTo(2 + cpu_us / 1e6, 9);
  });

  it('SDS CPU per client write is one replica write per copy: ~860 us at replication 3, and it scales with the copies', () => {
    const s = oneDbScenario('diy-sds');
    s.databases[0] = { ...s.databases[0]!, read_fraction: 0, instances: 1, cores: 1, iops: 10_000 };
    const cores = (f: ReturnType<typeof figures>) => sizeStack(s.stacks[0]!, s, f, DRIVES).years[0]!.roles[0]!.demand.cores - 1;
    const f = figures();
    // network.md section 7: 860 us of storage CPU per 4K client write at replication 3 (3,500 replica writes per core used).
    expect(f.sds_replication).toBe(3);
    expect((cores(f) / 10_000) * 1e6).toBeGreaterThan(770);
    expect((cores(f) / 10_000) * 1e6).toBeLessThan(900);
    // Two copies cost two thirds of three.
    expect(cores(figures({ sds_replication: 2 }))).toBeCloseTo((cores(f) * 2) / 3, 9);
  });
});

describe('workloads larger than a server', () => {
  it('names the pod or instance that does not fit, and the field to change', () => {
    const s = { ...reference(), db_server: { cores: 16 } };
    const problems = fitProblems(s, figures(), DRIVES);
    // 16 cores at 70% less one reserved leave 10.2: the 16-core orders instance does not fit outside Kubernetes.
    expect(problems).toEqual([
      expect.stringMatching(
        /^\/databases\/0: an instance of orders \(OLTP\) \(16 cores, 256 GiB\) does not fit on one diy-commercial-db server \(10\.2 cores.*raise db_server\.cores/,
      ),
      expect.stringMatching(/^\/databases\/0: .* diy-oss-db server/),
    ]);
    expect(fitProblems(reference(), figures(), DRIVES)).toEqual([]);
  });
});
