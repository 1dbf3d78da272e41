/**
 * `anvil scenario validate FILE...`: ok with a summary per good scenario; every problem of every bad one
 * (schema, names, node profiles, fault drives and ports, manifests) in one error, exit 1; the TCO scenario
 * refused with the command that reads it.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../cli-harness.js';

const SCENARIOS = join(process.cwd(), 'bench', 'scenarios');
const CAPTURE = join(process.cwd(), 'test', 'bench', 'discovery', 'fixtures', 'synthetic-nvme-sriov-capture.json');

const measuredScenario = (profile: string, extra = '') => `kind: ClusterScenario
name: measured nodes
duration: 5s
nodes:
  - { name: a, profile: ${profile} }
  - { name: b, profile: ${profile} }
tenants: [{ name: t }]
pods:
  - { name: p, tenant: t, cpu: 1, memory: 1Gi }
${extra}`;

describe('anvil scenario validate', () => {
  it('prints ok and a summary for every reference scenario, exit 0', async () => {
    const files = readdirSync(SCENARIOS)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(SCENARIOS, f));
    const r = await anvilInProcess(['scenario', 'validate', ...files]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(files.length);
    expect(r.stdout).toContain(
      `${join(SCENARIOS, 'mirror-node-failure.yaml')}: ok: stack hci; 3 nodes, 1 pod, 1 volume, 1 workload, 0 flows, 2 faults, 3 SLAs; 60s (warm-up 5s), seed 7`,
    );
  });

  it('takes a node profile written by anvil host inspect --out, and checks fault drives and ports against it', async () => {
    const dir = tempDir('anvil-scenario-');
    const inspect = await anvilInProcess(['host', 'inspect', '--from', CAPTURE, '--out', join(dir, 'node.yaml')]);
    expect(inspect.code).toBe(0);
    writeFileSync(join(dir, 'good.yaml'), measuredScenario('./node.yaml'));
    const good = await anvilInProcess(['scenario', 'validate', join(dir, 'good.yaml')]);
    expect(good.stderr).toBe('');
    expect(good.stdout).toContain('ok: stack hci; 2 nodes, 1 pod');

    writeFileSync(
      join(dir, 'bad.yaml'),
      measuredScenario(
        './node.yaml',
        'faults:\n  - { at: 1s, event: drive-failed, node: a, drive: 99 }\n  - { at: 2s, event: link-down, node: b, port: nosuch0 }\n',
      ),
    );
    writeFileSync(join(dir, 'missing.yaml'), measuredScenario('./nowhere.yaml'));
    const bad = await anvilInProcess(['scenario', 'validate', join(dir, 'good.yaml'), join(dir, 'bad.yaml'), join(dir, 'missing.yaml')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`${join(dir, 'good.yaml')}: ok`);
    expect(bad.stderr).toMatch(/^ANVIL_ERR_CLUSTER_SCENARIO: 2 of 3 scenarios do not validate/);
    expect(bad.stderr).toMatch(/bad\.yaml: \/faults\/0\/drive: node a \(profile [^)]+\) has \d+ drive\(s\), indices 0 to \d+/);
    expect(bad.stderr).toMatch(/bad\.yaml: \/faults\/1\/port: node b \(profile [^)]+\) has no port nosuch0; ports: /);
    expect(bad.stderr).toMatch(/missing\.yaml:5: \/nodes\/0\/profile: no node profile file .*nowhere\.yaml/);
  });

  it("each command's help lists its own kind's fields and names the other kind's command", async () => {
    const cluster = await anvilInProcess(['scenario', 'validate', '--help']);
    expect(cluster.stdout).toContain('Cluster scenario file fields (YAML, kind: ClusterScenario');
    expect(cluster.stdout).toContain(
      'faults[].event (required): what happens; one of node-down, node-up, drive-failed, link-down, link-up',
    );
    expect(cluster.stdout).toContain('TCO scenarios (kind: TcoScenario, reports/scenarios/) are read by anvil tco.');
    const tco = await anvilInProcess(['tco', '--help']);
    expect(tco.stdout).toContain('TCO scenario file fields (YAML, kind: TcoScenario');
    expect(tco.stdout).toContain('are checked by anvil scenario validate');
  });

  it("refuses a TCO scenario with the command that reads it, and a manifest the control plane's import refuses", async () => {
    const tco = await anvilInProcess(['scenario', 'validate', 'reports/scenarios/reference.yaml']);
    expect(tco.code).toBe(1);
    expect(tco.stderr).toMatch(/^ANVIL_ERR_SCENARIO_KIND: .*anvil tco reports\/scenarios\/reference\.yaml/);

    const dir = tempDir('anvil-scenario-');
    const manifest =
      'manifests:\n  - tenant: t\n    documents: |\n      apiVersion: v1\n      kind: Pod\n      metadata: { name: m }\n      spec:\n        containers: []\n';
    writeFileSync(join(dir, 's.yaml'), measuredScenario('appliance-d10', manifest));
    const r = await anvilInProcess(['scenario', 'validate', join(dir, 's.yaml')]);
    expect(r.code).toBe(1);
    // The pod's containers are at line 17 of the scenario: the manifest import's line is the scenario's.
    expect(r.stderr).toMatch(/s\.yaml: \/manifests\/0: .*s\.yaml:17.*at least one container/s);
  });
});
