/**
 * The real kubectl reading `anvil serve` beyond nodes and pods (plain http, --kube-anonymous-loopback, a
 * fresh discovery cache): `get deploy,sts,pvc,ns`, `get all`, `-A`, `-l`, `--sort-by`, field selectors,
 * `get events`, `describe pod` with Anvil's annotations and scheduling event, and `get pods -w` showing a
 * new pod and its deletion once each. Skipped with one line where kubectl is missing; in CI it must be there.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stopServe, type ServeChild } from '../../../bench/perf/serve-child.js';
import { tempDir, writeFiles } from '../../cli-harness.js';
import { describeNeeds } from '../../needs.js';
import { anvilIn, KUBECTL, kubectlIn, setUpLab, startLoopbackServe, WEB_DEPLOYMENT } from './kubectl-harness.js';

const MANIFESTS = {
  'web.yaml': `${WEB_DEPLOYMENT}---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 10Gi } }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  replicas: 1
  template:
    spec:
      containers: [{ name: c, image: mysql, resources: { requests: { cpu: 100m, memory: 128Mi } }, volumeMounts: [{ name: data, mountPath: /d }] }]
      volumes: [{ name: data, persistentVolumeClaim: { claimName: data } }]
`,
  'solo.yaml': `apiVersion: v1
kind: Pod
metadata: { name: solo }
spec:
  containers: [{ name: c, image: nginx, resources: { requests: { cpu: 100m, memory: 128Mi } } }]
`,
};

const rowsOf = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => l.split(/\s{2,}/));

describeNeeds('kubectl', KUBECTL !== undefined)('the real kubectl reading anvil serve', () => {
  let serve: ServeChild;
  let env: NodeJS.ProcessEnv;
  let kubeconfig: string;
  let cache: string;
  let manifests: string;
  const anvil = (...args: string[]) => anvilIn(env, args);
  const kubectlArgs = (args: string[]) => ['--kubeconfig', kubeconfig, '--cache-dir', cache, ...args];
  const kubectl = (...args: string[]) => kubectlIn(kubeconfig, cache, env, args);

  beforeAll(async () => {
    ({ serve, env, kubeconfig, cache } = await startLoopbackServe(tempDir('anvil-kubectl-reads-')));
    manifests = writeFiles(MANIFESTS);
    await setUpLab(anvil, [
      ['apply', '-f', join(manifests, 'web.yaml')],
      ['kubeconfig', '--out', kubeconfig],
    ]);
  });
  afterAll(async () => {
    if (serve) await stopServe(serve);
  });

  it('get deploy,sts,pvc,ns prints one section per type with its rows', async () => {
    const r = await kubectl('get', 'deploy,sts,pvc,ns');
    expect(r.code, r.stderr).toBe(0);
    const sections = r.stdout.trim().split('\n\n').map(rowsOf);
    expect(sections.map((s) => s[0]![0])).toEqual(['NAME', 'NAME', 'NAME', 'NAME']);
    expect(sections[0]![0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(sections[0]!.slice(1).map((row) => row.slice(0, 4))).toEqual([['deployment.apps/web', '2/2', '2', '2']]);
    expect(sections[1]!.slice(1).map((row) => row.slice(0, 2))).toEqual([['statefulset.apps/db', '1/1']]);
    expect(sections[2]![0]).toEqual([
      'NAME',
      'STATUS',
      'VOLUME',
      'CAPACITY',
      'ACCESS MODES',
      'STORAGECLASS',
      'VOLUMEATTRIBUTESCLASS',
      'AGE',
    ]);
    expect(sections[2]!.slice(1).map((row) => [row[0], row[1], row[3]])).toEqual([['persistentvolumeclaim/data', 'Bound', '10Gi']]);
    expect(sections[3]!.slice(1).map((row) => row.slice(0, 2))).toEqual([['namespace/default', 'Active']]);
  });

  it('get all lists pods, deployments, replicasets and statefulsets', async () => {
    const r = await kubectl('get', 'all');
    expect(r.code, r.stderr).toBe(0);
    const names = r.stdout
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('NAME'))
      .map((l) => l.split(/\s+/)[0]!.replace(/-[0-9a-f]{10}$/, '-HASH'));
    // In discovery's order, as kubectl lists a category.
    expect(names).toEqual(['pod/db-0', 'pod/web-0', 'pod/web-1', 'deployment.apps/web', 'statefulset.apps/db', 'replicaset.apps/web-HASH']);
  });

  it('-A, -l, --sort-by and --field-selector filter and order as kubectl does', async () => {
    const labelled = await kubectl('get', 'pods', '-A', '-l', 'app=web', '--sort-by=.metadata.name');
    expect(labelled.code, labelled.stderr).toBe(0);
    expect(rowsOf(labelled.stdout).map((row) => row.slice(0, 2))).toEqual([
      ['NAMESPACE', 'NAME'],
      ['default', 'web-0'],
      ['default', 'web-1'],
    ]);
    const sorted = await kubectl('get', 'pods', '--sort-by=.status.podIP', '-o', 'custom-columns=NAME:.metadata.name,IP:.status.podIP');
    expect(sorted.code, sorted.stderr).toBe(0);
    const ips = rowsOf(sorted.stdout)
      .slice(1)
      .map((row) => row[1]!);
    expect(ips).toHaveLength(3);
    expect(ips).toEqual([...ips].sort());
    const notIn = await kubectl('get', 'pods', '-l', 'app notin (web)', '-o', 'name');
    expect(notIn.stdout.trim()).toBe('pod/db-0');
    const bad = await kubectl('get', 'pods', '--field-selector', 'spec.foo=x');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^Error from server \(BadRequest\): .*"spec\.foo" is not a known field selector for Pod: only "metadata\.name"/m,
    );
  });

  it("get events lists Anvil's events, the scheduler's among them", async () => {
    const r = await kubectl('get', 'events');
    expect(r.code, r.stderr).toBe(0);
    const rows = rowsOf(r.stdout);
    expect(rows[0]).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(
      rows
        .filter((row) => row[2] === 'Scheduled')
        .map((row) => row[3])
        .sort(),
    ).toEqual(['pod/db-0', 'pod/web-0', 'pod/web-1']);
  });

  it("describe pod shows the node, IP, container, Anvil's endpoint, tier and volume annotations, and the scheduling event", async () => {
    const r = await kubectl('describe', 'pod', 'db-0');
    expect(r.code, r.stderr).toBe(0);
    const node = /^Node:\s+(node\d)\//m.exec(r.stdout)?.[1];
    expect(node).toBeDefined();
    const ip = /^IP:\s+(10\.20\.0\.\d+)$/m.exec(r.stdout)?.[1];
    expect(ip).toBeDefined();
    expect(r.stdout).toMatch(/^Containers:\n {2}db-0:\n/m);
    expect(r.stdout).toMatch(
      new RegExp(`anvil\\.dev/endpoint\\.pods: ip=${ip!.replace(/\./g, '\\.')} mac=[0-9a-f:]{17} vf=\\S+/\\d+ tier=`),
    );
    expect(r.stdout).toMatch(/anvil\.dev\/perf-tier: \S+/);
    expect(r.stdout).toMatch(/anvil\.dev\/volume\.data: in-sync mirrors=1 plexes=node\d:in-sync/);
    expect(r.stdout).toMatch(
      new RegExp(`^ {2}Normal\\s+Scheduled\\s+\\S+\\s+anvil-scheduler\\s+placed on ${node}: pods ${ip!.replace(/\./g, '\\.')}`, 'm'),
    );
  });

  it('get pods -w shows the listed pods once, then a new pod and its deletion as they happen', async () => {
    const child = spawn(KUBECTL ?? 'kubectl', kubectlArgs(['get', 'pods', '-w', '--output-watch-events']), {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const waits: { pattern: RegExp; resolve: () => void }[] = [];
    const settle = () => {
      for (const w of [...waits]) {
        if (!w.pattern.test(out)) continue;
        waits.splice(waits.indexOf(w), 1);
        w.resolve();
      }
    };
    child.stdout.on('data', (d) => ((out += String(d)), settle()));
    const ended = new Promise<never>((_, reject) => child.on('exit', () => reject(new Error(`kubectl get -w exited early: ${out}`))));
    ended.catch(() => undefined);
    /** Resolves once kubectl has printed `pattern`; rejects if it exits first. */
    const seen = (pattern: RegExp) => Promise.race([new Promise<void>((resolve) => (waits.push({ pattern, resolve }), settle())), ended]);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      await seen(/web-1/);
      expect((await anvil('apply', '-f', join(manifests, 'solo.yaml'))).code).toBe(0);
      await seen(/^ADDED\s+solo\s/m);
      expect((await anvil('delete', 'pod', 'solo')).code).toBe(0);
      await seen(/^DELETED\s+solo\s/m);
    } finally {
      child.kill();
      await exited;
    }
    const rows = rowsOf(out).map((row) => `${row[0]} ${row[1]}`);
    expect(rows).toEqual(['EVENT NAME', 'ADDED db-0', 'ADDED web-0', 'ADDED web-1', 'ADDED solo', 'DELETED solo']);
  });
});
