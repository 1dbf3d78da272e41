/**
 * The server as a process on loopback: `anvil serve` prints the first admin token once; kill -9 in the
 * middle of a stream of changes (eight clients; sixteen creating and reading volumes) loses no acknowledged
 * change and nothing a read showed, and leaves the file sound; a bounded load of
 * concurrent clients ends with no errors.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { startServe } from '../../../bench/perf/serve-child.js';
import { seededWorld } from './api-harness.js';

const serve = (state: string) => startServe(['--state', state]);

async function post(url: string, token: string, path: string, body: unknown): Promise<number> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

describe('anvil serve', () => {
  it('prints the first admin token once, and a kill -9 mid-stream loses no acknowledged change', async () => {
    const state = join(tempDir('anvil-serve-'), 'state.db');
    const first = await serve(state);
    expect(first.token).toMatch(/^anvil_/);
    const acked: string[] = [];
    const KILL_AT = 40;
    let killed = false;
    const exited = new Promise((r) => first.child.on('exit', r));
    // Eight clients, each at most 50 changes; the server is killed at the 40th acknowledgement, with others
    // in flight. The API's changes are group-committed (several per transaction and fsync), each answered
    // only once its group is durable: none answered 201 may be missing from the file.
    const client = async (c: number) => {
      for (let i = 0; i < 50 && !killed; i++) {
        const name = `t${c}-${i}`;
        try {
          if ((await post(first.url, first.token!, '/apis/anvil.dev/v1/namespaces', { name })) === 201) acked.push(name);
        } catch {
          return; // the connection died with the server
        }
        if (acked.length >= KILL_AT && !killed) {
          killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(client));
    await exited;
    expect(killed).toBe(true);
    const store = Store.open(state);
    expect(store.integrityCheck()).toBe('ok');
    const tenants = store.read((s) => new Set(s.tenants.keys()));
    for (const name of acked) expect(tenants.has(name), name).toBe(true);
    store.close();
    // Started again on the same file: no new first token, the old one still works.
    const again = await serve(state);
    expect(again.token).toBeUndefined();
    const who = await fetch(`${again.url}/apis/anvil.dev/v1/whoami`, { headers: { authorization: `Bearer ${first.token}` } });
    expect(await who.json()).toMatchObject({
      user: 'admin',
      roles: ['cluster-admin'],
      cluster_views: ['cluster', 'node', 'network', 'perftier', 'volume', 'container', 'tenant', 'user', 'event'],
      cluster_edits: expect.arrayContaining(['cluster', 'node', 'volume']),
    });
    again.child.kill('SIGTERM');
    await new Promise((r) => again.child.on('exit', r));
  });

  it('kill -9 under sixteen clients creating and reading volumes loses no acknowledged create and nothing a read showed', async () => {
    const state = join(tempDir('anvil-serve16-'), 'state.db');
    const server = await serve(state);
    const token = server.token!;
    expect(await post(server.url, token, '/apis/anvil.dev/v1/cluster', { name: 'c', nodes: 4 })).toBe(201);
    expect(await post(server.url, token, '/apis/anvil.dev/v1/namespaces', { name: 'a' })).toBe(201);
    const acked: string[] = [];
    const seen = new Set<string>();
    const KILL_AT = 150;
    let killed = false;
    const exited = new Promise((r) => server.child.on('exit', r));
    // The commits go to the WAL without an fsync, which runs in the background while the next group commits;
    // an answer (201 or a list) leaves the server only once an fsync covering what it shows has finished.
    const client = async (c: number) => {
      for (let i = 0; i < 40 && !killed; i++) {
        try {
          if (i % 3 === 2) {
            const res = await fetch(`${server.url}/apis/anvil.dev/v1/namespaces/a/volumes`, {
              headers: { authorization: `Bearer ${token}` },
            });
            if (res.status === 200) for (const v of (await res.json()) as { name: string }[]) seen.add(v.name);
            continue;
          }
          const name = `v${c}-${i}`;
          if ((await post(server.url, token, '/apis/anvil.dev/v1/namespaces/a/volumes', { name, size_bytes: 2 ** 30 })) === 201)
            acked.push(name);
        } catch {
          return; // the connection died with the server
        }
        if (acked.length >= KILL_AT && !killed) {
          killed = true;
          server.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, c) => client(c)));
    await exited;
    expect(killed).toBe(true);
    const store = Store.open(state);
    try {
      expect(store.integrityCheck()).toBe('ok');
      const volumes = store.read((s) => new Set([...s.volumes.values()].map((v) => v.name)));
      expect(acked.filter((name) => !volumes.has(name))).toEqual([]);
      expect([...seen].filter((name) => !volumes.has(name))).toEqual([]);
      expect(seen.size).toBeGreaterThan(0);
    } finally {
      store.close();
    }
  });

  it('a bounded load of concurrent clients on loopback ends with no errors', async () => {
    const w = await seededWorld(join(tempDir('anvil-load-'), 'state.db'));
    const url = await w.app.listen({ host: '127.0.0.1', port: 0 });
    const CLIENTS = 16;
    const REQUESTS = 20;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        for (let i = 0; i < REQUESTS; i++) {
          if (i % 4 === 3)
            statuses.push(
              await post(url, w.tokens.tuser, '/apis/anvil.dev/v1/namespaces/a/volumes', { name: `l${c}-${i}`, size_bytes: 2 ** 30 }),
            );
          else {
            const res = await fetch(`${url}/apis/anvil.dev/v1/namespaces/a/${i % 2 ? 'pods' : 'volumes'}`, {
              headers: { authorization: `Bearer ${w.tokens.tuser}` },
            });
            await res.json();
            statuses.push(res.status);
          }
        }
      }),
    );
    expect(statuses.length).toBe(CLIENTS * REQUESTS);
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    const volumes = w.api.store.read((s) => [...s.volumes.keys()].filter((k) => k.startsWith('a/l')).length);
    expect(volumes).toBe(CLIENTS * (REQUESTS / 4));
    await w.app.close();
  });
});
