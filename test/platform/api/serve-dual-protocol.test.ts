/**
 * `anvil serve`'s default: https with the CA made beside the state and plain http on the same port, the
 * latter answered for loopback callers only (a token sent in clear stays on the machine; kubectl sends none
 * over http anyway); the Kubernetes facade answers that refusal as a Status.
 */
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../platform/api/server.js';
import { selfSignedTls } from '../../../platform/api/tls-generate.js';
import { loadServerTls } from '../../../platform/api/tls.js';
import { tempDir } from '../../cli-harness.js';

/** GET `url` over https trusting `ca`: status and body. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('https and loopback plain http on one port', () => {
  const state = join(tempDir('anvil-dual-'), 'state.db');
  let app: FastifyInstance;
  let port: number;
  let ca: string;
  beforeAll(async () => {
    const made = selfSignedTls(state, '127.0.0.1');
    ca = readFileSync(made.caPath, 'utf8');
    const tls = loadServerTls({ tlsCert: made.certPath, tlsKey: made.keyPath })!;
    ({ app } = await buildServer({ statePath: state, tls, plainHttpOnLoopback: true }));
    const address = await app.listen({ host: '127.0.0.1', port: 0 });
    port = Number(new URL(address).port);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers https (with the CA made beside the state) and plain http from loopback alike', async () => {
    const plain = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(plain.status).toBe(200);
    const secure = await httpsGet(`https://127.0.0.1:${port}/healthz`, ca);
    expect(secure.status).toBe(200);
    expect(secure.body).toBe(await plain.text());
  });

  it('refuses plain http from another address with a coded 403, as a Status on the Kubernetes facade', async () => {
    const anvil = await app.inject({ method: 'GET', url: '/healthz', remoteAddress: '10.0.0.5' });
    expect(anvil.statusCode).toBe(403);
    expect(anvil.json()).toMatchObject({
      code: 'ANVIL_ERR_PLAIN_HTTP_NOT_LOOPBACK',
      message: expect.stringContaining('10.0.0.5 must use https'),
    });
    const kube = await app.inject({ method: 'GET', url: '/api/v1/nodes', remoteAddress: '10.0.0.5' });
    expect(kube.statusCode).toBe(403);
    expect(kube.json()).toMatchObject({
      kind: 'Status',
      code: 403,
      message: expect.stringContaining('plain http is answered only from this machine'),
    });
    // From loopback the same request reaches the route (here: no token, so Unauthorized).
    const local = await app.inject({ method: 'GET', url: '/api/v1/nodes' });
    expect(local.statusCode).toBe(401);
  });
});
