/**
 * The real kubectl against `anvil serve` on a loopback port, with the kubeconfig `anvil kubeconfig` writes
 * (plain http: kubectl sends no token, so the server runs with --kube-anonymous-loopback) and a fresh
 * discovery cache per run; without that flag kubectl is Unauthorized. Skipped with one line where kubectl
 * is missing; in CI it must be there.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, stopServe, type ServeChild } from '../../../bench/perf/serve-child.js';
import { tempDir, writeFiles } from '../../cli-harness.js';
import { describeNeeds } from '../../needs.js';
import { anvilIn, KUBECTL, kubectlIn, setUpLab, startLoopbackServe, WEB_DEPLOYMENT } from './kubectl-harness.js';

describeNeeds('kubectl', KUBECTL !== undefined)('the real kubectl against anvil serve', () => {
  let serve: ServeChild;
  let env: NodeJS.ProcessEnv;
  let kubeconfig: string;
  let cache: string;
  const anvil = (...args: string[]) => anvilIn(env, args);
  const kubectl = (...args: string[]) => kubectlIn(kubeconfig, cache, env, args);

  beforeAll(async () => {
    ({ serve, env, kubeconfig, cache } = await startLoopbackServe(tempDir('anvil-kubectl-')));
    await setUpLab(anvil);
    const manifests = writeFiles({ 'web.yaml': WEB_DEPLOYMENT });
    const applied = await anvil('apply', '-f', join(manifests, 'web.yaml'));
    expect(applied.code, applied.stderr).toBe(0);
    const written = await anvil('kubeconfig', '--out', kubeconfig);
    expect(written.code, written.stderr).toBe(0);
  });
  afterAll(async () => {
    if (serve) await stopServe(serve);
  });

  it('kubectl version shows the server version', async () => {
    const r = await kubectl('version');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Server Version: v1\.32\.0-anvil$/m);
  });

  it('kubectl api-resources lists the short names', async () => {
    const r = await kubectl('api-resources');
    expect(r.code, r.stderr).toBe(0);
    const shortOf = Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s+/))
        .map(([name, short]) => [name, short]),
    );
    expect(shortOf).toMatchObject({
      pods: 'po',
      nodes: 'no',
      namespaces: 'ns',
      deployments: 'deploy',
      statefulsets: 'sts',
      persistentvolumeclaims: 'pvc',
    });
  });

  it('kubectl get nodes shows the Anvil nodes', async () => {
    const r = await kubectl('get', 'nodes');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual(['node1 Ready', 'node2 Ready', 'node3 Ready']);
  });

  it('kubectl get pods -A -o wide shows the Anvil nodes and the IPs of the network', async () => {
    const r = await kubectl('get', 'pods', '-A', '-o', 'wide');
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual([
      'NAMESPACE',
      'NAME',
      'READY',
      'STATUS',
      'RESTARTS',
      'AGE',
      'IP',
      'NODE',
      'NOMINATED NODE',
      'READINESS GATES',
    ]);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const [ns, name, ready, status, , , ip, node] = row.split(/\s+/);
      expect([ns, ready, status], row).toEqual(['default', '1/1', 'Running']);
      expect(name, row).toMatch(/^web-/);
      expect(ip, row).toMatch(/^10\.20\.0\.\d+$/);
      expect(node, row).toMatch(/^node[123]$/);
    }
  });

  it('without --kube-anonymous-loopback, kubectl over http (which sends no token) is Unauthorized', async () => {
    const dir = tempDir('anvil-kubectl-closed-');
    const closed = await startServe(['--state', join(dir, 'state.db')], env);
    try {
      const config = join(dir, 'kubeconfig');
      expect((await anvil('kubeconfig', '--server', closed.url, '--token', closed.token!, '--out', config)).code).toBe(0);
      const r = await kubectlIn(config, join(dir, 'cache'), env, ['get', 'nodes']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: You must be logged in to the server \(/m);
    } finally {
      await stopServe(closed);
    }
  });

  it("kubectl get pod nosuch prints kubectl's own NotFound message", async () => {
    const r = await kubectl('get', 'pod', 'nosuch');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): pods "nosuch" not found');
  });
});
