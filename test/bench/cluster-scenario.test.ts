import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterScenario, parseClusterScenario } from '../../bench/scenario/load.js';
import { BUILT_IN_PERF_TIERS } from '../../bench/scenario/references.js';
import { BUILTIN_PERF_TIERS } from '../../platform/domain/perf-tier.js';
import { parseManifestText } from '../../platform/manifests/documents.js';
import { planApply } from '../../platform/manifests/apply.js';
import { loadScenario, parseScenario } from '../../reports/tco/scenario.js';
import { caughtAnvilError } from '../caught.js';
import { REFERENCE } from '../reports/fixtures.js';

const SCENARIOS = join(import.meta.dirname, '..', '..', 'bench', 'scenarios');
const scenarioFiles = () =>
  readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(SCENARIOS, f));

/** A small valid scenario, to break one piece at a time. */
const GOOD = `kind: ClusterScenario
name: small
duration: 10s
nodes: { count: 2 }
tenants: [{ name: t1 }]
volumes:
  - { name: v1, tenant: t1, size: 10Gi, mirrors: 2 }
pods:
  - { name: p1, tenant: t1, cpu: 1, memory: 1Gi, volumes: [v1] }
  - { name: p2, tenant: t1, cpu: 500m, memory: 1Gi }
workloads:
  - pod: p1
    volume: v1
    job: |
      [j]
      rw=randread
      bs=4k
`;

