/**
 * Watches over real HTTP (a chunked stream, one JSON watch event a line): from a list's resourceVersion
 * only what changes after it (no object twice), from none the current objects first, resumed from an
 * older revision with what happened since, Gone (410) from before the kept history; selectors and
 * tenancy as for lists; bookmarks when asked; ended by timeoutSeconds and by the server's shutdown.
 * Every wait is for an event or the stream's end, never for a length of time.
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { seededWorld, type RoleName, type World } from './api-harness.js';

const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const ADMIN = localAdmin('admin');

interface WatchEvent {
  type: string;
  object: { kind: string; metadata: { name?: string; namespace?: string; resourceVersion: string }; rows?: { cells: string[] }[] };
}

/** An open watch: its status, the events so far, and waits for more or for the end. */
interface Stream {
  status: number;
  events: WatchEvent[];
  body: string;
  /** Resolves once `n` events have arrived. */
  next(n: number): Promise<WatchEvent[]>;
  ended: Promise<void>;
  close(): void;
}

function openWatch(base: string, path: string, token: string, accept?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      `${base}${path}`,
      { headers: { authorization: `Bearer ${token}`, ...(accept ? { accept } : {}) } },
      (res: IncomingMessage) => {
        const events: WatchEvent[] = [];
        const waiting: { n: number; resolve: (e: WatchEvent[]) => void }[] = [];
        let buffer = '';
        let body = '';
        const settle = () => {
          for (const w of [...waiting]) {
            if (events.length < w.n) continue;
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(events.slice());
          }
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (res.statusCode !== 200) return;
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buffer.slice(0, nl)) as WatchEvent);
            buffer = buffer.slice(nl + 1);
          }
          settle();
        });
        const ended = new Promise<void>((done) => res.on('close', () => done()));
        const stream: Stream = {
          status: res.statusCode ?? 0,
          events,
          get body() {
            return body;
          },
          next: (n) => new Promise((r) => (waiting.push({ n, resolve: r }), settle())),
          ended,
          close: () => req.destroy(),
        };
        if (res.statusCode === 200) resolve(stream);
        else res.on('end', () => resolve(stream));
      },
    );
    req.on('error', reject);
  });
}

let w: World;
let base: string;
beforeAll(async () => {
  w = await seededWorld();
  base = await w.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await w.app.close();
});

const token = (role: Exclude<RoleName, 'none'> = 'admin') => w.tokens[role];
const listVersion = async (path: string, role: Exclude<RoleName, 'none'> = 'admin') =>
  (
    JSON.parse((await w.app.inject({ url: path, headers: { authorization: `Bearer ${token(role)}` } })).body) as {
      metadata: { resourceVersion: string };
    }
  ).metadata.resourceVersion;
const createVolume = (namespace: string, name: string) =>
  w.api.store.changeInGroup(ADMIN, 'create volumes', `volumes/${namespace}/${name}`, (cp) =>
    cp.createVolume({ namespace, name, size_bytes: 2 ** 30 }),
  );
const deleteVolume = (namespace: string, name: string) =>
  w.api.store.changeInGroup(ADMIN, 'delete volumes', `volumes/${namespace}/${name}`, (cp) => cp.deleteVolume(namespace, name));
const line = (e: WatchEvent) => `${e.type} ${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}`;

