/**
 * `anvil serve` over HTTPS with mutual TLS for the scheduler extender, on loopback, with a PKI made by the
 * openssl CLI: kube-scheduler's client certificate gets ExtenderFilterResults, no certificate or one from
 * another CA a coded 403; the API keeps bearer tokens without a client certificate; the CLI reaches the
 * https server when given the CA (ANVIL_CA_CERT, anvil login --ca-cert) and says what to do when not; bad
 * TLS flags are coded errors naming the flag and the file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerTls, plainHttpWarning } from '../../../platform/api/tls.js';
import { caughtAnvilError } from '../../caught.js';
import { tempDir } from '../../cli-harness.js';
import { startServe } from '../../../bench/perf/serve-child.js';
import { seededWorld, type World } from './api-harness.js';
import { haveOpenssl, makePki, type Pki } from './tls-pki.js';
import { describeNeeds } from '../../needs.js';
import { anvilBin } from '../../../bench/package-root.js';

const BIN = anvilBin();

interface HttpsCall {
  method?: string;
  body?: unknown;
  token?: string;
  /** Client certificate and key (PEM paths). */
  cert?: string;
  key?: string;
  localAddress?: string;
}

/** One HTTPS request trusting the test CA, on a fresh connection (so each call presents its own certificate). */
function httpsCall(pki: Pki, base: string, path: string, o: HttpsCall = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = o.body === undefined ? undefined : JSON.stringify(o.body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, base),
      {
        method: o.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: false,
        ca: readFileSync(pki.ca),
        ...(o.cert ? { cert: readFileSync(o.cert), key: readFileSync(o.key!) } : {}),
        ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        headers: {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += String(d)));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: res.headers['content-type']?.includes('json') ? JSON.parse(text) : { text } }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs the CLI as a child process (async: a server in this process must keep answering meanwhile). */
