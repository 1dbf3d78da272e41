/** The scheduler extender with real-shaped Kubernetes JSON (extender/v1 field names), and the shipped KubeSchedulerConfiguration. */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { seededWorld } from './api-harness.js';

/** A Pod as kube-scheduler sends it (core/v1 JSON, trimmed of status). */
function k8sPod(name: string, cpu: string, annotations: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace: 'a', uid: `uid-${name}`, creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: name }, annotations },
    spec: {
      containers: [
        { name: 'main', image: 'nginx:1.27', resources: { requests: { cpu, memory: '256Mi' }, limits: { cpu, memory: '256Mi' } } },
      ],
      restartPolicy: 'Always',
      schedulerName: 'default-scheduler',
      ...extra,
    },
  };
}

function k8sNode(name: string) {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    status: { capacity: { cpu: '40', memory: '131072Mi', pods: '110' }, allocatable: { cpu: '40', memory: '131072Mi', pods: '110' } },
  };
}

describe('scheduler extender', () => {
  it('filter answers with NodeNames (nodeCacheCapable) and with a NodeList, failing nodes named with the reason', async () => {
    const w = await seededWorld();
    // node2 cordoned: it fails the filter; ghost is not an Anvil node: unresolvable.
    expect((await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes/node2/cordon')).statusCode).toBe(200);
    const byName = await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      payload: { Pod: k8sPod('web', '500m'), NodeNames: ['node1', 'node2', 'ghost'] },
    });
    expect(byName.statusCode).toBe(200);
    const r = byName.json();
    expect(Object.keys(r).sort()).toEqual(['Error', 'FailedAndUnresolvableNodes', 'FailedNodes', 'NodeNames', 'Nodes']);
    expect(r.NodeNames).toEqual(['node1']);
    expect(r.Nodes).toBeNull();
    expect(Object.keys(r.FailedNodes)).toEqual(['node2']);
    expect(r.FailedNodes.node2).toMatch(/cordon|unschedulable/i);
    expect(Object.keys(r.FailedAndUnresolvableNodes)).toEqual(['ghost']);
    expect(r.Error).toBe('');

    const byList = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/filter',
        payload: {
          Pod: k8sPod('web', '500m'),
          Nodes: { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [k8sNode('node1'), k8sNode('node2'), k8sNode('node3')] },
        },
      })
    ).json();
    expect(byList.Nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(['node1', 'node3']);
    expect(byList.Nodes.items[0].status.allocatable.cpu).toBe('40');
    expect(byList.NodeNames).toBeNull();
    await w.app.close();
  });

  it('takes a NodeList past the server-wide 1 MiB (whole Node objects, not nodeCacheCapable); past its own 64 MiB, a 413 saying to set nodeCacheCapable', async () => {
    const w = await seededWorld();
    // Nodes as a kubelet reports them: their images listed (a few KB each), so 400 of them are about 2 MB.
    const image = (i: number) => ({
      names: [`registry.example.com/team/app-${i}@sha256:${'0'.repeat(64)}`, `registry.example.com/team/app-${i}:v1.2.${i}`],
      sizeBytes: 123456789,
    });
    const heavy = (name: string) => ({
      ...k8sNode(name),
      status: { ...k8sNode(name).status, images: Array.from({ length: 30 }, (_, i) => image(i)) },
    });
    const items = ['node1', 'node2', 'node3', ...Array.from({ length: 397 }, (_, i) => `k8s-only-${i}`)].map(heavy);
    const payload = JSON.stringify({ Pod: k8sPod('web', '500m'), Nodes: { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items } });
    expect(payload.length).toBeGreaterThan(2 ** 20);
    const json = { 'content-type': 'application/json' };
    const answered = await Promise.all(
      ['/scheduler/filter', '/scheduler/prioritize'].map((url) => w.app.inject({ method: 'POST', url, headers: json, payload })),
    );
    expect(answered.map((r) => r.statusCode)).toEqual([200, 200]);
    const filtered = answered[0]!.json();
    const byNames = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/filter',
        payload: { Pod: k8sPod('web', '500m'), NodeNames: items.map((n) => n.metadata.name) },
      })
    ).json();
    expect(byNames.NodeNames.length).toBeGreaterThan(0);
    expect(filtered.Nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name)).toEqual(byNames.NodeNames);
    expect(Object.keys(filtered.FailedAndUnresolvableNodes)).toHaveLength(397);
    expect(answered[1]!.json()).toHaveLength(400);
    const huge = Buffer.alloc(64 * 2 ** 20 + 1, 0x20);
    for (const url of ['/scheduler/filter', '/scheduler/prioritize']) {
      const tooLarge = await w.app.inject({ method: 'POST', url, headers: json, payload: huge });
      expect([tooLarge.statusCode, tooLarge.json().code], url).toEqual([413, 'ANVIL_ERR_BODY_TOO_LARGE']);
      expect(tooLarge.json().message, url).toContain('67108864 bytes');
      expect(tooLarge.json().message, url).toContain('nodeCacheCapable: true');
    }
    // Bind names one pod and one node: it keeps the server's 1 MiB, and the advice of every other route.
    const bindTooLarge = await w.app.inject({
      method: 'POST',
      url: '/scheduler/bind',
      headers: json,
      payload: Buffer.alloc(2 ** 20 + 1, 0x20),
    });
    expect([bindTooLarge.statusCode, bindTooLarge.json().code]).toEqual([413, 'ANVIL_ERR_BODY_TOO_LARGE']);
    expect(bindTooLarge.json().message).toContain('1048576 bytes');
    expect(bindTooLarge.json().message).not.toContain('nodeCacheCapable');
    await w.app.close();
  });

  it('a pod too big for every node fails everywhere with the reason; an unknown perf tier is an Error', async () => {
    const w = await seededWorld();
    const big = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/filter',
        payload: { Pod: k8sPod('huge', '500'), NodeNames: ['node1', 'node2'] },
      })
    ).json();
    expect(big.NodeNames).toEqual([]);
    expect(big.FailedNodes.node1).toMatch(/cpu|millicores/i);
    const bad = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/filter',
        payload: { Pod: k8sPod('x', '1', { 'anvil.dev/perf-tier': 'platinum' }), NodeNames: ['node1'] },
      })
    ).json();
    expect(bad.Error).toMatch(/^ANVIL_ERR_/);
    await w.app.close();
  });

  it('prioritize scores every candidate within 0..10, prefers the node holding the pod volume plex, and 0 for nodes that do not fit', async () => {
    const w = await seededWorld();
    await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes/node3/cordon');
    const plexNode = w.api.store.read((s) => s.volumes.get('a/va')!.plexes[0]!.node);
    const pod = k8sPod('db', '1', {}, { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'va' } }] });
    const res = await w.app.inject({
      method: 'POST',
      url: '/scheduler/prioritize',
      payload: { Pod: pod, NodeNames: ['node1', 'node2', 'node3'] },
    });
    const list = res.json() as { Host: string; Score: number }[];
    expect(list.map((h) => h.Host)).toEqual(['node1', 'node2', 'node3']);
    for (const h of list) expect(Number.isInteger(h.Score) && h.Score >= 0 && h.Score <= 10).toBe(true);
    const score = Object.fromEntries(list.map((h) => [h.Host, h.Score]));
    if (plexNode !== 'node3') expect(score[plexNode]).toBe(10);
    expect(score.node3).toBe(0);
    await w.app.close();
  });

  it('bind places the pod seen by filter on the named node, in Anvil; a node it does not fit changes nothing', async () => {
    const w = await seededWorld();
    await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      payload: { Pod: k8sPod('web', '500m'), NodeNames: ['node1', 'node2'] },
    });
    const ok = await w.app.inject({
      method: 'POST',
      url: '/scheduler/bind',
      payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node2' },
    });
    expect(ok.json()).toEqual({ Error: '' });
    const pod = w.api.store.read((s) => s.pods.get('a/web')!);
    expect(pod.status.state === 'running' && pod.status.node).toBe('node2');
    await w.call('admin', 'POST', '/apis/anvil.dev/v1/nodes/node1/cordon');
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web2', '500m'), NodeNames: ['node1'] } });
    const refused = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'web2', PodNamespace: 'a', PodUID: 'uid-web2', Node: 'node1' },
      })
    ).json();
    expect(refused.Error).toMatch(/^ANVIL_ERR_NO_CAPACITY/);
    expect(w.api.store.read((s) => s.pods.has('a/web2'))).toBe(false);
    const unseen = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'nope', PodNamespace: 'a', PodUID: 'u', Node: 'node1' },
      })
    ).json();
    expect(unseen.Error).toMatch(/^ANVIL_ERR_OBJECT_NOT_FOUND/);
    await w.app.close();
  });

  it('answers loopback callers only, and rejects a body that is not ExtenderArgs with the field named', async () => {
    const w = await seededWorld();
    const remote = await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      remoteAddress: '192.0.2.7',
      payload: { Pod: k8sPod('web', '1'), NodeNames: ['node1'] },
    });
    expect([remote.statusCode, remote.json().code]).toEqual([403, 'ANVIL_ERR_NOT_LOOPBACK']);
    // All of 127.0.0.0/8 is loopback, mapped into IPv6 too; an address that merely starts alike is not.
    for (const from of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.53']) {
      expect(
        (
          await w.app.inject({
            method: 'POST',
            url: '/scheduler/filter',
            remoteAddress: from,
            payload: { Pod: k8sPod('web', '1'), NodeNames: ['node1'] },
          })
        ).statusCode,
        from,
      ).toBe(200);
    }
    for (const from of ['128.0.0.1', '::ffff:10.0.0.1', '::2', '127.0.0.1.evil']) {
      expect(
        (
          await w.app.inject({
            method: 'POST',
            url: '/scheduler/filter',
            remoteAddress: from,
            payload: { Pod: k8sPod('web', '1'), NodeNames: ['node1'] },
          })
        ).statusCode,
        from,
      ).toBe(403);
    }
    const lower = await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      payload: { pod: k8sPod('web', '1'), nodeNames: ['node1'] },
    });
    expect([lower.statusCode, lower.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    expect(lower.json().message).toContain('Pod');
    await w.app.close();
  });

  it('takes the JSON exactly as kube-scheduler encodes it: nil pointers as null, both node forms; a null Pod is a coded 400', async () => {
    const w = await seededWorld();
    // nodeCacheCapable: Nodes is a nil *NodeList, which Go's encoding/json writes as null.
    const byName = await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      payload: { Pod: k8sPod('web', '500m'), Nodes: null, NodeNames: ['node1', 'node2'] },
    });
    expect([byName.statusCode, byName.json().NodeNames]).toEqual([200, ['node1', 'node2']]);
    // Not nodeCacheCapable: NodeNames is a nil *[]string; an empty cluster sends items: null.
    const byList = await w.app.inject({
      method: 'POST',
      url: '/scheduler/prioritize',
      payload: { Pod: k8sPod('web', '500m'), Nodes: { metadata: {}, items: [k8sNode('node3')] }, NodeNames: null },
    });
    expect(byList.json()).toEqual([{ Host: 'node3', Score: expect.any(Number) }]);
    const empty = await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      payload: { Pod: k8sPod('web', '500m'), Nodes: { metadata: {}, items: null }, NodeNames: null },
    });
    expect(empty.json()).toMatchObject({ Nodes: { items: [] }, NodeNames: null, Error: '' });
    // Pod is a *v1.Pod and could be null in Go terms; kube-scheduler never sends that, Anvil refuses it by name.
    for (const url of ['/scheduler/filter', '/scheduler/prioritize']) {
      const nullPod = await w.app.inject({ method: 'POST', url, payload: { Pod: null, Nodes: null, NodeNames: ['node1'] } });
      expect([nullPod.statusCode, nullPod.json().code], url).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
      expect(nullPod.json().message, url).toContain('body/Pod');
    }
    await w.app.close();
  });
});

