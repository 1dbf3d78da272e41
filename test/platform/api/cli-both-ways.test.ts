/**
 * The CLI against a server prints what it prints on the embedded state: the same commands run on a state
 * file and through `anvil serve` (--server/--token, ANVIL_SERVER/ANVIL_TOKEN, and anvil login's file), and
 * their outputs compared. Timestamps and tokens are masked: the two runs happen at different moments, and
 * every token is new. The commands run in-process (runCli, the bin's own entry) against a served child:
 * the test is about what they print; a few runs of the built bin keep the process boundary covered.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe } from '../../../bench/perf/serve-child.js';
import { anvilInProcess, tempDir, writeFiles } from '../../cli-harness.js';
import { anvilBin } from '../../../bench/package-root.js';

const BIN = anvilBin();
const dir = tempDir('anvil-both-');
const ENV = { XDG_CONFIG_HOME: join(dir, 'config'), ANVIL_USER: 'admin', ANVIL_SERVER: '', ANVIL_TOKEN: '', ANVIL_STATE: '' };
// This file runs in its own process (vitest's forks pool): the in-process CLI reads the same environment.
Object.assign(process.env, ENV);
const env = { ...process.env, ...ENV };
let server: ChildProcess;
let url = '';
let token = '';

// Times, tokens and a resync's progress (read off the wall clock: the two runs of a command are apart by
// however long the machine takes) are masked.
const masked = (text: string) =>
  text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/anvil_[A-Za-z0-9_-]{20,}/g, '<token>')
    .replace(/resyncing \d+%/g, 'resyncing <progress>');

/** `anvil ARGS` in-process, with `extraEnv` set for the length of the run. */
async function anvil(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await anvilInProcess(args, extraEnv);
  return { ...r, stdout: masked(r.stdout) };
}

/** `anvil ARGS` as a user runs it: the built bin, in a process of its own. */
function spawned(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } });
  return { code: r.status, stdout: masked(r.stdout), stderr: r.stderr };
}

beforeAll(async () => {
  const started = await startServe(['--state', join(dir, 'served.db')], env);
  server = started.child;
  url = started.url;
  token = started.token!;
});

afterAll(async () => {
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
});

// A Deployment, a StatefulSet, a pod on a persistent endpoint, and a pod too big for any node (pending).
const manifest = join(
  writeFiles({
    'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  template:
    metadata: { annotations: { anvil.dev/perf-tier: medium } }
    spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 500m, memory: 1Gi } } }] }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: cache, namespace: shop }
