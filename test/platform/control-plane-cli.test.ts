/**
 * The control plane through the `anvil` command line, as an operator uses it (in-process through runCli, the
 * bin's own entry; stdin runs and --help through the built bin): the four-command flow,
 * coded errors that change nothing, describe with scheduling reasons, and every Kubernetes example
 * manifest in the shared fixtures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseIpv4 } from '../../platform/domain/ip.js';
import { loadNodeProfile } from '../../platform/domain/node-profile.js';
import { formatCount } from '../../platform/domain/quantity.js';
import type { Pod } from '../../platform/domain/pod.js';
import type { Volume } from '../../platform/domain/volume.js';
import { runCli } from '../../platform/cli/main.js';
import { capturingIo } from '../../platform/cli/cli-io.js';
import { tempDir, writeFiles } from '../cli-harness.js';
import { corpus, needs } from '../needs.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const STACK = /^\s+at\s|node:internal|TypeError|ReferenceError/m;
/** The external corpus beside the repository, as the fio examples are (test/bench/jobfile.test.ts); CI has it. */
const kubernetesExamples = corpus('kubernetes-examples');
const FIXTURES = kubernetesExamples.path;

// This file runs in its own process (vitest's forks pool): the in-process CLI reads this environment.
Object.assign(process.env, { ANVIL_STATE: '', ANVIL_USER: 'operator' });

/**
 * `anvil ARGS --state STATE`: in-process (runCli, the bin's own entry), as the tests are about what it
 * prints and changes; with `input` on stdin, the built bin in a process of its own.
 */
function cli(state: string) {
  return async (args: string[], input?: string): Promise<{ code: number | null; stdout: string; stderr: string }> => {
    if (input !== undefined) {
      const r = spawnSync(process.execPath, [BIN, ...args, '--state', state], { encoding: 'utf8', input, env: process.env });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }
    const io = capturingIo();
    const code = await runCli([...args, '--state', state], io);
    return { code, stdout: io.out(), stderr: io.err() };
  };
}