describe('watch', () => {
  it("from a list's resourceVersion streams only what changes after it, each change once, with rising versions", async () => {
    const rv = await listVersion('/api/v1/namespaces/a/persistentvolumeclaims');
    const s = await openWatch(base, `/api/v1/namespaces/a/persistentvolumeclaims?watch=true&resourceVersion=${rv}`, token());
    await createVolume('a', 'w1');
    await deleteVolume('a', 'w1');
    const events = await s.next(2);
    expect(events.map(line)).toEqual(['ADDED a/w1', 'DELETED a/w1']);
    const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(versions[0]).toBeGreaterThan(Number(rv));
    expect(versions[1]).toBeGreaterThan(versions[0]!);
    expect(versions[1]).toBe(w.api.store.revision());
    s.close();
  });

  it('without a resourceVersion sends the current objects as ADDED first, then a BOOKMARK when asked', async () => {
    const s = await openWatch(base, '/apis/apps/v1/namespaces/a/deployments?watch=1&allowWatchBookmarks=true', token());
    const events = await s.next(2);
    expect(events.map((e) => e.type)).toEqual(['ADDED', 'BOOKMARK']);
    expect(events[0]!.object.metadata.name).toBe('da');
    expect(events[1]!.object.metadata.resourceVersion).toBe(String(w.api.store.revision()));
    s.close();
  });

  it('with sendInitialEvents sends the current objects, then a bookmark marking their end (watch-list clients)', async () => {
    const rv = await listVersion('/apis/apps/v1/namespaces/a/statefulsets');
    const s = await openWatch(
      base,
      `/apis/apps/v1/namespaces/a/statefulsets?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`,
      token(),
    );
    const events = await s.next(2);
    expect(events.map(line)).toEqual(['ADDED a/ca', 'BOOKMARK /']);
    expect((events[1]!.object.metadata as { annotations?: Record<string, string> }).annotations).toEqual({
      'k8s.io/initial-events-end': 'true',
    });
    s.close();
  });

  it('resumes from an older revision with what happened since, and answers Gone from before its history', async () => {
    const rv = await listVersion('/api/v1/persistentvolumeclaims');
    await createVolume('a', 'r1');
    await createVolume('b', 'r2');
    await deleteVolume('a', 'r1');
    const s = await openWatch(base, `/api/v1/persistentvolumeclaims?watch=1&resourceVersion=${rv}`, token());
    expect((await s.next(3)).map(line)).toEqual(['ADDED a/r1', 'ADDED b/r2', 'DELETED a/r1']);
    s.close();
    const gone = await openWatch(base, '/api/v1/persistentvolumeclaims?watch=1&resourceVersion=1', token());
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.body)).toMatchObject({
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: expect.stringMatching(/^too old resource version: 1 \(\d+\)/),
      details: { causes: [{ reason: 'ANVIL_ERR_WATCH_EXPIRED' }] },
    });
  });

  it('applies field selectors, and sends one-row Tables when Accept asks for them', async () => {
    const rv = await listVersion('/api/v1/namespaces/a/persistentvolumeclaims');
    const s = await openWatch(
      base,
      `/api/v1/namespaces/a/persistentvolumeclaims?watch=1&resourceVersion=${rv}&fieldSelector=metadata.name%3Dsel2`,
      token(),
      TABLE_ACCEPT,
    );
    await createVolume('a', 'sel1');
    await createVolume('a', 'sel2');
    const [added] = await s.next(1);
    expect(added!.object.kind).toBe('Table');
    expect(added!.object.rows!.map((r) => r.cells[0])).toEqual(['sel2']);
    s.close();
    const bad = await openWatch(base, '/api/v1/pods?watch=1&fieldSelector=spec.foo%3Dx', token());
    expect(bad.status).toBe(400);
  });

  it("shows a tenant only its namespaces' changes, and refuses a watch of another namespace", async () => {
    const refused = await openWatch(base, '/api/v1/namespaces/b/persistentvolumeclaims?watch=1', token('tuser'));
    expect([refused.status, (JSON.parse(refused.body) as { reason: string }).reason]).toEqual([403, 'Forbidden']);
    const rv = await listVersion('/api/v1/persistentvolumeclaims', 'tuser');
    const s = await openWatch(base, `/api/v1/persistentvolumeclaims?watch=1&resourceVersion=${rv}`, token('tuser'));
    // b's change commits (and is delivered, or not) before a's.
    await createVolume('b', 't1');
    await createVolume('a', 't2');
    const events = await s.next(1);
    expect(events.map(line)).toEqual(['ADDED a/t2']);
    s.close();
  });

  it('ends at timeoutSeconds', async () => {
    const s = await openWatch(base, '/api/v1/nodes?watch=1&timeoutSeconds=1', token());
    await s.next(3);
    await s.ended;
    expect(s.events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED']);
  });
});

describe('changes by another process', () => {
  it('reach a watch too (the CLI changing the state file under the server)', async () => {
    const path = join(tempDir('anvil-watch-file-'), 'state.db');
    const own = await seededWorld(path);
    const url = await own.app.listen({ port: 0, host: '127.0.0.1' });
    const cli = Store.open(path);
    try {
      const rv = (
        JSON.parse(
          (
            await own.app.inject({
              url: '/api/v1/namespaces/a/persistentvolumeclaims',
              headers: { authorization: `Bearer ${own.tokens.admin}` },
            })
          ).body,
        ) as {
          metadata: { resourceVersion: string };
        }
      ).metadata.resourceVersion;
      const s = await openWatch(url, `/api/v1/namespaces/a/persistentvolumeclaims?watch=1&resourceVersion=${rv}`, own.tokens.admin);
      cli.change(ADMIN, 'create volumes', 'volumes/a/other', (cp) =>
        cp.createVolume({ namespace: 'a', name: 'other', size_bytes: 2 ** 30 }),
      );
      const [added] = await s.next(1);
      expect(line(added!)).toBe('ADDED a/other');
      expect(added!.object.metadata.resourceVersion).toBe(String(cli.revision()));
      s.close();
    } finally {
      cli.close();
      await own.app.close();
    }
  });
});

describe('server shutdown', () => {
  it('ends open watches, so the server closes', async () => {
    const own = await seededWorld();
    const url = await own.app.listen({ port: 0, host: '127.0.0.1' });
    const s = await openWatch(url, '/api/v1/pods?watch=1', own.tokens.admin);
    await s.next(1);
    await own.app.close();
    await s.ended;
  });
});