spec:
  replicas: 2
  template:
    spec: { containers: [{ name: c, image: redis, resources: { requests: { cpu: 100m, memory: 128Mi } } }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  annotations: { anvil.dev/endpoint0: '{"endpointId":"db-ep","perfTier":"high"}' }
spec: { containers: [{ name: db, image: postgres, resources: { requests: { cpu: "1", memory: 2Gi } } }] }
---
apiVersion: v1
kind: Pod
metadata: { name: huge, namespace: shop }
spec: { containers: [{ name: c, image: x, resources: { requests: { cpu: "500", memory: 1Gi } } }] }
`,
  }),
  'app.yaml',
);

const COMMANDS: string[][] = [
  ['cluster', 'create', 'c1', '--nodes', '3'],
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
  ['perf-tier', 'create', 'gold', '--storage-iops', '10k', '--network-bandwidth', '250M'],
  ['tenant', 'create', 'shop'],
  ['user', 'create', 'ann', '--roles', 'tenant-user/shop'],
  ['volume', 'create', 'data', '-n', 'shop', '--size', '50G', '--mirrors', '2', '--perf-tier', 'high'],
  ['snapshot', 'create', 'snap1', '-n', 'shop', '--volume', 'data'],
  ['endpoint', 'create', 'db-ep', '-n', 'shop', '--network', 'blue', '--ip', '192.168.30.150'],
  ['endpoint', 'create', 'spare', '-n', 'shop', '--network', 'blue'],
  ['endpoint', 'create', 'outside', '-n', 'shop', '--network', 'blue', '--ip', '10.0.0.1'],
  ['endpoint', 'create', 'spare', '-n', 'shop', '--network', 'blue'],
  ['endpoint', 'create', 'lost', '-n', 'shop', '--network', 'nowhere'],
  ['apply', '-f', manifest],
  // Namespace quotas: set, enforced, shown with usage, removed.
  ['quota', 'set', 'shop', '--pods', '50', '--volumes', '1', '--capacity', '1T', '--bandwidth', '10G'],
  ['volume', 'create', 'extra', '-n', 'shop', '--size', '1G'],
  ['get', 'quotas', '-A'],
  ['quota', 'set', 'shop'],
  ['quota', 'delete', 'shop'],
  ['quota', 'delete', 'shop'],
  ['node', 'cordon', 'node2'],
  // One zone and no node labelled yet: both refused alike.
  ['volume', 'create', 'spread', '-n', 'shop', '--size', '10G', '--mirrors', '2', '--spread-zones'],
  ['volume', 'create', 'pinned', '-n', 'shop', '--size', '10G', '--mirrors', '1', '--selector', 'rack=r2'],
  ['node', 'add', 'node4', '--zone', 'zone1', '--label', 'rack=r2', '--taint', 'gpu=yes'],
  ['volume', 'create', 'spread', '-n', 'shop', '--size', '10G', '--mirrors', '2', '--spread-zones'],
  ['volume', 'create', 'pinned', '-n', 'shop', '--size', '10G', '--selector', 'rack=r2', '--selector', 'disk=nvme'],
  ['volume', 'create', 'pinned', '-n', 'shop', '--size', '10G', '--selector', 'rack=r2'],
  ['describe', 'volume', 'pinned', '-n', 'shop'],
  ['describe', 'volume', 'spread', '-n', 'shop'],
  ['node', 'drain', 'node3'],
  ['node', 'fail', 'node1'],
  ['node', 'recover', 'node1'],
  ['volume', 'update', 'data', '-n', 'shop', '--mirrors', '3'],
  ['snapshot', 'restore', 'snap1', '-n', 'shop', '--to', 'copy'],
  ['cluster', 'status'],
  ['cluster', 'status', '-o', 'json'],
  ['get', 'nodes'],
  ['get', 'networks'],
  ['get', 'perf-tiers', '-o', 'yaml'],
  ['get', 'volumes', '-n', 'shop'],
  ['get', 'volumes', '-A', '-o', 'json'],
  ['get', 'snapshots', '-n', 'shop'],
  ['get', 'pods', '-A'],
  ['get', 'endpoints', '-A'],
  ['get', 'endpoints', '-n', 'shop', '-o', 'json'],
  ['get', 'deployments', '-A'],
  ['get', 'statefulsets', '-A'],
  ['get', 'snapshots', '-A'],
  ['get', 'volume', 'data', '-n', 'shop', '-o', 'json'],
  ['get', 'namespaces'],
  ['get', 'users'],
  ['get', 'volume', 'nope', '-n', 'shop'],
  ['describe', 'pod', 'huge', '-n', 'shop'],
  ['describe', 'pod', 'db', '-n', 'shop'],
  ['describe', 'node', 'node1'],
  ['describe', 'node', 'node4'],
  ['describe', 'network', 'blue'],
  ['describe', 'perf-tier', 'gold'],
  ['describe', 'volume', 'data', '-n', 'shop'],
  ['describe', 'snapshot', 'snap1', '-n', 'shop'],
  ['describe', 'endpoint', 'db-ep', '-n', 'shop'],
  ['describe', 'endpoint', 'spare', '-n', 'shop'],
  ['describe', 'deployment', 'web', '-n', 'shop'],
  ['describe', 'statefulset', 'cache', '-n', 'shop'],
  ['describe', 'namespace', 'shop'],
  ['describe', 'user', 'ann'],
  ['describe', 'pod', 'ghost', '-n', 'shop'],
  ['describe', 'pod', 'Not_A_Name', '-n', 'shop'],
  // A namespace no tenant can bear: empty, not found, or the domain's own refusal, as embedded.
  ['get', 'volumes', '-n', 'Shop'],
  ['get', 'volumes', '-n', 'Shop', '-o', 'json'],
  ['describe', 'volume', 'data', '-n', 'Shop'],
  ['volume', 'create', 'x', '--size', '1G', '-n', 'Shop'],
  ['endpoint', 'create', 'x', '--network', 'blue', '-n', 'Shop'],
  ['describe', 'node', 'node9'],
  ['token', 'create', 'ann', '--name', 'ci'],
  ['token', 'create', 'ghost'],
  // Users managed both ways: roles changed, tokens listed and revoked, users deleted with their tokens.
  ['user', 'create', 'bob', '--roles', 'viewer'],
  ['token', 'create', 'bob', '--name', 'laptop'],
  ['token', 'create', 'bob', '--name', 'ci'],
  ['token', 'list', 'bob'],
  ['token', 'list'],
  ['token', 'list', 'ann', '-o', 'json'],
  ['token', 'list', '-o', 'yaml'],
  ['token', 'list', 'ghost'],
  ['token', 'revoke', 'bob', '3'],
  ['token', 'revoke', 'bob', '3'],
  ['token', 'revoke', 'ann', '4'],
  ['token', 'revoke', 'bob', 'x'],
  ['token', 'revoke', 'ghost', '1'],
  ['token', 'list', 'bob'],
  ['user', 'set-roles', 'bob', '--roles', 'tenant-user/shop, node-view'],
  ['user', 'set-roles', 'bob', '--roles', 'root'],
  ['user', 'set-roles', 'ghost', '--roles', 'viewer'],
  ['user', 'set-roles', 'admin', '--roles', 'viewer'],
  ['get', 'user', 'bob', '-o', 'json'],
  ['user', 'delete', 'bob'],
  ['user', 'delete', 'bob'],
  ['token', 'list', 'bob'],
  ['user', 'create', 'bob', '--roles', 'viewer'],
  ['token', 'list', '-o', 'table'],
  ['user', 'create', 'carl', '--roles', 'tenant-admin/shop'],
  ['token', 'create', 'carl'],
  ['delete', 'user', 'carl'],
  ['delete', 'user', 'carl'],
  ['delete', 'user', 'Not_A_Name'],
  ['user', 'delete', 'admin'],
  ['delete', 'user', 'admin'],
  ['delete', 'endpoint', 'db-ep', '-n', 'shop'],
  ['delete', 'endpoint', 'spare', '-n', 'shop'],
  ['delete', 'endpoint', 'spare', '-n', 'shop'],
  ['delete', 'deployment', 'web', '-n', 'shop'],
  ['delete', 'statefulset', 'cache', '-n', 'shop'],
  ['delete', 'statefulset', 'cache', '-n', 'shop'],
  ['delete', 'pod', 'db', '-n', 'shop'],
  ['delete', 'endpoint', 'db-ep', '-n', 'shop'],
  ['get', 'pods', '-A'],
  ['get', 'endpoints', '-A'],
  ['delete', 'snapshot', 'snap1', '-n', 'shop'],
  ['delete', 'network', 'blue'],
  ['delete', 'volume', 'copy', '-n', 'shop'],
  ['node', 'remove', 'node4'],
  ['node', 'uncordon', 'node2'],
  // Issue 11: a node removed with --force takes its plexes; a volume steps back up on another node, a lost one says so.
  ['node', 'remove', 'node4', '--force'],
  ['get', 'volume', 'pinned', '-n', 'shop'],
  ['volume', 'update', 'pinned', '-n', 'shop', '--mirrors', '1'],
  ['volume', 'update', 'spread', '-n', 'shop', '--mirrors', '3'],
  ['volume', 'update', 'spread', '-n', 'shop', '--mirrors', '2'],
  ['volume', 'update', 'data', '-n', 'shop', '--mirrors', '1'],
  ['volume', 'update', 'data', '-n', 'shop', '--mirrors', '2'],
  ['perf-tier', 'create', 'capped', '--storage-iops', '1k', '--network-bandwidth', '10M', '--max-storage-iops', '5k'],
  ['describe', 'perf-tier', 'capped'],
  ['events', '--limit', '15'],
  ['events', '--object', 'volume', '-o', 'json'],
  ['events', '--object', 'ENDPOINT/shop', '--severity', 'info'],
  ['audit'],
];

/** What some outputs must hold (at a command's first run), so that two equal outputs are also the right ones. */
const MUST: Record<string, RegExp> = {
  'endpoint create db-ep -n shop --network blue --ip 192.168.30.150': /^endpoint db-ep created: blue 192\.168\.30\.150 [0-9a-f:]{17}\n$/,
  'volume create pinned -n shop --size 10G --selector rack=r2': /^volume pinned created: plexes on node4\n$/,
  'describe volume pinned -n shop': /node_selector: +\{"rack":"r2"\}/,
  'describe pod huge -n shop': /Status: +pending\n(.|\n)*Scheduling \(per node\):\n(.|\n)*node4: /,
  'describe pod db -n shop': /Status: +running\n(.|\n)*blue +ip 192\.168\.30\.150 (.|\n)*\(static\)/,
  'describe node node1': /Allocated \(used \/ total\):\n(.|\n)*Pods \(\d+\):\n {2}shop\//,
  'describe endpoint db-ep -n shop': /pod: +db\n/,
  'describe deployment web -n shop': /running: +3\n/,
  'token create ann --name ci': /^<token>\n$/,
  'delete deployment web -n shop': /^deployment web deleted\n$/,
  'delete endpoint spare -n shop': /^endpoint spare deleted\n$/,
  'get volume pinned -n shop': /^NAMESPACE .*\nshop +pinned +10\.00GiB +best-effort +0\/1 +- +lost /,
  'volume update spread -n shop --mirrors 2': /^volume spread updated: 10737418240 bytes, plexes on node\d, node\d\n$/,
  'perf-tier create capped --storage-iops 1k --network-bandwidth 10M --max-storage-iops 5k':
    /^perf tier capped created \(its maximums are enforced on the model, not on a host yet\)\n$/,
  'describe perf-tier capped': /Max storage IOPS: +5K \(enforced on the model, not on a host yet\)\n/,
  // Ids line up both ways: token 1 is admin's (printed by serve; issued in the local state before the run), 2 ann's.
  'token list bob': /^ID +USER +NAME +CREATED_AT\n3 +bob +laptop +<time>\n4 +bob +ci +<time>\n$/,
  'token list':
    /^ID +USER +NAME +CREATED_AT\n1 +admin +first admin token +<time>\n2 +ann +ci +<time>\n3 +bob +laptop +<time>\n4 +bob +ci +<time>\n$/,
  'token list ann -o json': /^\[\n {2}\{\n {4}"id": 2,\n {4}"user": "ann",\n {4}"name": "ci",\n {4}"created_at": "<time>"\n {2}\}\n\]\n$/,
  'token revoke bob 3': /^token 3 revoked\n$/,
  'user set-roles bob --roles tenant-user/shop, node-view': /^user bob roles: tenant-user\/shop, node-view\n$/,
  'get user bob -o json': /"roles": \[\n +"tenant-user\/shop",\n +"node-view"\n +\]/,
  'user delete bob': /^user bob deleted, 1 token revoked\n$/,
  'delete user carl': /^user carl deleted\n$/,
  // bob, deleted and created again, has no token
  'token list -o table': /^ID +USER +NAME +CREATED_AT\n1 +admin +first admin token +<time>\n2 +ann +ci +<time>\n$/,
};

/** The error some commands must fail with (at their first run), both ways. */
const FAILS: Record<string, string> = {
  'token list ghost': 'ANVIL_ERR_OBJECT_NOT_FOUND',
  'volume update pinned -n shop --mirrors 1': 'ANVIL_ERR_VOLUME_UNAVAILABLE',
  'volume update spread -n shop --mirrors 3': 'ANVIL_ERR_FIELD_INVALID',
  'token revoke ann 4': 'ANVIL_ERR_OBJECT_NOT_FOUND',
  'token revoke bob x': 'ANVIL_ERR_USAGE',
  'token revoke ghost 1': 'ANVIL_ERR_OBJECT_NOT_FOUND',
  'user set-roles bob --roles root': 'ANVIL_ERR_FIELD_INVALID',
  'user set-roles ghost --roles viewer': 'ANVIL_ERR_OBJECT_NOT_FOUND',
  'user set-roles admin --roles viewer': 'ANVIL_ERR_IN_USE',
  'user delete admin': 'ANVIL_ERR_IN_USE',
  'delete user admin': 'ANVIL_ERR_IN_USE',
  'delete user Not_A_Name': 'ANVIL_ERR_OBJECT_NOT_FOUND',
};

describe('the CLI against a server', () => {
  it('prints the same output (and errors) as on the embedded state, command by command', async () => {
    const local = join(dir, 'local.db');
    // The served state starts with its bootstrap admin: give the local one the same user.
    expect((await anvil(['user', 'create', 'admin', '--roles', 'cluster-admin', '--state', local])).code).toBe(0);
    expect((await anvil(['token', 'create', 'admin', '--name', 'first admin token', '--state', local])).code).toBe(0);
    const checked = new Set<string>();
    for (const cmd of COMMANDS) {
      const l = await anvil([...cmd, '--state', local]);
      const r = await anvil([...cmd, '--server', url, '--token', token]);
      expect(r.stdout, `anvil ${cmd.join(' ')}\nstderr: ${r.stderr}`).toBe(l.stdout);
      expect([r.code, r.stderr.split(':')[0]], `anvil ${cmd.join(' ')}: ${r.stderr} vs ${l.stderr}`).toEqual([
        l.code,
        l.stderr.split(':')[0],
      ]);
      const must = checked.has(cmd.join(' ')) ? undefined : MUST[cmd.join(' ')];
      if (must) expect(r.stdout, `anvil ${cmd.join(' ')}`).toMatch(must);
      const fails = checked.has(cmd.join(' ')) ? undefined : FAILS[cmd.join(' ')];
      // Usage errors exit 2, the others 1 (platform/cli/main.ts).
      if (fails) expect([r.code, r.stderr.split(':')[0]], `anvil ${cmd.join(' ')}`).toEqual([fails === 'ANVIL_ERR_USAGE' ? 2 : 1, fails]);
      checked.add(cmd.join(' '));
    }
    expect(Object.keys(MUST).filter((k) => !checked.has(k))).toEqual([]);
    expect(Object.keys(FAILS).filter((k) => !checked.has(k))).toEqual([]);
  });

  it('takes the server from ANVIL_SERVER/ANVIL_TOKEN and from anvil login; --state keeps a command local', async () => {
    // Across the process boundary: the environment and the login file reach the bin.
    const viaEnv = spawned(['get', 'namespaces'], { ANVIL_SERVER: url, ANVIL_TOKEN: token });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain('shop');
    expect((await anvil(['get', 'namespaces'], { ANVIL_SERVER: url, ANVIL_TOKEN: token })).stdout).toBe(viaEnv.stdout);
    expect(spawned(['login', '--server', url, '--token', token]).code).toBe(0);
    const viaLogin = spawned(['get', 'namespaces']);
    expect(viaLogin.stdout).toBe(viaEnv.stdout);
    expect((await anvil(['get', 'namespaces'])).stdout).toBe(viaEnv.stdout);
    const local = await anvil(['get', 'namespaces', '--state', join(dir, 'empty.db')]);
    expect(local.stdout).not.toContain('shop');
    // A tenant user's token sees only its tenant, through the same commands.
    const annToken = spawnSync(process.execPath, [BIN, 'token', 'create', 'ann', '--state', join(dir, 'served.db')], {
      encoding: 'utf8',
      env,
    }).stdout.trim();
    const ann = await anvil(['get', 'volumes', '-n', 'default', '--server', url, '--token', annToken]);
    expect([ann.code, ann.stderr.split(':')[0]]).toEqual([1, 'ANVIL_ERR_FORBIDDEN']);
    // Through the server a tenant user describes its own pods and volumes, events included, not another's or the
    // nodes; it issues tokens for itself only (`token create` over the API), printed once.
    const asAnn = (args: string[]) => anvil([...args, '--server', url, '--token', annToken]);
    expect((await asAnn(['describe', 'pod', 'huge', '-n', 'shop'])).stdout).toMatch(
      /Scheduling \(per node\):\n(.|\n)*Events:\n.*FailedScheduling/,
    );
    expect((await asAnn(['describe', 'volume', 'data', '-n', 'shop'])).stdout).toMatch(/Events:\n.*VolumeCreated/);
    for (const args of [
      ['describe', 'volume', 'data', '-n', 'default'],
      ['describe', 'node', 'node1'],
      ['token', 'create', 'admin'],
    ]) {
      const r = await asAnn(args);
      expect([r.code, r.stderr.split(':')[0]], args.join(' ')).toEqual([1, 'ANVIL_ERR_FORBIDDEN']);
    }
    expect((await asAnn(['token', 'create', 'ann'])).stdout).toMatch(/^<token>\n$/);
    // A user who may view volumes but no events still gets the volume described, without events.
    expect((await anvil(['user', 'create', 'vic', '--roles', 'volume-view/shop', '--server', url, '--token', token])).code).toBe(0);
    const vicToken = spawnSync(process.execPath, [BIN, 'token', 'create', 'vic', '--server', url, '--token', token], {
      encoding: 'utf8',
      env,
    }).stdout.trim();
    const vic = await anvil(['describe', 'volume', 'data', '-n', 'shop', '--server', url, '--token', vicToken]);
    expect([vic.code, vic.stdout]).toEqual([0, expect.stringMatching(/^Kind: +volumes\n(.|\n)*Name: +data\n/)]);
    expect(vic.stdout).not.toContain('Events:');
    const bad = await anvil(['get', 'nodes', '--server', 'http://127.0.0.1:1', '--token', 'x']);
    expect([bad.code, bad.stderr.split(':')[0]]).toEqual([1, 'ANVIL_ERR_SERVER']);
  });
});
