/**
 * Token issue and revoke are in the audit log (by whom, which token id; never the token), and token ids are
 * never reused: not after the newest token is revoked, not after a restart, not on a file of an older build.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../platform/api/server.js';
import { TokenStore } from '../../../platform/api/tokens.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { seededWorld } from './api-harness.js';

describe('token audit', () => {
  it('POST and DELETE of a token are audited with the caller and the token id, in the store and on GET /apis/anvil.dev/v1/audit', async () => {
    const w = await seededWorld();
    const issued = await w.call('admin', 'POST', '/apis/anvil.dev/v1/users/tuser/tokens', { name: 'ci' });
    expect(issued.statusCode).toBe(201);
    const { token, info } = issued.json() as { token: string; info: { id: number } };
    expect((await w.call('tuser', 'DELETE', `/apis/anvil.dev/v1/users/tuser/tokens/${info.id}`)).statusCode).toBe(200);
    const tail = w.api.store.audit(2).map((a) => [a.actor, a.action, a.target]);
    expect(tail).toEqual([
      ['admin', 'create tokens', `tokens/tuser/${info.id}`],
      ['tuser', 'revoke tokens', `tokens/tuser/${info.id}`],
    ]);
    const served = await w.call('admin', 'GET', '/apis/anvil.dev/v1/audit?limit=2');
    expect((served.json() as { action: string }[]).map((a) => a.action)).toEqual(['create tokens', 'revoke tokens']);
    // Neither the token nor its hash is ever in the log.
    const everything = JSON.stringify(w.api.store.audit(100000));
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(token.slice(6, 30));
    // A refused revoke writes nothing.
    const before = w.api.store.audit(100000).length;
    expect((await w.call('tuser', 'DELETE', `/apis/anvil.dev/v1/users/tuser/tokens/${info.id}`)).statusCode).toBe(404);
    expect(w.api.store.audit(100000).length).toBe(before);
    await w.app.close();
  });

  it('deleting a user audits the revoke of each of its tokens', async () => {
    const w = await seededWorld();
    const ids = w.api.tokens.list('tuser').map((t) => t.id);
    expect(ids.length).toBe(2);
    expect((await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/users/tuser')).statusCode).toBe(200);
    const revokes = w.api.store.audit(100000).filter((a) => a.action === 'revoke tokens');
    expect(revokes.map((a) => [a.actor, a.target])).toEqual(ids.map((id) => ['admin', `tokens/tuser/${id}`]));
    await w.app.close();
  });
});

describe('token ids', () => {
  it('are never reused: after revoking the newest, after a restart of the server, for another user', async () => {
    const path = join(tempDir('anvil-token-ids-'), 'state.db');
    const first = await seededWorld(path);
    const newest = first.api.tokens.issue('tuser', 'newest', 'admin').info.id;
    expect(first.api.tokens.revoke('tuser', newest, 'admin')).toBe(true);
    const next = first.api.tokens.issue('tadmin', 'next', 'admin').info.id;
    expect(next).toBeGreaterThan(newest);
    expect(first.api.tokens.revoke('tadmin', next, 'admin')).toBe(true);
    await first.app.close();
    // A restart reads the file again: the revoked ids stay used.
    const again = await buildServer({ statePath: path });
    const afterRestart = again.api.tokens.issue('tuser', 'after', 'admin').info.id;
    expect(afterRestart).toBeGreaterThan(next);
    // A revoke made from a listing taken before cannot hit the newer token.
    expect(again.api.tokens.revoke('tuser', newest, 'admin')).toBe(false);
    expect(again.api.tokens.list('tuser').map((t) => t.id)).toContain(afterRestart);
    await again.app.close();
  });

  it('a state file of an older build (plain INTEGER PRIMARY KEY) keeps its tokens and goes on from the highest id', () => {
    const path = join(tempDir('anvil-token-old-'), 'state.db');
    const store = Store.open(path);
    store.change(localAdmin(), 'create users', 'users/bob', (cp) => cp.createUser('bob', ['viewer']));
    store.close();
    const old = new Database(path);
    old.exec(
      'CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, user TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL)',
    );
    old.prepare('INSERT INTO api_tokens (id, hash, user, name, created_at) VALUES (?, ?, ?, ?, ?)').run(1, 'h1', 'bob', 'a', 'then');
    old.prepare('INSERT INTO api_tokens (id, hash, user, name, created_at) VALUES (?, ?, ?, ?, ?)').run(2, 'h2', 'bob', 'b', 'then');
    old.close();
    const tokens = TokenStore.open(path);
    expect(tokens.list('bob').map((t) => [t.id, t.name])).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
    expect(tokens.revoke('bob', 2, 'admin')).toBe(true);
    expect(tokens.issue('bob', 'c', 'admin').info.id).toBe(3);
    tokens.close();
    const reopened = TokenStore.open(path);
    expect(reopened.revoke('bob', 3, 'admin')).toBe(true);
    expect(reopened.issue('bob', 'd', 'admin').info.id).toBe(4);
    reopened.close();
  });
});
