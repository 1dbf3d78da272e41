/**
 * Users managed over the API: roles changed (at once for the user's tokens), users deleted with their
 * tokens, a user created again under an old name inheriting none, the last user manager kept, and token
 * lists that never show token text.
 */
import { describe, expect, it } from 'vitest';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { seededWorld } from './api-harness.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('deleting users', () => {
  it("revokes the user's tokens: a user created again under the same name does not inherit them (401)", async () => {
    const w = await seededWorld();
    const old = w.tokens.tuser;
    expect((await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: bearer(old) })).statusCode).toBe(200);
    const del = await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/users/tuser');
    expect([del.statusCode, del.json()]).toEqual([200, { message: 'user tuser deleted, 2 tokens revoked' }]);
    expect(w.api.tokens.list('tuser')).toEqual([]);
    expect(
      w.api.tokens
        .list()
        .map((t) => t.user)
        .sort(),
    ).toEqual(['admin', 'tadmin', 'tother', 'viewer']);
    expect((await w.call('admin', 'POST', '/apis/anvil.dev/v1/users', { name: 'tuser', roles: ['tenant-user/a'] })).statusCode).toBe(201);
    const refused = await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: bearer(old) });
    expect([refused.statusCode, refused.json().code]).toEqual([401, 'ANVIL_ERR_UNAUTHENTICATED']);
    // The new user's own token works.
    const issued = await w.call('admin', 'POST', '/apis/anvil.dev/v1/users/tuser/tokens', { name: 'new' });
    const fresh = await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: bearer((issued.json() as { token: string }).token) });
    expect([fresh.statusCode, fresh.json()]).toEqual([
      200,
      {
        user: 'tuser',
        roles: ['tenant-user/a'],
        cluster_views: ['network', 'perftier'],
        cluster_edits: [],
        namespace_views: { a: ['network', 'perftier', 'volume', 'container', 'event'] },
        namespace_edits: { a: ['volume', 'container'] },
      },
    ]);
    await w.app.close();
  });

  it('tokens left behind by a user deleted without revoking them (a crash between the two) are revoked when the name is used again', async () => {
    const w = await seededWorld();
    // The domain deletes the user; the token table is untouched, as if the server died right after the commit.
    w.api.store.change(localAdmin('admin'), 'delete users', 'users/tuser', (cp) => cp.deleteUser('tuser'));
    expect(w.api.tokens.list('tuser')).toHaveLength(2);
    expect((await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: bearer(w.tokens.tuser) })).statusCode).toBe(401);
    expect((await w.call('admin', 'POST', '/apis/anvil.dev/v1/users', { name: 'tuser', roles: ['tenant-user/a'] })).statusCode).toBe(201);
    expect(w.api.tokens.list('tuser')).toEqual([]);
    expect((await w.app.inject({ url: '/apis/anvil.dev/v1/whoami', headers: bearer(w.tokens.tuser) })).statusCode).toBe(401);
    // Creating a user that exists is refused and revokes nothing.
    const dup = await w.call('admin', 'POST', '/apis/anvil.dev/v1/users', { name: 'tadmin', roles: ['viewer'] });
    expect([dup.statusCode, dup.json().code]).toEqual([409, 'ANVIL_ERR_OBJECT_EXISTS']);
    expect(w.api.tokens.list('tadmin')).toHaveLength(1);
    await w.app.close();
  });

  it('refuses to delete or demote the last cluster admin (409 ANVIL_ERR_IN_USE), and allows it once another exists', async () => {
    const w = await seededWorld();
    const del = await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/users/admin');
    expect([del.statusCode, del.json().code]).toEqual([409, 'ANVIL_ERR_IN_USE']);
    expect(del.json().message).toContain('give that role to another user first');
    const demote = await w.call('admin', 'PATCH', '/apis/anvil.dev/v1/users/admin', { roles: ['viewer'] });
    expect([demote.statusCode, demote.json().code]).toEqual([409, 'ANVIL_ERR_IN_USE']);
    expect(w.api.tokens.list('admin')).toHaveLength(1);
    // Promote the viewer to cluster admin: now the first admin may go, and its token with it.
    expect((await w.call('admin', 'PATCH', '/apis/anvil.dev/v1/users/viewer', { roles: ['cluster-admin'] })).statusCode).toBe(200);
    expect((await w.call('viewer', 'DELETE', '/apis/anvil.dev/v1/users/admin')).json()).toEqual({
      message: 'user admin deleted, 1 token revoked',
    });
    expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/whoami')).statusCode).toBe(401);
    const last = await w.call('viewer', 'DELETE', '/apis/anvil.dev/v1/users/viewer');
    expect([last.statusCode, last.json().code]).toEqual([409, 'ANVIL_ERR_IN_USE']);
    await w.app.close();
  });

  it('a missing user is not found for who may view users, forbidden for who may not', async () => {
    const w = await seededWorld();
    const missing = await w.call('admin', 'DELETE', '/apis/anvil.dev/v1/users/ghost');
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    const hidden = await w.call('tuser', 'DELETE', '/apis/anvil.dev/v1/users/ghost');
    expect([hidden.statusCode, hidden.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    await w.app.close();
  });
});

