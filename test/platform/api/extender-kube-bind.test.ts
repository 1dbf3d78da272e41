/**
 * With bindVerb, kube-scheduler leaves binding to the extender: bind must post core/v1 Bindings to the
 * Kubernetes API (as kube-scheduler's DefaultBinder does), and Anvil must not keep a placement Kubernetes
 * refused. The Kubernetes API here is a recording stand-in on loopback answering as the apiserver does
 * (201 Status Success; 409 "pod X is already assigned to node \"N\""; 403).
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kubeApiOf } from '../../../platform/api/extender/kube-binder.js';
import { reconcileWithKubernetes, startReconciling } from '../../../platform/api/extender/kube-reconciler.js';
import { tempDir } from '../../cli-harness.js';
import { caughtAnvilError } from '../../caught.js';
import { seededWorld } from './api-harness.js';
import { haveOpenssl, makePki } from './tls-pki.js';
import { needs } from '../../needs.js';
import { anvilBin } from '../../../bench/package-root.js';

interface Recorded {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

/** A stand-in apiserver: records every request and answers with `reply(request)`. */
async function fakeApiserver(
  reply: (r: Recorded) => { status: number; body: object },
): Promise<{ url: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d) => (text += String(d)));
    req.on('end', () => {
      const r: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body: text ? JSON.parse(text) : undefined,
      };
      requests.push(r);
      const { status, body } = reply(r);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const SUCCESS = { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success' } };
const conflict = (pod: string, node: string) => ({
  status: 409,
  body: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Operation cannot be fulfilled on pods/binding "${pod}": pod ${pod} is already assigned to node "${node}"`,
    reason: 'Conflict',
    code: 409,
  },
});

function k8sPod(name: string) {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { name, namespace: 'a', uid: `uid-${name}` },
    spec: { containers: [{ name: 'main', image: 'nginx:1.27', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
  };
}

function tokenFile(text: string): string {
  const file = join(tempDir('anvil-kube-token-'), 'token');
  writeFileSync(file, `${text}\n`);
  return file;
}

describe('the extender binds pods in Kubernetes', () => {
  it('posts the Binding kube-scheduler itself would, with the token read from its file at each bind', async () => {
    const kube = await fakeApiserver(() => SUCCESS);
    const file = tokenFile('first-token');
    const w = await seededWorld(':memory:', undefined, kubeApiOf({ kubeApiserver: kube.url, kubeTokenFile: file }));
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web'), NodeNames: ['node1', 'node2'] } });
    const res = await w.app.inject({
      method: 'POST',
      url: '/scheduler/bind',
      payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node2' },
    });
    expect(res.json()).toEqual({ Error: '' });
    expect(kube.requests).toEqual([
      {
        method: 'POST',
        url: '/api/v1/namespaces/a/pods/web/binding',
        authorization: 'Bearer first-token',
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { namespace: 'a', name: 'web', uid: 'uid-web' },
          target: { kind: 'Node', name: 'node2' },
        },
      },
    ]);
    const pod = w.api.store.read((s) => s.pods.get('a/web'));
    expect(pod?.status.state === 'running' && pod.status.node).toBe('node2');

    // Service-account tokens rotate: the next bind reads the file again.
    writeFileSync(file, 'second-token\n');
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('api'), NodeNames: ['node1'] } });
    await w.app.inject({
      method: 'POST',
      url: '/scheduler/bind',
      payload: { PodName: 'api', PodNamespace: 'a', PodUID: 'uid-api', Node: 'node1' },
    });
    expect(kube.requests[1]?.authorization).toBe('Bearer second-token');
    await w.app.close();
  });

  it('a refused Binding leaves no placement in Anvil and says what Kubernetes answered', async () => {
    const kube = await fakeApiserver(() => ({
      status: 403,
      body: {
        kind: 'Status',
        status: 'Failure',
        message: 'pods "web" is forbidden: User "anvil" cannot create resource "pods/binding"',
        code: 403,
      },
    }));
    const w = await seededWorld(':memory:', undefined, kubeApiOf({ kubeApiserver: kube.url, kubeTokenFile: tokenFile('t') }));
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web'), NodeNames: ['node1'] } });
    const res = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node1' },
      })
    ).json() as { Error: string };
    expect(res.Error).toMatch(
      /^ANVIL_ERR_KUBE_API: binding pod a\/web to node node1 through http:\/\/127\.0\.0\.1:\d+: the API answered 403: pods "web" is forbidden/,
    );
    expect(res.Error).toContain('pods/binding');
    expect(w.api.store.read((s) => s.pods.has('a/web'))).toBe(false);
    expect(w.api.store.audit(2).map((a) => a.action)).toEqual(['bind pods', 'unbind pods']);
    await w.app.close();
  });

  it('a repeated bind to the node the pod is already bound to succeeds; a conflict with another node does not', async () => {
    const kube = await fakeApiserver((r) =>
      conflict('web', (r.body as { target: { name: string } }).target.name === 'node1' ? 'node1' : 'node3'),
    );
    const w = await seededWorld(':memory:', undefined, kubeApiOf({ kubeApiserver: kube.url }));
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web'), NodeNames: ['node1', 'node2'] } });
    const same = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node1' },
      })
    ).json();
    expect(same).toEqual({ Error: '' });
    expect(kube.requests[0]?.authorization).toBeUndefined();
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('api'), NodeNames: ['node2'] } });
    const other = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'api', PodNamespace: 'a', PodUID: 'uid-api', Node: 'node2' },
      })
    ).json() as { Error: string };
    expect(other.Error).toMatch(/ANVIL_ERR_KUBE_API: .*409: .*already assigned to node "node3"/);
    expect(w.api.store.read((s) => [s.pods.has('a/web'), s.pods.has('a/api')])).toEqual([true, false]);
    await w.app.close();
  });

  needs('the openssl CLI', haveOpenssl())(
    'reaches an https API whose certificate --kube-ca-file signed, and refuses one it did not',
    async () => {
      const pki = makePki(tempDir('anvil-kube-pki-'));
      const seen: string[] = [];
      const server = createHttpsServer({ cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey) }, (req, res) => {
        seen.push(req.url ?? '');
        req.resume();
        req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(SUCCESS.body)));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const trusted = await seededWorld(':memory:', undefined, kubeApiOf({ kubeApiserver: url, kubeCaFile: pki.ca }));
      await trusted.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web'), NodeNames: ['node1'] } });
      expect(
        (
          await trusted.app.inject({
            method: 'POST',
            url: '/scheduler/bind',
            payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node1' },
          })
        ).json(),
      ).toEqual({ Error: '' });
      expect(seen).toEqual(['/api/v1/namespaces/a/pods/web/binding']);
      await trusted.app.close();
      // Without the CA, Node's own trust store does not know this certificate: no bind, no placement.
      const untrusted = await seededWorld(':memory:', undefined, kubeApiOf({ kubeApiserver: url }));
      await untrusted.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web'), NodeNames: ['node1'] } });
      const refused = (
        await untrusted.app.inject({
          method: 'POST',
          url: '/scheduler/bind',
          payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node1' },
        })
      ).json() as { Error: string };
      expect(refused.Error).toMatch(/^ANVIL_ERR_KUBE_API: .*(certificate|self-signed|issuer)/i);
      expect(untrusted.api.store.read((s) => s.pods.has('a/web'))).toBe(false);
      await untrusted.app.close();
    },
  );

  it('a placement the extender made is replaced when Kubernetes binds the name again (same pod elsewhere, or a new pod of the name); Anvil-made pods are not', async () => {
    // Anvil-only binds stand for a crash between Anvil's commit and the Binding.
    const w = await seededWorld();
    await w.app.inject({
      method: 'POST',
      url: '/scheduler/filter',
      payload: { Pod: k8sPod('web'), NodeNames: ['node1', 'node2', 'node3'] },
    });
    const bind = async (uid: string, node: string) =>
      (
        await w.app.inject({
          method: 'POST',
          url: '/scheduler/bind',
          payload: { PodName: 'web', PodNamespace: 'a', PodUID: uid, Node: node },
        })
      ).json() as { Error: string };
    expect(await bind('uid-web', 'node1')).toEqual({ Error: '' });
    expect(await bind('uid-web', 'node2')).toEqual({ Error: '' });
    const moved = w.api.store.read((s) => s.pods.get('a/web'));
    expect(moved?.status.state === 'running' && moved.status.node).toBe('node2');
    expect(moved?.kube_uid).toBe('uid-web');
    expect(w.api.store.read((s) => [...s.pods.keys()].filter((k) => k === 'a/web'))).toHaveLength(1);
    // Another Kubernetes pod of that name: the earlier one is gone (one pod of a name at a time), so it replaces it.
    const newer = { ...k8sPod('web'), metadata: { name: 'web', namespace: 'a', uid: 'uid-other' } };
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: newer, NodeNames: ['node3'] } });
    expect(await bind('uid-other', 'node3')).toEqual({ Error: '' });
    expect(
      w.api.store.read((s) => {
        const p = s.pods.get('a/web');
        return [p?.kube_uid, p?.status.state === 'running' && p.status.node];
      }),
    ).toEqual(['uid-other', 'node3']);
    // A pod made in Anvil itself (apply, CLI) is not the extender's to replace.
    const paNode = w.api.store.read((s) => {
      const p = s.pods.get('a/pa');
      return p?.status.state === 'running' ? p.status.node : '';
    });
    const elsewhere = ['node1', 'node2', 'node3'].find((n) => n !== paNode)!;
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('pa'), NodeNames: [elsewhere] } });
    const pa = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'pa', PodNamespace: 'a', PodUID: 'uid-pa', Node: elsewhere },
      })
    ).json() as { Error: string };
    expect(pa.Error).toMatch(/^ANVIL_ERR_OBJECT_EXISTS: pod a\/pa is already in Anvil/);
    await w.app.close();
  });

  it('an unreachable Kubernetes API is a coded Error and no placement', async () => {
    const kube = await fakeApiserver(() => SUCCESS);
    await new Promise((r) => kube.server.close(r));
    const w = await seededWorld(':memory:', undefined, kubeApiOf({ kubeApiserver: kube.url }));
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('web'), NodeNames: ['node1'] } });
    const res = (
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/bind',
        payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node1' },
      })
    ).json() as { Error: string };
    expect(res.Error).toMatch(/^ANVIL_ERR_KUBE_API: binding pod a\/web .*ECONNREFUSED/);
    expect(w.api.store.read((s) => s.pods.has('a/web'))).toBe(false);
    await w.app.close();
  });
});

describe('where the Kubernetes API is', () => {
  it('flags first, else the in-cluster service account, else none (bind stays in Anvil)', () => {
    expect(kubeApiOf({}, {})).toBeUndefined();
    const sa = tempDir('anvil-sa-');
    mkdirSync(join(sa, 'sa'));
    writeFileSync(join(sa, 'sa', 'token'), 'sa-token');
    const inCluster = kubeApiOf({}, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, join(sa, 'sa'));
    expect(inCluster?.server.href).toBe('https://[fd00::1]/');
    expect(inCluster?.tokenFile).toBe(join(sa, 'sa', 'token'));
    expect(inCluster?.source).toBe('in-cluster');
    // Outside a pod (no service-account token) the environment alone is not enough.
    expect(kubeApiOf({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }, join(sa, 'missing'))).toBeUndefined();
    const flags = kubeApiOf(
      { kubeApiserver: 'https://10.0.0.1:6443' },
      { KUBERNETES_SERVICE_HOST: 'x', KUBERNETES_SERVICE_PORT: '1' },
      join(sa, 'sa'),
    );
    expect(flags?.source).toBe('flags');
    expect(flags?.server.origin).toBe('https://10.0.0.1:6443');
  });

  it('bad flags are coded errors naming the flag', () => {
    expect(caughtAnvilError(() => kubeApiOf({ kubeTokenFile: '/x' })).message).toMatch(/--kube-token-file needs --kube-apiserver/);
    expect(caughtAnvilError(() => kubeApiOf({ kubeApiserver: 'not a url' })).code).toBe('ANVIL_ERR_USAGE');
    expect(caughtAnvilError(() => kubeApiOf({ kubeApiserver: 'ftp://x' })).message).toMatch(/not an http:\/\/ or https:\/\/ URL/);
    const missing = caughtAnvilError(() => kubeApiOf({ kubeApiserver: 'https://x', kubeTokenFile: '/nonexistent/token' }));
    expect([missing.code, missing.message]).toEqual([
      'ANVIL_ERR_FILE_NOT_FOUND',
      expect.stringContaining('--kube-token-file /nonexistent/token'),
    ]);
    expect(caughtAnvilError(() => kubeApiOf({ kubeApiserver: 'https://x', kubeTokenFile: tokenFile('') })).message).toMatch(
      /does not hold one bearer token/,
    );
  });

  it('anvil serve refuses a bad --kube flag before making a state file', () => {
    const dir = tempDir('anvil-kube-serve-');
    const state = join(dir, 'state.db');
    const r = spawnSync(process.execPath, [anvilBin(), 'serve', '--port', '0', '--state', state, '--kube-ca-file', '/x.pem'], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    expect(r.status).toBe(2); // a usage error
    expect(r.stderr).toMatch(/^ANVIL_ERR_USAGE: --kube-ca-file needs --kube-apiserver URL/);
    expect(existsSync(state)).toBe(false);
  });
});

describe('reconciling with Kubernetes', () => {
  /** A stand-in apiserver that binds everything and lists the pods in `held` (UIDs), `pageSize` a page. */
  async function cluster(held: Set<string>, pageSize = 2, failList = false) {
    return fakeApiserver((r) => {
      if (r.method === 'POST') return SUCCESS;
      if (failList)
        return {
          status: 403,
          body: { kind: 'Status', status: 'Failure', message: 'pods is forbidden: User "anvil" cannot list resource "pods"', code: 403 },
        };
      const url = new URL(r.url, 'http://x');
      const from = Number(url.searchParams.get('continue') ?? '0');
      const all = [...held];
      const page = all.slice(from, from + pageSize);
      const more = from + pageSize < all.length;
      return {
        status: 200,
        body: {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: more ? { continue: String(from + pageSize) } : {},
          items: page.map((uid) => ({ metadata: { uid, name: `p-${uid}`, namespace: 'a' } })),
        },
      };
    });
  }

  it('removes the pods the extender placed that Kubernetes no longer holds, over every page of the list, and nothing else', async () => {
    const held = new Set<string>();
    const kube = await cluster(held);
    const api = kubeApiOf({ kubeApiserver: kube.url });
    const w = await seededWorld(':memory:', undefined, api);
    for (const name of ['w1', 'w2', 'w3', 'w4', 'w5']) {
      held.add(`uid-${name}`);
      await w.app.inject({
        method: 'POST',
        url: '/scheduler/filter',
        payload: { Pod: k8sPod(name), NodeNames: ['node1', 'node2', 'node3'] },
      });
      expect(
        (
          await w.app.inject({
            method: 'POST',
            url: '/scheduler/bind',
            payload: { PodName: name, PodNamespace: 'a', PodUID: `uid-${name}`, Node: 'node1' },
          })
        ).json(),
      ).toEqual({ Error: '' });
    }
    // The clock of the seeded world ticks; the list is taken "later" than every placement.
    const later = () => new Date(Date.UTC(2030, 0, 1));
    expect(await reconcileWithKubernetes(api!, w.api.store, later)).toEqual([]);
    const auditBefore = w.api.store.audit(1000).length;
    held.delete('uid-w2');
    held.delete('uid-w5');
    expect(await reconcileWithKubernetes(api!, w.api.store, later)).toEqual(['a/w2', 'a/w5']);
    const left = w.api.store.read((s) => [...s.pods.keys()].filter((k) => k.startsWith('a/w')).sort());
    expect(left).toEqual(['a/w1', 'a/w3', 'a/w4']);
    // Pods made in Anvil (the seeded a/pa, b/pb) are not the extender's: untouched.
    expect(w.api.store.read((s) => [s.pods.has('a/pa'), s.pods.has('b/pb')])).toEqual([true, true]);
    expect(w.api.store.audit(1000).length).toBe(auditBefore + 1);
    expect(w.api.store.events({ object: 'pod/a/w2' }).map((e) => e.reason)).toContain('PodGoneInKubernetes');
    // Paged: 3 held pods at 2 a page is two GETs per round.
    expect(
      kube.requests
        .filter((r) => r.method === 'GET')
        .slice(-2)
        .map((r) => r.url),
    ).toEqual(['/api/v1/pods?limit=500', '/api/v1/pods?limit=500&continue=2']);
    await w.app.close();
  });

  it('leaves a pod placed after the list was taken, and deletes nothing when the list fails', async () => {
    const held = new Set<string>();
    const kube = await cluster(held);
    const api = kubeApiOf({ kubeApiserver: kube.url });
    const w = await seededWorld(':memory:', undefined, api);
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('fresh'), NodeNames: ['node1'] } });
    await w.app.inject({
      method: 'POST',
      url: '/scheduler/bind',
      payload: { PodName: 'fresh', PodNamespace: 'a', PodUID: 'uid-fresh', Node: 'node1' },
    });
    // Listed before the pod was placed (it is not in the list, but may simply be too new).
    expect(await reconcileWithKubernetes(api!, w.api.store, () => new Date(Date.UTC(2000, 0, 1)))).toEqual([]);
    expect(w.api.store.read((s) => s.pods.has('a/fresh'))).toBe(true);

    const refusing = await cluster(new Set(), 2, true);
    const broken = kubeApiOf({ kubeApiserver: refusing.url })!;
    const e = await reconcileWithKubernetes(broken, w.api.store, () => new Date(Date.UTC(2030, 0, 1))).catch((x: unknown) => x as Error);
    expect(String((e as Error).message)).toMatch(/listing pods through .*403: pods is forbidden.*RBAC list on pods/);
    expect(w.api.store.read((s) => s.pods.has('a/fresh'))).toBe(true);
    await w.app.close();
  });

  it('anvil serve runs rounds on an interval: removals reported, a failure reported once until a round succeeds', async () => {
    const held = new Set<string>(['uid-r1']);
    let failing = false;
    const kube = await fakeApiserver((r) => {
      if (r.method === 'POST') return SUCCESS;
      if (failing) return { status: 500, body: { kind: 'Status', message: 'etcdserver: request timed out' } };
      return { status: 200, body: { kind: 'PodList', metadata: {}, items: [...held].map((uid) => ({ metadata: { uid } })) } };
    });
    const api = kubeApiOf({ kubeApiserver: kube.url })!;
    const w = await seededWorld(':memory:', undefined, api);
    await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: k8sPod('r1'), NodeNames: ['node1'] } });
    await w.app.inject({
      method: 'POST',
      url: '/scheduler/bind',
      payload: { PodName: 'r1', PodNamespace: 'a', PodUID: 'uid-r1', Node: 'node1' },
    });
    const lines: [string, boolean][] = [];
    // Only the interval is faked: the rounds' HTTP calls are real, on loopback.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const stop = startReconciling(api, w.api.store, 30, (line, failed) => lines.push([line, failed]));
      // A tick while the last round still runs is skipped (one round at a time), and a round that reports
      // nothing cannot be waited for: tick again until a round has started (asked the apiserver).
      const tick = async () => {
        const before = kube.requests.length;
        await vi.waitFor(
          () => {
            if (kube.requests.length > before) return;
            vi.advanceTimersByTime(30_000);
            expect(kube.requests.length).toBeGreaterThan(before);
          },
          { timeout: 120_000 },
        );
      };
      const round = async (expected: number) => {
        await tick();
        await vi.waitFor(() => expect(lines.length).toBe(expected), { timeout: 120_000 });
      };
      failing = true;
      await round(1);
      expect(lines[0]).toEqual([
        expect.stringMatching(/^reconciling with Kubernetes failed \(will retry every 30 s\): ANVIL_ERR_KUBE_API: .*500: etcdserver/),
        true,
      ]);
      // The same failure again is not reported again: the next round's line (below) is the second.
      await tick();
      expect(lines).toHaveLength(1);
      failing = false;
      held.clear();
      await round(2);
      expect(lines[1]).toEqual(['reconciled with Kubernetes: 1 pods gone there, removed from Anvil (a/r1)', false]);
      stop();
      const afterStop = kube.requests.length;
      vi.advanceTimersByTime(120_000);
      expect(kube.requests.length).toBe(afterStop);
    } finally {
      vi.useRealTimers();
    }
    await w.app.close();
  });
});