/** Field names (json tags) of Extender and ExtenderTLSConfig in k8s.io/kube-scheduler/config/v1 types.go. */
const EXTENDER_FIELDS = [
  'urlPrefix',
  'filterVerb',
  'preemptVerb',
  'prioritizeVerb',
  'weight',
  'bindVerb',
  'enableHTTPS',
  'tlsConfig',
  'httpTimeout',
  'nodeCacheCapable',
  'managedResources',
  'ignorable',
];
const TLS_CONFIG_FIELDS = ['insecure', 'serverName', 'certFile', 'keyFile', 'caFile', 'certData', 'keyData', 'caData'];
/** Top-level fields of KubeSchedulerConfiguration v1 (with TypeMeta's and the inlined DebuggingConfiguration's). */
const CONFIG_FIELDS = [
  'apiVersion',
  'kind',
  'parallelism',
  'leaderElection',
  'clientConnection',
  'enableProfiling',
  'enableContentionProfiling',
  'percentageOfNodesToScore',
  'podInitialBackoffSeconds',
  'podMaxBackoffSeconds',
  'profiles',
  'extenders',
  'delayCacheUntilActive',
];

describe('the shipped KubeSchedulerConfiguration examples', () => {
  const example = (name: string) => parse(readFileSync(new URL(`../../../platform/api/examples/${name}`, import.meta.url), 'utf8'));

  for (const [name, mtls] of [
    ['kube-scheduler-config.yaml', false],
    ['kube-scheduler-config-mtls.yaml', true],
  ] as const) {
    it(`${name}: kubescheduler.config.k8s.io/v1 field names only, the full extenders stanza, verbs on the served routes`, async () => {
      const cfg = example(name);
      expect([cfg.apiVersion, cfg.kind]).toEqual(['kubescheduler.config.k8s.io/v1', 'KubeSchedulerConfiguration']);
      for (const k of Object.keys(cfg)) expect(CONFIG_FIELDS, k).toContain(k);
      expect(cfg.extenders).toHaveLength(1);
      const ext = cfg.extenders[0];
      for (const k of Object.keys(ext)) expect(EXTENDER_FIELDS, `extenders[0].${k}`).toContain(k);
      for (const k of ['urlPrefix', 'filterVerb', 'prioritizeVerb', 'bindVerb', 'weight', 'nodeCacheCapable', 'ignorable', 'enableHTTPS'])
        expect(ext, k).toHaveProperty(k);
      expect(ext).toMatchObject({ nodeCacheCapable: true, ignorable: false, enableHTTPS: mtls });
      expect(Number.isInteger(ext.weight) && ext.weight > 0).toBe(true);
      const prefix = new URL(ext.urlPrefix);
      expect(prefix.protocol).toBe(mtls ? 'https:' : 'http:');
      if (!mtls) expect(prefix.hostname).toBe('127.0.0.1');
      if (mtls) {
        for (const k of Object.keys(ext.tlsConfig)) expect(TLS_CONFIG_FIELDS, `tlsConfig.${k}`).toContain(k);
        expect(Object.keys(ext.tlsConfig).sort()).toEqual(['caFile', 'certFile', 'keyFile']);
      } else {
        expect(ext.tlsConfig).toBeUndefined();
      }
      // kube-scheduler posts to strings.TrimRight(urlPrefix, "/") + "/" + verb: each must be a served extender route.
      const w = await seededWorld();
      await w.app.ready();
      for (const verb of [ext.filterVerb, ext.prioritizeVerb, ext.bindVerb]) {
        const path = `${prefix.pathname.replace(/\/+$/, '')}/${verb}`;
        expect(w.app.hasRoute({ method: 'POST', url: path }), path).toBe(true);
      }
      expect(ext.preemptVerb).toBeUndefined(); // Anvil serves no preempt verb
      await w.app.close();
    });
  }

  // The stanza moved with the rest of the extender's text from the README to the operator's guide.
  it("the operator guide's stanza is the loopback example's", () => {
    const guide = readFileSync(new URL('../../../docs/operate-the-platform.md', import.meta.url), 'utf8');
    const text = [...guide.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .find((t) => t.includes('kind: KubeSchedulerConfiguration'));
    const block = parse(text ?? '');
    expect(block?.extenders).toEqual(example('kube-scheduler-config.yaml').extenders);
  });
});
