/**
 * The CLI against a server prints what it prints on the embedded state: the same commands run on a state
 * file and through `anvil serve` (--server/--token, ANVIL_SERVER/ANVIL_TOKEN, and anvil login's file), and
 * their outputs compared. Timestamps are masked: the two runs happen at different moments.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeFiles } from '../../cli-harness.js';

const BIN = join(process.cwd(), 'dist', 'platform', 'cli', 'main.js');
const dir = tempDir('anvil-both-');
const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), ANVIL_USER: 'admin', ANVIL_SERVER: '', ANVIL_TOKEN: '', ANVIL_STATE: '' };
let server: ChildProcess;
let url = '';
let token = '';

function anvil(args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...env, ...extraEnv } });
  return { code: r.status, stdout: r.stdout.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>'), stderr: r.stderr };
}

beforeAll(async () => {
  server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--state', join(dir, 'served.db')], { stdio: ['ignore', 'pipe', 'inherit'], env });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += String(d);
      const u = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      const t = /keep it\): (\S+)/.exec(out)?.[1];
      if (u && t) {
        url = u;
        token = t;
        resolve();
      }
    });
    server.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
});

afterAll(async () => {
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
});

const manifest = join(writeFiles({ 'app.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 3
  template:
    metadata: { annotations: { anvil.dev/perf-tier: medium } }
    spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 500m, memory: 1Gi } } }] }
` }), 'app.yaml');

const COMMANDS: string[][] = [
  ['cluster', 'create', 'c1', '--nodes', '3'],
  ['network', 'create', 'blue', '--subnet', '192.168.30.0/24', '--start', '192.168.30.101', '--end', '192.168.30.200', '--gateway', '192.168.30.1', '--vlan', '2'],
  ['perf-tier', 'create', 'gold', '--storage-iops', '10k', '--network-bandwidth', '250M'],
  ['tenant', 'create', 'shop'],
  ['user', 'create', 'ann', '--roles', 'tenant-user/shop'],
  ['volume', 'create', 'data', '-n', 'shop', '--size', '50G', '--mirrors', '2', '--perf-tier', 'high'],
  ['snapshot', 'create', 'snap1', '-n', 'shop', '--volume', 'data'],
  ['apply', '-f', manifest],
  ['node', 'cordon', 'node2'],
  ['node', 'add', 'node4', '--zone', 'zone1', '--label', 'rack=r2', '--taint', 'gpu=yes'],
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
  ['delete', 'snapshot', 'snap1', '-n', 'shop'],
  ['delete', 'network', 'blue'],
  ['delete', 'volume', 'copy', '-n', 'shop'],
  ['node', 'remove', 'node4'],
  ['node', 'uncordon', 'node2'],
  ['events', '--limit', '15'],
  ['events', '--object', 'volume', '-o', 'json'],
  ['audit'],
];

describe('the CLI against a server', () => {
  it('prints the same output (and errors) as on the embedded state, command by command', () => {
    const local = join(dir, 'local.db');
    // The served state starts with its bootstrap admin: give the local one the same user.
    expect(anvil(['user', 'create', 'admin', '--roles', 'cluster-admin', '--state', local]).code).toBe(0);
    for (const cmd of COMMANDS) {
      const l = anvil([...cmd, '--state', local]);
      const r = anvil([...cmd, '--server', url, '--token', token]);
      expect(r.stdout, `anvil ${cmd.join(' ')}\nstderr: ${r.stderr}`).toBe(l.stdout);
      expect([r.code, r.stderr.split(':')[0]], `anvil ${cmd.join(' ')}: ${r.stderr} vs ${l.stderr}`).toEqual([l.code, l.stderr.split(':')[0]]);
    }
  });

  it('takes the server from ANVIL_SERVER/ANVIL_TOKEN and from anvil login; --state keeps a command local', () => {
    const viaEnv = anvil(['get', 'namespaces'], { ANVIL_SERVER: url, ANVIL_TOKEN: token });
    expect(viaEnv.code).toBe(0);
    expect(viaEnv.stdout).toContain('shop');
    expect(anvil(['login', '--server', url, '--token', token]).code).toBe(0);
    const viaLogin = anvil(['get', 'namespaces']);
    expect(viaLogin.stdout).toBe(viaEnv.stdout);
    const local = anvil(['get', 'namespaces', '--state', join(dir, 'empty.db')]);
    expect(local.stdout).not.toContain('shop');
    // A tenant user's token sees only its tenant, through the same commands.
    const annToken = spawnSync(process.execPath, [BIN, 'token', 'create', 'ann', '--state', join(dir, 'served.db')], { encoding: 'utf8', env }).stdout.trim();
    const ann = anvil(['get', 'volumes', '-n', 'default', '--server', url, '--token', annToken]);
    expect([ann.code, ann.stderr.split(':')[0]]).toEqual([1, 'ANVIL_ERR_FORBIDDEN']);
    const bad = anvil(['get', 'nodes', '--server', 'http://127.0.0.1:1', '--token', 'x']);
    expect([bad.code, bad.stderr.split(':')[0]]).toEqual([1, 'ANVIL_ERR_SERVER']);
  });
});