function freshState(): string {
  return join(tempDir('anvil-cli-'), 'state.db');
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 4
  selector: { matchLabels: { app: web } }
  template:
    metadata:
      labels: { app: web }
      annotations:
        anvil.dev/network: blue
        anvil.dev/perf-tier: medium
    spec:
      containers:
        - name: web
          image: nginx
          resources: { requests: { cpu: 250m, memory: 256Mi } }
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  annotations:
    anvil.dev/endpoint0: '{"endpointId":"db-ep","perfTier":"high"}'
spec:
  containers:
    - name: db
      image: postgres
      resources: { limits: { cpu: "1", memory: 2Gi } }
  volumes:
    - name: data
      persistentVolumeClaim: { claimName: my-volume }
`;

describe('anvil control-plane CLI', () => {
  it('runs the four-command flow: pods running with IPs in range, unique MACs, VFs counted, a mirrored volume attached', async () => {
    const anvil = cli(freshState());
    const dir = writeFiles({ 'app.yaml': DEPLOYMENT });
    for (const args of [
      ['cluster', 'create', 'my-cluster', '--nodes', '3'],
      [
        'network',
        'create',
        'blue',
        '--subnet',
        '192.168.30.0/24',
        '--start',
        '192.168.30.101',
        '--end',
        '192.168.30.200',
        '--gateway',
        '192.168.30.1',
        '--vlan',
        '2',
      ],
      ['volume', 'create', 'my-volume', '--size', '50G', '--mirrors', '2', '--perf-tier', 'high'],
      ['endpoint', 'create', 'db-ep', '--network', 'blue', '--ip', '192.168.30.150'],
      ['apply', '-f', join(dir, 'app.yaml')],
    ]) {
      const r = await anvil(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code, args.join(' ')).toBe(0);
    }
    const pods = JSON.parse((await anvil(['get', 'pods', '-o', 'json'])).stdout) as Pod[];
    expect(pods).toHaveLength(5);
    const endpoints = pods.flatMap((p) => (p.status.state === 'running' ? p.status.endpoints : []));
    expect(endpoints).toHaveLength(5);
    for (const e of endpoints) {
      expect(parseIpv4(e.ip)!).toBeGreaterThanOrEqual(parseIpv4('192.168.30.101')!);
      expect(parseIpv4(e.ip)!).toBeLessThanOrEqual(parseIpv4('192.168.30.200')!);
    }
    expect(new Set(endpoints.map((e) => e.mac)).size).toBe(5);
    expect(endpoints.find((e) => e.static)?.ip).toBe('192.168.30.150');
    const db = pods.find((p) => p.name === 'db')!;
    const volume = JSON.parse((await anvil(['get', 'volume', 'my-volume', '-o', 'json'])).stdout) as Volume;
    expect(new Set(volume.plexes.map((p) => p.node)).size).toBe(2);
    expect(volume.attachment).toMatchObject({
      state: 'attached',
      pod: 'db',
      node: db.status.state === 'running' ? db.status.node : 'none',
    });
    // cluster status counts each pod's VF and its guarantees: 4 medium + 1 high pod, the volume's high tier.
    const status = (await anvil(['cluster', 'status'])).stdout;
    expect(status).toMatch(/^Cluster: my-cluster {2}nodes: 3 {2}pods: 5 running, 0 pending/);
    const rows = status.split('\n').filter((l) => /^node\d/.test(l));
    expect(rows).toHaveLength(3);
    const vnics = rows.map((r) => Number(/ (\d+)\/63 /.exec(r)![1]));
    expect(vnics.reduce((a, b) => a + b, 0)).toBe(5);
    // YAML output is the same objects, as a YAML reader sees them.
    expect(parseYaml((await anvil(['get', 'pods', '-o', 'yaml'])).stdout)).toEqual(pods);
    const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' }).stdout;
    for (const command of ['cluster', 'node', 'network', 'perf-tier', 'volume', 'snapshot', 'apply', 'get', 'describe', 'delete', 'events'])
      expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    const json = JSON.parse((await anvil(['cluster', 'status', '-o', 'json'])).stdout) as { cluster: { name: string } };
    expect(json.cluster.name).toBe('my-cluster');
    const audit = (await anvil(['audit'])).stdout;
    expect(audit).toMatch(/operator {2}apply manifests/);
    // Endpoints as the appliance lists them: one VF per pod interface, none given twice on a node.
    const eps = JSON.parse((await anvil(['get', 'endpoints', '-o', 'json'])).stdout) as { node: string; vf: string; vlan: number }[];
    expect(eps).toHaveLength(5);
    expect(new Set(eps.map((e) => `${e.node}/${e.vf}`)).size).toBe(5);
    expect(eps.every((e) => e.vlan === 2)).toBe(true);
    expect((await anvil(['get', 'endpoints'])).stdout).toMatch(/default +db-ep +db +blue +192\.168\.30\.150 \(static\)/);
    expect((await anvil(['delete', 'endpoint', 'db-ep'])).stderr).toMatch(/^ANVIL_ERR_IN_USE: endpoint default\/db-ep is bound to pod db/);
    expect((await anvil(['get', 'deployments'])).stdout).toMatch(/default +web +4\/4/);
    expect((await anvil(['delete', 'deployment', 'web'])).code).toBe(0);
    expect((JSON.parse((await anvil(['get', 'pods', '-o', 'json'])).stdout) as Pod[]).map((p) => p.name)).toEqual(['db']);
    const vnicsAfter = (await anvil(['cluster', 'status'])).stdout
      .split('\n')
      .filter((l) => /^node\d/.test(l))
      .map((r) => Number(/ (\d+)\/63 /.exec(r)![1]));
    expect(vnicsAfter.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('answers bad input with a coded error naming what is wrong, and changes nothing', async () => {
    const state = freshState();
    const anvil = cli(state);
    expect((await anvil(['cluster', 'status'])).stderr).toMatch(/^ANVIL_ERR_NO_CLUSTER: .*anvil cluster create/);
    await anvil(['cluster', 'create', 'c', '--nodes', '2']);
    await anvil([
      'network',
      'create',
      'blue',
      '--subnet',
      '10.1.0.0/24',
      '--start',
      '10.1.0.10',
      '--end',
      '10.1.0.20',
      '--gateway',
      '10.1.0.1',
    ]);
    await anvil(['volume', 'create', 'v1', '--size', '1G']);
    const dir = writeFiles({
      'bad-cpu.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: c\n      resources: { requests: { cpu: lots } }\n',
      'bad-yaml.yaml': 'kind: Pod\nmetadata: { name: [\n',
      'two.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: { name: ok1 }\nspec: { containers: [{ name: c }] }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: bad }\nspec: { containers: [{ name: c }], volumes: [{ name: d, persistentVolumeClaim: { claimName: nope } }] }\n',
    });
    const before =
      (await anvil(['get', 'pods', '-A', '-o', 'json'])).stdout +
      (await anvil(['get', 'volumes', '-o', 'json'])).stdout +
      (await anvil(['get', 'networks', '-o', 'json'])).stdout;
    const cases: [string[], number, RegExp][] = [
      [['cluster', 'create', 'again', '--nodes', '1'], 1, /^ANVIL_ERR_NO_CLUSTER: this state already holds cluster c/],
      [['cluster', 'create', 'x', '--nodes', 'many'], 2, /^ANVIL_ERR_USAGE: .*--nodes.*whole number/],
      [
        [
          'network',
          'create',
          'red',
          '--subnet',
          '10.1.0.128/25',
          '--start',
          '10.1.0.130',
          '--end',
          '10.1.0.140',
          '--gateway',
          '10.1.0.129',
        ],
        1,
        /^ANVIL_ERR_IP_RANGE_OVERLAP: .*overlaps network blue/,
      ],
      [
        ['network', 'create', 'green', '--subnet', '10.2.0.0/33', '--start', '10.2.0.1', '--end', '10.2.0.9', '--gateway', '10.2.0.254'],
        1,
        /^ANVIL_ERR_FIELD_INVALID: --subnet "10.2.0.0\/33"/,
      ],
      [
        ['network', 'create', 'Green', '--subnet', '10.2.0.0/24', '--start', '10.2.0.10', '--end', '10.2.0.20', '--gateway', '10.2.0.1'],
        1,
        /^ANVIL_ERR_FIELD_INVALID: network name "Green"/,
      ],
      [
        ['volume', 'create', 'v2', '--size', 'big'],
        2,
        /^ANVIL_ERR_USAGE: option '--size <size>' argument 'big' is invalid: not a volume size of at least 1M; write e\.g\. 100M, 50G or 2T; see anvil volume create --help\n$/,
      ],
      [
        ['volume', 'create', 'v2', '--size', '1G', '--mirrors', '3'],
        1,
        /^ANVIL_ERR_NO_CAPACITY: volume default\/v2: 3 plexes on distinct nodes asked, only 2/,
      ],
      [['volume', 'create', 'v2', '--size', '1G', '--perf-tier', 'gold'], 1, /^ANVIL_ERR_OBJECT_NOT_FOUND: perf tier gold/],
      [
        ['perf-tier', 'create', 't', '--storage-iops', 'fast', '--network-bandwidth', '1G'],
        2,
        /^ANVIL_ERR_USAGE: option '--storage-iops <n>' argument 'fast' is invalid: not an IOPS count/,
      ],
      [['delete', 'node', 'node1'], 1, /^ANVIL_ERR_IN_USE: node node1 hosts/],
      [['delete', 'volume', 'nope'], 1, /^ANVIL_ERR_OBJECT_NOT_FOUND: volume default\/nope/],
      [['get', 'gadgets'], 2, /^ANVIL_ERR_USAGE: "gadgets" is not a kind.*; see anvil get --help\n$/],
      [['get', 'pods', '-o', 'xml'], 2, /^ANVIL_ERR_USAGE: .*table, json or yaml/],
      [['describe', 'pod', 'ghost'], 1, /^ANVIL_ERR_OBJECT_NOT_FOUND: pods ghost/],
      [
        ['apply', '-f', join(dir, 'bad-cpu.yaml')],
        1,
        /^ANVIL_ERR_MANIFEST: .*bad-cpu\.yaml:7: spec\.containers\[0\]\.resources\.requests\.cpu: "lots" is not a Kubernetes quantity/,
      ],
      [
        ['apply', '-f', join(dir, 'bad-yaml.yaml')],
        1,
        /^ANVIL_ERR_MANIFEST: .*bad-yaml\.yaml is not valid YAML\n {2}.*bad-yaml\.yaml:\d+:/,
      ],
      [['apply', '-f', join(dir, 'two.yaml')], 1, /^ANVIL_ERR_OBJECT_NOT_FOUND: .*two\.yaml:6: pod bad: volume nope does not exist/],
      [['apply', '-f', join(dir, 'missing.yaml')], 1, /^ANVIL_ERR_FILE_NOT_FOUND: -f .*missing\.yaml/],
    ];
    for (const [args, code, message] of cases) {
      const r = await anvil(args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).not.toMatch(STACK);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    const after =
      (await anvil(['get', 'pods', '-A', '-o', 'json'])).stdout +
      (await anvil(['get', 'volumes', '-o', 'json'])).stdout +
      (await anvil(['get', 'networks', '-o', 'json'])).stdout;
    expect(after).toBe(before); // the good pod ok1 of two.yaml was rolled back with the bad one
    const noFolder = await cli(join(tempDir('anvil-cli-'), 'missing', 'state.db'))(['get', 'nodes']);
    expect(noFolder.code).toBe(1);
    expect(noFolder.stderr).toMatch(/^ANVIL_ERR_STATE: .*folder .*missing does not exist/);
    const notAState = join(
      writeFiles({ 'junk.db': 'this is not sqlite, just some text that is long enough to be a header'.repeat(20) }),
      'junk.db',
    );
    const r = await cli(notAState)(['get', 'nodes']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_STATE: .*junk\.db/);
  });

  it('keeps a pod that would oversubscribe a tier pending, describes why per node, and places it when room appears', async () => {
    const anvil = cli(freshState());
    await anvil(['cluster', 'create', 'c', '--nodes', '2']);
    await anvil([
      'network',
      'create',
      'blue',
      '--subnet',
      '10.1.0.0/24',
      '--start',
      '10.1.0.10',
      '--end',
      '10.1.0.250',
      '--gateway',
      '10.1.0.1',
    ]);
    // One huge pod fits a node, two do not: the tier asks for more than half of what a node guarantees.
    const guaranteeable = loadNodeProfile('appliance-d10').guaranteeable_iops;
    const huge = Math.ceil((guaranteeable * 0.6) / 1000) * 1000;
    await anvil(['perf-tier', 'create', 'huge', '--storage-iops', String(huge), '--network-bandwidth', '1G']);
    const pod = (name: string) =>
      `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name}, annotations: { anvil.dev/perf-tier: huge } }\nspec: { containers: [{ name: c }] }\n`;
    for (const n of ['a', 'b']) expect((await anvil(['apply', '-f', '-'], pod(n))).code).toBe(0);
    const c = await anvil(['apply', '-f', '-'], pod('c'));
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/pod\/c pending: 0\/2 nodes are available: 2 perf-tier admission \(storage IOPS\)/);
    const node1 = (await anvil(['describe', 'node', 'node1'])).stdout;
    expect(node1).toContain(`IOPS ${formatCount(huge)}/${formatCount(guaranteeable)}`);
    expect(node1).toContain(`drives intel-p4510-4tb ${formatCount(guaranteeable)}; node rated 500K`);
    expect(node1).toMatch(/Pods \(1\):\n {2}default\/a /);
    const d = (await anvil(['describe', 'pod', 'c'])).stdout;
    expect(d).toMatch(/Status: +pending/);
    expect(d).toContain(
      `node1: perf-tier admission (storage IOPS): ${guaranteeable - huge} of ${guaranteeable} guaranteeable IOPS free, pod needs ${huge}`,
    );
    expect(d).toMatch(/node2: perf-tier admission/);
    expect((await anvil(['events', '--severity', 'warning'])).stdout).toMatch(/FailedScheduling +pod\/default\/c/);
    expect((await anvil(['delete', 'pod', 'a'])).code).toBe(0);
    const after = JSON.parse((await anvil(['get', 'pod', 'c', '-o', 'json'])).stdout) as Pod;
    expect(after.status.state).toBe('running');
    expect((await anvil(['cluster', 'status'])).stdout).toContain(`${formatCount(huge)}/${formatCount(guaranteeable)}`);
  });

  needs(`the corpus ${FIXTURES}`, kubernetesExamples.present)(
    'applies every Kubernetes example manifest onto a cluster with room, reporting what it skips by name',
    async () => {
      const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml'));
      expect(files.length).toBeGreaterThanOrEqual(5);
      for (const file of files) {
        const anvil = cli(freshState());
        await anvil(['cluster', 'create', 'c', '--nodes', '3']);
        await anvil([
          'network',
          'create',
          'blue',
          '--subnet',
          '10.1.0.0/24',
          '--start',
          '10.1.0.10',
          '--end',
          '10.1.0.250',
          '--gateway',
          '10.1.0.1',
        ]);
        const r = await anvil(['apply', '-f', join(FIXTURES, file)]);
        expect(r.code, `${file}: ${r.stderr}`).toBe(0);
        expect(r.stdout, file).toMatch(/created/);
        const pods = JSON.parse((await anvil(['get', 'pods', '-A', '-o', 'json'])).stdout) as Pod[];
        expect(pods.length, file).toBeGreaterThan(0);
        expect(
          pods.filter((p) => p.status.state !== 'running').map((p) => p.name),
          file,
        ).toEqual([]);
        if (file.startsWith('guestbook')) expect(r.stderr).toMatch(/Service redis-master: kind Service is not modelled/);
        if (file.startsWith('cassandra')) {
          expect(r.stderr).toMatch(/StorageClass fast: provisioner k8s\.io\/minikube-hostpath is not modelled/);
          const vols = JSON.parse((await anvil(['get', 'volumes', '-o', 'json'])).stdout) as Volume[];
          expect(vols.map((v) => v.name).sort()).toEqual([
            'cassandra-data-cassandra-0',
            'cassandra-data-cassandra-1',
            'cassandra-data-cassandra-2',
          ]);
          expect(vols.every((v) => v.size_bytes === 2 ** 30 && v.attachment.state === 'attached')).toBe(true);
        }
        if (file === 'mysql.yaml') expect(r.stderr).toMatch(/volume mysql-persistent-storage uses cinder/);
      }
      // The whole folder at once, strictly: rejected, naming each unmodelled document, and nothing changes.
      const anvil = cli(freshState());
      await anvil(['cluster', 'create', 'c', '--nodes', '3']);
      await anvil([
        'network',
        'create',
        'blue',
        '--subnet',
        '10.1.0.0/24',
        '--start',
        '10.1.0.10',
        '--end',
        '10.1.0.250',
        '--gateway',
        '10.1.0.1',
      ]);
      const strict = await anvil(['apply', '-f', FIXTURES, '--strict']);
      expect(strict.code).toBe(1);
      expect(strict.stderr).toMatch(/^ANVIL_ERR_KIND_UNSUPPORTED/);
      expect(strict.stderr).toMatch(/Service frontend/);
      expect(JSON.parse((await anvil(['get', 'pods', '-A', '-o', 'json'])).stdout)).toEqual([]);
      const all = await anvil(['apply', '-f', FIXTURES]);
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/deployment\.apps\/frontend unchanged/);
    },
  );
});