describe('cluster scenarios', () => {
  it('the reference scenarios in bench/scenarios all load, with their nodes, pods, workloads, faults and SLAs resolved', () => {
    const files = scenarioFiles();
    expect(files.map((f) => f.split('/').pop()).sort()).toEqual([
      'full-node.yaml',
      'mirror-node-failure.yaml',
      'noisy-neighbour.yaml',
      'shared-ports.yaml',
    ]);
    const byName = new Map(files.map((f) => [f.split('/').pop()!, loadClusterScenario(f)]));
    for (const s of byName.values()) {
      expect(s.slas.length, s.file).toBeGreaterThan(0);
      expect(s.workloads.length, s.file).toBeGreaterThan(0);
      for (const w of s.workloads) expect(w.specs.length, `${s.file} ${w.pod}`).toBeGreaterThan(0);
    }
    const noisy = byName.get('noisy-neighbour.yaml')!;
    expect(noisy.stacks).toEqual(['hci', 'diy']);
    expect(noisy.duration_ns).toBe(10e9);
    expect(noisy.warmup_ns).toBe(2e9);
    expect(noisy.slas.find((x) => x.name === 'oltp-latency')!.max_latency_ns).toEqual({ '99': 1e6, '99.9': 3e6 });
    const mirror = byName.get('mirror-node-failure.yaml')!;
    expect(mirror.nodes.map((n) => [n.name, n.zone])).toEqual([
      ['node-1', 'zone-1'],
      ['node-2', 'zone-2'],
      ['node-3', 'zone-3'],
    ]);
    expect(mirror.faults).toEqual([
      { at_ns: 15e9, event: 'node-down', node: 'node-2' },
      { at_ns: 30e9, event: 'node-up', node: 'node-2' },
    ]);
    // The StatefulSet's 8 pods each run the job on their own claim.
    const full = byName.get('full-node.yaml')!;
    expect(full.workloads).toHaveLength(8);
    expect(full.workloads.map((w) => `${w.pod} ${w.volume}`)).toContain('load/reader-7 load/data-reader-7');
    const ports = byName.get('shared-ports.yaml')!;
    expect(ports.flows.find((f) => f.to === 'web/cache-1')).toEqual({
      from: 'web/web-front',
      to: 'web/cache-1',
      rate_bits_per_s: 2e9,
      message_bytes: 16384,
    });
    expect(ports.flows.find((f) => f.from === 'analytics/scanner')!.rate_bits_per_s).toBe('saturate');
  });

  it("the reference scenarios' manifests pass the control plane's manifest import (anvil apply's plan)", () => {
    let planned = 0;
    for (const file of scenarioFiles()) {
      for (const m of loadClusterScenario(file).manifests) {
        const plan = planApply(parseManifestText(m.text, m.file), m.tenant, true);
        planned += plan.workloads.flatMap((w) => w.pods).length;
      }
    }
    expect(planned).toBe(8 + 2);
  });

  it('every schema problem at once, each with file, line and path', () => {
    const bad = GOOD.replace('duration: 10s', 'duration: ten seconds\nwarmup: 1x\ncolour: red')
      .replace('mirrors: 2', 'mirrors: 4')
      .replace('cpu: 1,', 'cpu: -1,');
    const e = caughtAnvilError(() => parseClusterScenario(bad, 'bad.yaml'));
    expect(e.code).toBe('ANVIL_ERR_CLUSTER_SCENARIO');
    const details = e.details.join('\n');
    expect(details).toMatch(
      /^bad\.yaml:3: \/duration: "ten seconds" is not allowed, allowed: simulated time of the run: a number with a unit/m,
    );
    expect(details).toMatch(/^bad\.yaml:4: \/warmup: /m);
    expect(details).toMatch(/^bad\.yaml:5: \/colour: not a known field, allowed: kind\|name/m);
    expect(details).toMatch(/^bad\.yaml:9: \/volumes\/0\/mirrors: .*3/m);
    expect(details).toMatch(/^bad\.yaml:11: \/pods\/0\/cpu: -1 is not allowed, allowed: CPU request/m);
    expect(e.details.length).toBeGreaterThanOrEqual(5);
  });

  it('every reference and timeline problem at once, and job-file problems at their line in the scenario', () => {
    const bad = GOOD.replace('tenants: [{ name: t1 }]', 'tenants: [{ name: t1 }, { name: t1 }]')
      .replace('volumes: [v1] }', 'volumes: [v1, v9] }')
      .replace('  - { name: p2, tenant: t1,', '  - { name: p2, tenant: t7,')
      .replace('cpu: 1, memory', 'cpu: "1Gi", memory')
      .replace('      bs=4k\n', '      bs=4k\n      iodepth=-3\n      fsync=1\n')
      .concat(
        'faults:\n  - { at: 12s, event: node-down, node: node-1 }\n  - { at: 2s, event: node-up, node: node-2 }\n  - { at: 3s, event: drive-failed, node: node-9 }\n',
        'slas:\n  - { name: s1, pod: p1, tenant: t1, min_iops: 10 }\n  - { name: s2, volume: v1 }\n',
      );
    const e = caughtAnvilError(() => parseClusterScenario(bad, 'bad.yaml'));
    expect(e.code).toBe('ANVIL_ERR_CLUSTER_SCENARIO');
    const lines = e.details;
    const expected = [
      /^bad\.yaml:5: \/tenants\/1\/name: tenant t1 is defined twice/,
      /^bad\.yaml:9: \/pods\/0\/cpu: cpu "1Gi" is 1073741824 cores; allowed: up to 10000 cores/,
      /^bad\.yaml:9: \/pods\/0\/volumes\/1: no volume v9 in tenant t1/,
      /^bad\.yaml:10: \/pods\/1\/tenant: no tenant t7 in tenants; tenants: t1/,
      // The job's lines are the scenario's: [j] is line 15, iodepth=-3 line 18, fsync=1 line 19.
      /^bad\.yaml:18: \/workloads\/0\/job: .*iodepth/,
      /^bad\.yaml:19: \/workloads\/0\/job: .*fsync/,
      /^bad\.yaml:21: \/faults\/0\/at: 12s is after the end of the run \(10s\)/,
      /^bad\.yaml:22: \/faults\/1\/event: node-up at 2s, but node node-2 is not down then/,
      /^bad\.yaml:23: \/faults\/2\/node: no node node-9; nodes: node-1, node-2/,
      /^bad\.yaml:25: \/slas\/0: an SLA holds for exactly one of pod, tenant, volume or tier; it names pod and tenant/,
      /^bad\.yaml:26: \/slas\/1: an SLA needs at least one limit/,
    ];
    for (const re of expected)
      expect(
        lines.some((l) => re.test(l)),
        `${re}\n${lines.join('\n')}`,
      ).toBe(true);
  });

  it('a job without a job section is reported at the job line of the scenario', () => {
    const e = caughtAnvilError(() => parseClusterScenario(GOOD.replace('      [j]\n', '      [global]\n'), 'g.yaml'));
    expect(e.details).toEqual([expect.stringMatching(/^g\.yaml:14: \/workloads\/0\/job: defines no job/)]);
  });

  it('the two scenario kinds are told apart, each loader naming the command that reads the other', () => {
    const tco = caughtAnvilError(() => loadClusterScenario(REFERENCE));
    expect(tco.code).toBe('ANVIL_ERR_SCENARIO_KIND');
    expect(tco.message).toContain(`anvil tco ${REFERENCE}`);
    // An old TCO scenario without kind is still told by its shape.
    const old = readFileSync(REFERENCE, 'utf8').replace(/^kind: TcoScenario\n/m, '');
    expect(caughtAnvilError(() => parseClusterScenario(old, 'old.yaml')).code).toBe('ANVIL_ERR_SCENARIO_KIND');
    expect(() => parseScenario(old, 'old.yaml')).not.toThrow();
    expect(loadScenario(REFERENCE).kind).toBe('TcoScenario');
    const cluster = join(SCENARIOS, 'noisy-neighbour.yaml');
    const e = caughtAnvilError(() => loadScenario(cluster));
    expect(e.code).toBe('ANVIL_ERR_SCENARIO_KIND');
    expect(e.message).toContain(`anvil scenario validate ${cluster}`);
  });

  it("knows the control plane's built-in perf tiers", () => {
    expect([...BUILT_IN_PERF_TIERS].sort()).toEqual(BUILTIN_PERF_TIERS.map((t) => t.name).sort());
  });
});
