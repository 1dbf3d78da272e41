/**
 * The server's changes outside the groups (a token issued or revoked, the extender's bind) commit without an
 * fsync on the event loop (Store.changeHeld): the WAL is fsynced in the background, through the store's seam,
 * which the test holds. A blocking fsync would pass the seam by and answer at once; here the answer, and the
 * Binding posted to Kubernetes, wait until the held fsync has finished.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubeApiOf } from '../../../platform/api/extender/kube-binder.js';
import { tempDir } from '../../cli-harness.js';
import { turns, WalSyncGate, watch } from '../wal-sync-gate.js';
import { seededWorld } from './api-harness.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A stand-in apiserver that accepts every Binding and records the URLs posted to. */
async function acceptingApiserver(): Promise<{ url: string; posted: string[] }> {
  const posted: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      posted.push(req.url ?? '');
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Success' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posted };
}

describe('changes outside the groups wait for the background fsync, not on the event loop', () => {
  it('answers a token issued while the fsync is held only once it has finished, the token committed meanwhile', async () => {
    const gate = new WalSyncGate();
    const w = await seededWorld(join(tempDir('anvil-held-'), 'state.db'), undefined, undefined, { syncWal: gate.sync });
    try {
      const before = w.api.tokens.list('tuser').length;
      gate.hold();
      const issued = watch(w.call('admin', 'POST', '/apis/anvil.dev/v1/users/tuser/tokens', { name: 'held' }));
      await turns();
      // Committed (the server knows it) but not answered: the event loop ran on while the fsync was held.
      expect(w.api.tokens.list('tuser').length).toBe(before + 1);
      expect([gate.running, issued.settled]).toEqual([1, false]);
      gate.releaseAll();
      expect((await issued.promise).statusCode).toBe(201);
    } finally {
      gate.releaseAll();
      await w.app.close();
    }
  });

  it("posts the extender's Binding to Kubernetes, and answers the bind, only once the placement is durable", async () => {
    const gate = new WalSyncGate();
    const kube = await acceptingApiserver();
    const file = join(tempDir('anvil-held-token-'), 'token');
    writeFileSync(file, 't\n');
    const w = await seededWorld(
      join(tempDir('anvil-held-'), 'state.db'),
      undefined,
      kubeApiOf({ kubeApiserver: kube.url, kubeTokenFile: file }),
      {
        syncWal: gate.sync,
      },
    );
    try {
      const pod = {
        kind: 'Pod',
        apiVersion: 'v1',
        metadata: { name: 'web', namespace: 'a', uid: 'uid-web' },
        spec: { containers: [{ name: 'main', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] },
      };
      await w.app.inject({ method: 'POST', url: '/scheduler/filter', payload: { Pod: pod, NodeNames: ['node1'] } });
      gate.hold();
      const bind = watch(
        w.app.inject({
          method: 'POST',
          url: '/scheduler/bind',
          payload: { PodName: 'web', PodNamespace: 'a', PodUID: 'uid-web', Node: 'node1' },
        }),
      );
      await turns();
      expect(w.api.store.read((s) => s.pods.get('a/web')?.status.state)).toBe('running');
      expect([gate.running, kube.posted, bind.settled]).toEqual([1, [], false]);
      gate.releaseAll();
      expect((await bind.promise).json()).toEqual({ Error: '' });
      expect(kube.posted).toEqual(['/api/v1/namespaces/a/pods/web/binding']);
    } finally {
      gate.releaseAll();
      await w.app.close();
    }
  });
});