describe("changing a user's roles", () => {
  it('answers the changed user, and the roles hold at once for its tokens', async () => {
    const w = await seededWorld();
    expect((await w.call('tuser', 'GET', '/apis/anvil.dev/v1/nodes')).statusCode).toBe(403);
    const res = await w.call('tadmin', 'PATCH', '/apis/anvil.dev/v1/users/tuser', { roles: ['tenant-user/a', 'node-view'] });
    expect([res.statusCode, res.json()]).toEqual([200, { kind: 'User', name: 'tuser', roles: ['tenant-user/a', 'node-view'] }]);
    expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/users/tuser')).json()).toMatchObject({
      roles: ['tenant-user/a', 'node-view'],
    });
    expect((await w.call('tuser', 'GET', '/apis/anvil.dev/v1/nodes')).statusCode).toBe(200);
    const events = (await w.call('admin', 'GET', '/apis/anvil.dev/v1/events?object=user/tuser')).json() as {
      reason: string;
      message: string;
    }[];
    expect(events.at(-1)).toMatchObject({
      reason: 'UserRolesChanged',
      message: 'roles of tuser: tenant-user/a -> tenant-user/a, node-view',
    });
    const audit = (await w.call('admin', 'GET', '/apis/anvil.dev/v1/audit')).json() as { actor: string; action: string; target: string }[];
    expect(audit.at(-1)).toMatchObject({ actor: 'tadmin', action: 'update users', target: 'users/tuser' });
    await w.app.close();
  });

  const bad: [unknown, string][] = [
    [{ roles: 'viewer' }, 'body/roles'],
    [{}, 'roles'],
    [{ roles: ['viewer'], name: 'x' }, 'name'],
    [{ roles: [''] }, 'body/roles/0'],
    [{ roles: ['root'] }, 'role "root"'],
  ];
  for (const [body, field] of bad) {
    it(`refuses ${JSON.stringify(body)} naming ${field} (400), changing nothing`, async () => {
      const w = await seededWorld();
      const res = await w.call('admin', 'PATCH', '/apis/anvil.dev/v1/users/tuser', body);
      expect([res.statusCode, res.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
      expect(res.json().message).toContain(field);
      expect((await w.call('admin', 'GET', '/apis/anvil.dev/v1/users/tuser')).json()).toMatchObject({ roles: ['tenant-user/a'] });
      await w.app.close();
    });
  }
});

describe('listing tokens', () => {
  it('every token for a user manager, its own for anyone else; ids, users, names and times, never the token or its hash', async () => {
    const w = await seededWorld();
    const all = (await w.call('admin', 'GET', '/apis/anvil.dev/v1/tokens')).json() as Record<string, unknown>[];
    expect(all.map((t) => t.user)).toEqual(['admin', 'tadmin', 'tuser', 'viewer', 'tother', 'tuser']);
    for (const t of all) expect(Object.keys(t).sort()).toEqual(['created_at', 'id', 'name', 'user']);
    const own = (await w.call('tuser', 'GET', '/apis/anvil.dev/v1/tokens')).json() as Record<string, unknown>[];
    expect(own.map((t) => [t.user, t.name])).toEqual([
      ['tuser', 'test'],
      ['tuser', 'spare'],
    ]);
    // A tenant admin manages its users' roles, not their tokens: it sees its own only.
    expect(((await w.call('tadmin', 'GET', '/apis/anvil.dev/v1/tokens')).json() as { user: string }[]).map((t) => t.user)).toEqual([
      'tadmin',
    ]);
    await w.app.close();
  });
});
