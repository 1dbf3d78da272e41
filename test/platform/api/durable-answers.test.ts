/**
 * The server tells nobody of a change before it is on disk: while the fsync covering a commit runs (held by
 * the test through the store's seam), no answer leaves the server (the write's own, a read's, a Kubernetes
 * read's), and a watch holds its events; once it finishes they go. After a failed fsync every answer is
 * the coded ANVIL_ERR_STATE_NOT_DURABLE (503) and no change is taken.
 */
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { durableStream } from '../../../platform/api/durable-answers.js';
import type { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { turns, WalSyncGate, watch } from '../wal-sync-gate.js';
import { seededWorld } from './api-harness.js';

const VOLUMES = '/apis/anvil.dev/v1/namespaces/a/volumes';

async function gatedWorld() {
  const gate = new WalSyncGate();
  const w = await seededWorld(join(tempDir('anvil-durable-api-'), 'state.db'), undefined, undefined, { syncWal: gate.sync });
  return { w, gate };
}

describe('answers wait for the fsync', () => {
  it('sends no answer built while a commit waits for its fsync until that fsync has finished', async () => {
    const { w, gate } = await gatedWorld();
    try {
      gate.hold();
      const create = watch(w.call('tuser', 'POST', VOLUMES, { name: 'vnew', size_bytes: 2 ** 30 }));
      await gate.started();
      // Answered from the state that holds vnew: a read, the Kubernetes facade's read, and the write itself.
      const read = watch(w.call('tuser', 'GET', VOLUMES));
      const kubeRead = watch(w.call('tuser', 'GET', '/api/v1/namespaces/a/persistentvolumeclaims'));
      await turns();
      expect(w.api.store.read((s) => s.volumes.has('a/vnew'))).toBe(true);
      expect([create.settled, read.settled, kubeRead.settled]).toEqual([false, false, false]);
      gate.releaseAll();
      expect((await create.promise).statusCode).toBe(201);
      const listed = (await read.promise).json() as { name: string }[];
      expect(listed.map((v) => v.name)).toContain('vnew');
      const claims = (await kubeRead.promise).json() as { items: { metadata: { name: string } }[] };
      expect(claims.items.map((c) => c.metadata.name)).toContain('vnew');
      // Nothing waits now: a read is answered at once.
      expect((await w.call('tuser', 'GET', VOLUMES)).statusCode).toBe(200);
    } finally {
      gate.releaseAll();
      await w.app.close();
    }
  });

  it('after a failed fsync answers every request with ANVIL_ERR_STATE_NOT_DURABLE and takes no change', async () => {
    const { w, gate } = await gatedWorld();
    try {
      gate.hold();
      const create = w.call('tuser', 'POST', VOLUMES, { name: 'vlost', size_bytes: 2 ** 30 });
      await gate.started();
      gate.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      const answer = await create;
      expect(answer.statusCode).toBe(503);
      expect(answer.json()).toMatchObject({ code: 'ANVIL_ERR_STATE_NOT_DURABLE', message: expect.stringMatching(/start it again/) });
      const read = await w.call('tuser', 'GET', VOLUMES);
      expect([read.statusCode, read.json().code]).toEqual([503, 'ANVIL_ERR_STATE_NOT_DURABLE']);
      const kube = await w.call('tuser', 'GET', '/api/v1/namespaces/a/persistentvolumeclaims');
      expect([kube.statusCode, kube.json().kind]).toEqual([503, 'Status']);
      const later = await w.call('tuser', 'POST', VOLUMES, { name: 'vlater', size_bytes: 2 ** 30 });
      expect([later.statusCode, later.json().code]).toEqual([503, 'ANVIL_ERR_STATE_NOT_DURABLE']);
      expect(w.api.store.read((s) => s.volumes.has('a/vlater'))).toBe(false);
    } finally {
      await w.app.close();
    }
  });
});

/** A response that records what is written to it. */
function recordingResponse() {
  const written: string[] = [];
  const res = {
    ended: false,
    destroyed: false,
    write: (text: string) => written.push(text) > 0,
    end: () => (res.ended = true),
    destroy: () => (res.destroyed = true),
  };
  return { res, written };
}

describe('a streamed answer (a watch)', () => {
  it('holds each piece until the commits before it are durable, in order, and ends after them', async () => {
    const { w, gate } = await gatedWorld();
    try {
      const { res, written } = recordingResponse();
      const out = durableStream(w.api.store, res as unknown as ServerResponse);
      out.write('before\n'); // nothing waits: written at once
      expect(written).toEqual(['before\n']);
      gate.hold();
      const create = w.call('tuser', 'POST', VOLUMES, { name: 'vw', size_bytes: 2 ** 30 });
      await gate.started();
      out.write('event\n');
      out.end();
      await turns();
      expect([written, res.ended]).toEqual([['before\n'], false]);
      gate.releaseAll();
      await create;
      await turns();
      expect([written, res.ended]).toEqual([['before\n', 'event\n'], true]);
    } finally {
      gate.releaseAll();
      await w.app.close();
    }
  });

  it('is cut after a failed fsync, sending nothing more', async () => {
    const gate = new WalSyncGate();
    const { res, written } = recordingResponse();
    const w = await seededWorld(join(tempDir('anvil-durable-watch-'), 'state.db'), undefined, undefined, { syncWal: gate.sync });
    try {
      const store: Store = w.api.store;
      gate.hold();
      const create = w.call('tuser', 'POST', VOLUMES, { name: 'vx', size_bytes: 2 ** 30 });
      await gate.started();
      const out = durableStream(store, res as unknown as ServerResponse);
      out.write('event\n');
      gate.fail(new Error('EIO'));
      await create;
      await turns();
      out.write('more\n');
      expect([written, res.destroyed, res.ended]).toEqual([[], true, false]);
    } finally {
      await w.app.close();
    }
  });
});
