/**
 * The real kubectl against `anvil serve` as it starts by default: https with the CA it makes beside its
 * state and plain http from loopback on the same port; `anvil kubeconfig --state` finds that CA and writes
 * https, where kubectl sends its token. Then what kubectl does beyond `create -f`: its imperative creates
 * (protobuf bodies), `metadata.generateName`, deleting a namespace that holds objects, and a Deployment's
 * ReplicaSet as an object of its own (pods -> ReplicaSet -> Deployment by uid; a new template, a new one).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, stopServe, type ServeChild } from '../../../bench/perf/serve-child.js';
import { tempDir } from '../../cli-harness.js';
import { describeNeeds } from '../../needs.js';
import { anvilIn, homeEnv, KUBECTL, kubectlIn, setUpLab } from './kubectl-harness.js';

/** Kubernetes' name-suffix alphabet (k8s.io/apimachinery/pkg/util/rand). */
const SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;

describeNeeds('kubectl', KUBECTL !== undefined)('the real kubectl against anvil serve started without TLS flags', () => {
  const dir = tempDir('anvil-kubectl-default-');
  const state = join(dir, 'state.db');
  const kubeconfig = join(dir, 'kubeconfig');
  let serve: ServeChild;
  let env: NodeJS.ProcessEnv;
  const anvil = (...args: string[]) => anvilIn(env, args);
  const kubectl = (...args: string[]) => kubectlIn(kubeconfig, join(dir, 'kube-cache'), env, args);
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  /** One jsonpath read of one object, its exit code checked. */
  const jsonpath = async (path: string, ...what: string[]) => {
    const r = await kubectl('get', ...what, '-o', `jsonpath=${path}`);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    const home = homeEnv(dir);
    serve = await startServe(['--state', state], home);
    // The CLI keeps talking plain http on loopback, on the same port.
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    env = { ...home, ANVIL_SERVER: serve.url, ANVIL_TOKEN: serve.token! };
    await setUpLab(anvil);
  });
  afterAll(async () => {
    if (serve) await stopServe(serve);
  });

  it('anvil kubeconfig --state writes https with the CA made beside the state, and kubectl sends its token there', async () => {
    expect(serve.stdout()).toContain(`made a CA and serving certificate in ${state}.tls`);
    const written = await anvil('kubeconfig', '--state', state, '--out', kubeconfig);
    expect(written.code, written.stderr).toBe(0);
    const config = parse(readFileSync(kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, string> }[] };
    const cluster = config.clusters[0]!.cluster;
    expect(cluster.server).toBe(serve.url.replace('http:', 'https:'));
    expect(Buffer.from(cluster['certificate-authority-data']!, 'base64').toString()).toBe(readFileSync(`${state}.tls/ca.pem`, 'utf8'));
    // Creating needs the admin's token (there is no --kube-anonymous-loopback here), and a protobuf body is read.
    const created = await kubectl('create', 'namespace', 'team');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout.trim()).toBe('namespace/team created');
  });

  it('kubectl create deployment (a protobuf body) makes the Deployment and its pods', async () => {
    const r = await kubectl('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'team');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('deployment.apps/web created');
    expect(
      await jsonpath(
        '{.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}',
        'deploy',
        'web',
        '-n',
        'team',
      ),
    ).toBe('2 nginx:1.27 80');
    expect((await jsonpath('{range .items[*]}{.metadata.name} {end}', 'pods', '-n', 'team')).trim().split(' ')).toEqual(['web-0', 'web-1']);
  });

  it('pods name their ReplicaSet, which names its Deployment, by uid; a new template makes a new ReplicaSet', async () => {
    const deployUid = await jsonpath('{.metadata.uid}', 'deploy', 'web', '-n', 'team');
    const rs = async () => {
      const [name, uid, owner, hash] = (
        await jsonpath(
          '{range .items[*]}{.metadata.name} {.metadata.uid} {.metadata.ownerReferences[0].uid} {.metadata.labels.pod-template-hash}{"\\n"}{end}',
          'rs',
          '-n',
          'team',
        )
      )
        .trim()
        .split(' ');
      return { name: name!, uid: uid!, owner: owner!, hash: hash! };
    };
    const pods = async () =>
      (
        await jsonpath(
          '{range .items[*]}{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}/{.metadata.ownerReferences[0].uid}/{.metadata.labels.pod-template-hash} {end}',
          'pods',
          '-n',
          'team',
        )
      )
        .trim()
        .split(' ');
    const before = await rs();
    expect(before.owner).toBe(deployUid);
    expect(before.name).toBe(`web-${before.hash}`);
    expect(await pods()).toEqual([
      `ReplicaSet/${before.name}/${before.uid}/${before.hash}`,
      `ReplicaSet/${before.name}/${before.uid}/${before.hash}`,
    ]);
    // The same ReplicaSet on every read, by name too.
    expect(await jsonpath('{.metadata.uid}', 'rs', before.name, '-n', 'team')).toBe(before.uid);
    const described = await kubectl('describe', 'deploy', 'web', '-n', 'team');
    expect(described.stdout).toMatch(new RegExp(`NewReplicaSet:\\s+${before.name} \\(2/2 replicas created\\)`));

    const changed = await kubectl('set', 'image', 'deploy/web', 'nginx=nginx:1.28', '-n', 'team');
    expect(changed.code, changed.stderr).toBe(0);
    const after = await rs();
    expect(after.name).not.toBe(before.name);
    expect(after.uid).not.toBe(before.uid);
    expect(after.owner).toBe(deployUid);
    expect(await pods()).toEqual([
      `ReplicaSet/${after.name}/${after.uid}/${after.hash}`,
      `ReplicaSet/${after.name}/${after.uid}/${after.hash}`,
    ]);
  });

  it('kubectl scale sets replicas through the scale subresource; --current-replicas is a precondition', async () => {
    const podNames = async () =>
      (await jsonpath('{range .items[*]}{.metadata.name} {end}', 'pods', '-n', 'team'))
        .trim()
        .split(' ')
        .filter((n) => n.startsWith('web-'));
    const up = await kubectl('scale', 'deployment', 'web', '--replicas=3', '-n', 'team');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout.trim()).toBe('deployment.apps/web scaled');
    expect(await jsonpath('{.spec.replicas} {.status.replicas}', 'deploy', 'web', '-n', 'team')).toBe('3 3');
    expect(await podNames()).toHaveLength(3);
    // A stale precondition is refused and changes nothing.
    const stale = await kubectl('scale', 'deployment', 'web', '--current-replicas=2', '--replicas=1', '-n', 'team');
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain('Expected replicas to be 2, was 3');
    expect(await podNames()).toHaveLength(3);
    const down = await kubectl('scale', 'deploy/web', '--current-replicas=3', '--replicas=2', '-n', 'team');
    expect(down.code, down.stderr).toBe(0);
    expect(await podNames()).toHaveLength(2);
    const missing = await kubectl('scale', 'deployment', 'nothing', '--replicas=1', '-n', 'team');
    // kubectl's own wording around the server's NotFound.
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim()).toBe('error: no objects passed to scale deployments.apps "nothing" not found');
  });

  it('metadata.generateName: each create gets a name of its own, which kubectl prints', async () => {
    const path = file(
      'job.yaml',
      `apiVersion: v1
kind: Pod
metadata: { generateName: job-, namespace: team }
spec: { containers: [{ name: c, image: busybox, resources: { requests: { cpu: 100m, memory: 64Mi } } }] }
`,
    );
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await kubectl('create', '-f', path);
      expect(r.code, r.stderr).toBe(0);
      const m = /^pod\/job-(\S+) created$/.exec(r.stdout.trim());
      expect(m?.[1], r.stdout).toMatch(SUFFIX);
      names.push(`job-${m![1]}`);
    }
    expect(new Set(names).size).toBe(2);
    expect(
      (await jsonpath('{range .items[*]}{.metadata.name} {end}', 'pods', '-n', 'team'))
        .trim()
        .split(' ')
        .filter((n) => n.startsWith('job-'))
        .sort(),
    ).toEqual(names.sort());
  });

  it('kubectl delete namespace deletes what it holds, then itself, and returns', async () => {
    const claim = file(
      'claim.yaml',
      `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: team }
spec: { accessModes: [ReadWriteOnce], resources: { requests: { storage: 1Gi } } }
`,
    );
    expect((await kubectl('create', '-f', claim)).code).toBe(0);
    const r = await kubectl('delete', 'namespace', 'team');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('namespace "team" deleted');
    const gone = await kubectl('get', 'namespace', 'team');
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): namespaces "team" not found');
    // Its pods and its claim's volume are gone from Anvil too.
    const pods = await anvil('get', 'pods', '-A', '-o', 'json');
    const volumes = await anvil('get', 'volumes', '-A', '-o', 'json');
    expect(JSON.parse(pods.stdout).filter((p: { namespace: string }) => p.namespace === 'team')).toEqual([]);
    expect(JSON.parse(volumes.stdout).filter((v: { namespace: string }) => v.namespace === 'team')).toEqual([]);
  });
});