function anvil(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ANVIL_SERVER: '', ANVIL_TOKEN: '', ANVIL_STATE: '', ANVIL_CA_CERT: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `anvil serve` with TLS flags on port 0; its https address, first admin token and startup lines. */
async function serveTls(args: string[]): Promise<{ child: ChildProcess; url: string; token: string; stdout: string }> {
  const s = await startServe(args);
  return { child: s.child, url: s.url, token: s.token!, stdout: s.stdout() };
}

/** A Pod and nodes as kube-scheduler sends them with nodeCacheCapable. */
const FILTER_ARGS = {
  Pod: {
    metadata: { name: 'web', namespace: 'a', uid: 'uid-web' },
    spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
  },
  Nodes: null,
  NodeNames: ['node1', 'node2'],
};

const caught = caughtAnvilError;

// CI installs openssl (.ci/run); elsewhere these tests skip without it.
describeNeeds('the openssl CLI', haveOpenssl())('anvil serve over TLS', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki(tempDir('anvil-pki-'));
  });

  describe('mutual TLS for the scheduler extender (the server in this process)', () => {
    let w: World;
    let base = '';
    beforeAll(async () => {
      const tls = loadServerTls({ tlsCert: pki.serverCert, tlsKey: pki.serverKey, tlsClientCa: pki.ca })!;
      w = await seededWorld(join(tempDir('anvil-tls-'), 'state.db'), tls);
      base = await w.app.listen({ host: '127.0.0.1', port: 0 });
    });
    afterAll(async () => {
      await w.app.close();
    });

    it('serves https; kube-scheduler with its client certificate gets an ExtenderFilterResult, from any address', async () => {
      expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ok = await httpsCall(pki, base, '/scheduler/filter', { body: FILTER_ARGS, cert: pki.clientCert, key: pki.clientKey });
      expect(ok.status).toBe(200);
      expect(Object.keys(ok.json).sort()).toEqual(['Error', 'FailedAndUnresolvableNodes', 'FailedNodes', 'NodeNames', 'Nodes']);
      expect(ok.json.NodeNames).toEqual(['node1', 'node2']);
      // Not from 127.0.0.1, which alone passes the loopback rule: the certificate is what counts.
      const elsewhere = await httpsCall(pki, base, '/scheduler/prioritize', {
        body: FILTER_ARGS,
        cert: pki.clientCert,
        key: pki.clientKey,
        localAddress: '127.0.0.2',
      });
      expect(elsewhere.status).toBe(200);
      expect((elsewhere.json as unknown as { Host: string }[]).map((h) => h.Host)).toEqual(['node1', 'node2']);
      const bind = await httpsCall(pki, base, '/scheduler/bind', {
        body: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node2' },
        cert: pki.clientCert,
        key: pki.clientKey,
      });
      expect(bind.json).toEqual({ Error: '' });
      expect(
        w.api.store.read((s) => {
          const p = s.pods.get('a/web');
          return p?.status.state === 'running' ? p.status.node : undefined;
        }),
      ).toBe('node2');
    });

    it('refuses a caller without a client certificate, even on loopback, with a coded 403 saying how to configure kube-scheduler', async () => {
      const before = w.api.store.audit(100000).length;
      for (const verb of ['filter', 'prioritize', 'bind']) {
        const body = verb === 'bind' ? { PodName: 'x', PodNamespace: 'a', PodUID: 'u', Node: 'node1' } : FILTER_ARGS;
        const res = await httpsCall(pki, base, `/scheduler/${verb}`, { body });
        expect([res.status, res.json.code], verb).toEqual([403, 'ANVIL_ERR_CLIENT_CERT_REQUIRED']);
        expect(res.json.message).toContain('no client certificate');
        expect(res.json.message).toMatch(/tlsConfig.*certFile.*keyFile.*caFile/);
      }
      // A bearer token is no way in either: kube-scheduler has none, and the extender acts with its own roles.
      const withToken = await httpsCall(pki, base, '/scheduler/filter', { body: FILTER_ARGS, token: w.tokens.admin });
      expect(withToken.json.code).toBe('ANVIL_ERR_CLIENT_CERT_REQUIRED');
      expect(w.api.store.audit(100000).length).toBe(before);
    });

    it('refuses a client certificate from another CA', async () => {
      const res = await httpsCall(pki, base, '/scheduler/filter', { body: FILTER_ARGS, cert: pki.strangerCert, key: pki.strangerKey });
      expect([res.status, res.json.code]).toEqual([403, 'ANVIL_ERR_CLIENT_CERT_REQUIRED']);
      expect(res.json.message).toContain('not accepted');
      expect(res.json.message).toContain('CN=anvil-test-ca');
    });

    it('the API and /metrics work over https with a bearer token and no client certificate', async () => {
      const nodes = await httpsCall(pki, base, '/apis/anvil.dev/v1/nodes', { token: w.tokens.viewer });
      expect(nodes.status).toBe(200);
      expect((nodes.json as unknown as { name: string }[]).map((n) => n.name)).toEqual(['node1', 'node2', 'node3']);
      expect((await httpsCall(pki, base, '/apis/anvil.dev/v1/nodes')).json.code).toBe('ANVIL_ERR_UNAUTHENTICATED');
      const metrics = await httpsCall(pki, base, '/metrics', { token: w.tokens.viewer });
      expect(metrics.status).toBe(200);
      expect(String(metrics.json.text)).toMatch(/anvil_http_requests_total\{method="POST",route="\/scheduler\/filter",status="403"\} \d+/);
    });
  });

  it('HTTPS without --tls-client-ca keeps the extender loopback-only', async () => {
    const w = await seededWorld(':memory:', loadServerTls({ tlsCert: pki.serverCert, tlsKey: pki.serverKey })!);
    const base = await w.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const local = await httpsCall(pki, base, '/scheduler/filter', { body: FILTER_ARGS });
      expect(local.status).toBe(200);
      expect(local.json.NodeNames).toEqual(['node1', 'node2']);
      const far = await w.app.inject({ method: 'POST', url: '/scheduler/filter', remoteAddress: '192.0.2.7', payload: FILTER_ARGS });
      expect(far.json().code).toBe('ANVIL_ERR_NOT_LOOPBACK');
      expect(far.json().message).toContain('--tls-client-ca');
    } finally {
      await w.app.close();
    }
  });

  it('bad TLS flags are coded errors naming the flag and the file', () => {
    const { serverCert, serverKey, clientKey, ca, encryptedKey } = pki;
    const cases: [Parameters<typeof loadServerTls>[0], string, RegExp][] = [
      [{ tlsClientCa: ca }, 'ANVIL_ERR_USAGE', /--tls-client-ca given without --tls-cert/],
      [{ tlsCert: serverCert }, 'ANVIL_ERR_USAGE', /--tls-cert given without --tls-key/],
      [{ tlsKey: serverKey }, 'ANVIL_ERR_USAGE', /--tls-key given without --tls-cert/],
      [
        { tlsCert: join(pki.dir, 'nope.pem'), tlsKey: serverKey },
        'ANVIL_ERR_FILE_NOT_FOUND',
        /--tls-cert \S*nope\.pem: cannot read it \(ENOENT\)/,
      ],
      [{ tlsCert: serverCert, tlsKey: pki.dir }, 'ANVIL_ERR_FILE_NOT_FOUND', /--tls-key \S+: cannot read it \(EISDIR\)/],
      [{ tlsCert: serverKey, tlsKey: serverKey }, 'ANVIL_ERR_TLS_INVALID', /--tls-cert \S+anvil-server\.key holds no PEM certificate/],
      [{ tlsCert: serverCert, tlsKey: serverCert }, 'ANVIL_ERR_TLS_INVALID', /--tls-key \S+anvil-server\.pem holds no PEM private key/],
      [
        { tlsCert: serverCert, tlsKey: clientKey },
        'ANVIL_ERR_TLS_INVALID',
        /--tls-key \S+kube-scheduler\.key is not the key of the certificate in --tls-cert \S+anvil-server\.pem \(CN=anvil-server\)/,
      ],
      [{ tlsCert: serverCert, tlsKey: encryptedKey }, 'ANVIL_ERR_TLS_INVALID', /--tls-key \S+encrypted\.key is encrypted/],
      [
        { tlsCert: serverCert, tlsKey: serverKey, tlsClientCa: serverCert },
        'ANVIL_ERR_TLS_INVALID',
        /--tls-client-ca \S+anvil-server\.pem holds a certificate that is not a CA/,
      ],
      [
        { tlsCert: serverCert, tlsKey: serverKey, tlsClientCa: serverKey },
        'ANVIL_ERR_TLS_INVALID',
        /--tls-client-ca \S+ holds no PEM CA certificate/,
      ],
    ];
    for (const [flags, code, message] of cases) {
      const e = caught(() => loadServerTls(flags));
      expect([e.code, e.message], JSON.stringify(flags)).toEqual([code, expect.stringMatching(message)]);
    }
    // A damaged certificate block is not a certificate.
    const damaged = join(pki.dir, 'damaged.pem');
    writeFileSync(damaged, readFileSync(serverCert, 'utf8').replace(/^(-----BEGIN CERTIFICATE-----\n)(.{10})/m, '$1AAAAAAAAAA'));
    expect(caught(() => loadServerTls({ tlsCert: damaged, tlsKey: serverKey })).code).toBe('ANVIL_ERR_TLS_INVALID');
    expect(loadServerTls({})).toBeUndefined();
  });

  it('anvil serve with a bad TLS flag prints the coded error, no stack trace, and creates no state file', async () => {
    const state = join(tempDir('anvil-badtls-'), 'state.db');
    const noCert = await anvil(['serve', '--port', '0', '--state', state, '--tls-client-ca', pki.ca], {});
    expect(noCert.code).toBe(2); // a usage error
    expect(noCert.stderr).toMatch(/^ANVIL_ERR_USAGE: --tls-client-ca given without --tls-cert/);
    const mismatch = await anvil(['serve', '--port', '0', '--state', state, '--tls-cert', pki.serverCert, '--tls-key', pki.clientKey], {});
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^ANVIL_ERR_TLS_INVALID: --tls-key \S+kube-scheduler\.key is not the key/);
    for (const r of [noCert, mismatch]) {
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(state)).toBe(false);
  });

  describe('the CLI against anvil serve --tls-cert --tls-key --tls-client-ca', () => {
    let server: Awaited<ReturnType<typeof serveTls>>;
    const config = tempDir('anvil-tls-cli-');
    beforeAll(async () => {
      server = await serveTls([
        '--state',
        join(config, 'served.db'),
        '--tls-cert',
        pki.serverCert,
        '--tls-key',
        pki.serverKey,
        '--tls-client-ca',
        pki.ca,
      ]);
    });
    afterAll(async () => {
      server.child.kill('SIGTERM');
      await new Promise((r) => server.child.on('exit', r));
    });

    it('says it serves https with mutual TLS on the extender', () => {
      expect(server.stdout).toMatch(
        /scheduler extender https:\/\/127\.0\.0\.1:\d+\/scheduler: mutual TLS, client certificates of CN=anvil-test-ca/,
      );
    });

    it('--server https://... works with ANVIL_CA_CERT, and without the CA says how to give it', async () => {
      const env = { XDG_CONFIG_HOME: join(config, 'none') };
      const untrusted = await anvil(['get', 'nodes', '--server', server.url, '--token', server.token], env);
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toMatch(/^ANVIL_ERR_SERVER: https:\/\/127\.0\.0\.1:\d+ presented a certificate this client does not trust/);
      expect(untrusted.stderr).toContain('ANVIL_CA_CERT=CA.pem');
      const created = await anvil(['cluster', 'create', 'c1', '--nodes', '3', '--server', server.url, '--token', server.token], {
        ...env,
        ANVIL_CA_CERT: pki.ca,
      });
      expect([created.code, created.stderr]).toEqual([0, '']);
      const nodes = await anvil(['get', 'nodes', '--server', server.url, '--token', server.token], { ...env, ANVIL_CA_CERT: pki.ca });
      expect(nodes.code).toBe(0);
      expect(
        nodes.stdout
          .split('\n')
          .filter((l) => /^node\d/.test(l))
          .map((l) => l.split(/\s+/)[0]),
      ).toEqual(['node1', 'node2', 'node3']);
      // Node's own way works too: NODE_EXTRA_CA_CERTS extends the trust store the client uses without ANVIL_CA_CERT.
      const viaNode = await anvil(['get', 'nodes', '--server', server.url, '--token', server.token], {
        ...env,
        NODE_EXTRA_CA_CERTS: pki.ca,
      });
      expect(viaNode.stdout).toBe(nodes.stdout);
      const missingCa = await anvil(['get', 'nodes', '--server', server.url, '--token', server.token], {
        ...env,
        ANVIL_CA_CERT: join(config, 'nope.pem'),
      });
      expect(missingCa.stderr).toMatch(/^ANVIL_ERR_FILE_NOT_FOUND: ANVIL_CA_CERT \S+nope\.pem: cannot read it/);
    });

    it('anvil login --ca-cert keeps the CA with the server and token; later commands trust it', async () => {
      const env = { XDG_CONFIG_HOME: join(config, 'login') };
      const login = await anvil(['login', '--server', server.url, '--token', server.token, '--ca-cert', pki.ca], env);
      expect([login.code, login.stderr]).toEqual([0, '']);
      expect(login.stdout).toMatch(/logged in to https:\/\/127\.0\.0\.1:\d+ as admin \(cluster-admin\), trusting the CA in /);
      const saved = JSON.parse(readFileSync(join(config, 'login', 'anvil', 'config.json'), 'utf8'));
      expect(saved).toEqual({ server: server.url, token: server.token, ca_cert: pki.ca });
      const nodes = await anvil(['get', 'nodes'], env);
      expect([nodes.code, nodes.stderr]).toEqual([0, '']);
      expect(nodes.stdout).toContain('node1');
      const noCa = await anvil(['login', '--server', server.url, '--token', server.token], { XDG_CONFIG_HOME: join(config, 'login2') });
      expect(noCa.stderr).toMatch(/^ANVIL_ERR_SERVER: .* does not trust/);
      expect(existsSync(join(config, 'login2', 'anvil', 'config.json'))).toBe(false);
    });
  });
});

describe('plain HTTP off loopback', () => {
  it('is warned about (tokens in clear), on loopback or with TLS it is not', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'anvil.example.com'])
      expect(plainHttpWarning(host, undefined), host).toMatch(/unencrypted; serve HTTPS with --tls-cert/);
    for (const host of ['127.0.0.1', '127.0.0.2', '::1', 'localhost', '::ffff:127.0.0.1'])
      expect(plainHttpWarning(host, undefined), host).toBeUndefined();
    expect(plainHttpWarning('0.0.0.0', { cert: 'c', key: 'k' })).toBeUndefined();
  });
});
