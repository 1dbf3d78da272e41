/**
 * The server keeps the users of the tokens it has seen (issue 19: authenticated reads cheap), and nothing
 * stale is ever allowed: a token revoked through the API, or by another process on the state file, is
 * refused on the very next request, as is the token of a deleted user; a role changed by another process
 * holds on the very next request. A request's reads ask the file once whether another process committed
 * (the token check's), and still show every commit made before the request.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildServer, bootstrapAdmin } from '../../../platform/api/server.js';
import { TokenStore } from '../../../platform/api/tokens.js';
import { localAdmin } from '../../../platform/domain/tenancy.js';
import { Store } from '../../../platform/state/store.js';
import { tempDir } from '../../cli-harness.js';
import { tickingClock } from '../control-plane-harness.js';

async function world() {
  const statePath = join(tempDir('anvil-token-cache-'), 'state.db');
  const { app, api } = await buildServer({ statePath, clock: tickingClock() });
  const admin = bootstrapAdmin(api)!;
  api.store.change(localAdmin('admin'), 'seed', 'seed', (cp) => {
    cp.createCluster({ name: 'c1', nodes: 2 });
    for (const ns of ['a', 'b']) cp.createTenant(ns);
    cp.createUser('tuser', ['tenant-user/a']);
  });
  const issued = () => api.tokens.issue('tuser', 'test', 'admin');
  const as = (token: string, method: string, url: string) =>
    app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}` } });
  /** Another process's connection to the same file (as `anvil --state` would be). */
  const other = () => Store.open(statePath, tickingClock());
  return { app, api, admin, issued, as, other };
}

describe('the token cache', () => {
  it('a token revoked through the API is refused on the very next request', async () => {
    const w = await world();
    const { token, info } = w.issued();
    for (let i = 0; i < 3; i++) expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/whoami')).statusCode).toBe(200);
    expect((await w.as(w.admin, 'DELETE', `/apis/anvil.dev/v1/users/tuser/tokens/${info.id}`)).statusCode).toBeLessThan(300);
    const after = await w.as(token, 'GET', '/apis/anvil.dev/v1/whoami');
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('ANVIL_ERR_UNAUTHENTICATED');
    await w.app.close();
  });

  it('a token revoked by another process on the state file is refused on the very next request', async () => {
    const w = await world();
    const { token, info } = w.issued();
    const kept = w.issued().token;
    for (let i = 0; i < 3; i++) expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/whoami')).statusCode).toBe(200);
    const store = w.other();
    const tokens = TokenStore.of(store);
    expect(tokens.revoke('tuser', info.id, 'admin')).toBe(true);
    store.close();
    expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/whoami')).statusCode).toBe(401);
    // The other tokens still serve.
    expect((await w.as(kept, 'GET', '/apis/anvil.dev/v1/whoami')).statusCode).toBe(200);
    await w.app.close();
  });

  it("a role changed by another process holds on the very next request; a deleted user's token is refused", async () => {
    const w = await world();
    const { token } = w.issued();
    expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/namespaces/a/volumes')).statusCode).toBe(200);
    const store = w.other();
    store.change(localAdmin('admin'), 'set users', 'users/tuser', (cp) => cp.setUserRoles('tuser', ['tenant-user/b']));
    store.close();
    expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/namespaces/a/volumes')).statusCode).toBe(403);
    expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/namespaces/b/volumes')).statusCode).toBe(200);
    expect((await w.as(w.admin, 'DELETE', '/apis/anvil.dev/v1/users/tuser')).statusCode).toBeLessThan(300);
    expect((await w.as(token, 'GET', '/apis/anvil.dev/v1/whoami')).statusCode).toBe(401);
    await w.app.close();
  });

  it('a list and a get answer what another process committed before the request, in one check per request', async () => {
    const w = await world();
    const names = async () =>
      ((await w.as(w.admin, 'GET', '/apis/anvil.dev/v1/namespaces')).json() as { name: string }[]).map((t) => t.name);
    const one = async (name: string) => (await w.as(w.admin, 'GET', `/apis/anvil.dev/v1/namespaces/${name}`)).statusCode;
    // Every cache warm: the token's user, the state in memory, the routes compiled.
    for (let i = 0; i < 3; i++) expect(await names()).toEqual(['a', 'b', 'default']);
    const store = w.other();
    store.change(localAdmin('admin'), 'create namespaces', 'namespaces/c', (cp) => cp.createTenant('c'));
    expect(await names()).toEqual(['a', 'b', 'c', 'default']);
    expect(await one('c')).toBe(200);
    store.change(localAdmin('admin'), 'delete namespaces', 'namespaces/c', (cp) => cp.deleteTenant('c'));
    expect(await one('c')).toBe(404);
    expect(await names()).toEqual(['a', 'b', 'default']);
    // A tenant user's list follows its roles as another process changes them, on the very next request.
    const { token } = w.issued();
    const volumes = async (ns: string) => (await w.as(token, 'GET', `/apis/anvil.dev/v1/namespaces/${ns}/volumes`)).statusCode;
    expect([await volumes('a'), await volumes('b')]).toEqual([200, 403]);
    store.change(localAdmin('admin'), 'set users', 'users/tuser', (cp) => cp.setUserRoles('tuser', ['tenant-user/b']));
    expect([await volumes('a'), await volumes('b')]).toEqual([403, 200]);
    store.close();
    await w.app.close();
  });

  it('a role taken away or given through the API itself holds on the very next request (roles parsed once per text)', async () => {
    const w = await world();
    const { token } = w.issued();
    const volumesOf = async (ns: string) => (await w.as(token, 'GET', `/apis/anvil.dev/v1/namespaces/${ns}/volumes`)).statusCode;
    const events = async () => (await w.as(token, 'GET', '/apis/anvil.dev/v1/events')).statusCode;
    // Warm every cache: the token's user, its roles' parse.
    for (let i = 0; i < 3; i++) expect([await volumesOf('a'), await volumesOf('b'), await events()]).toEqual([200, 403, 200]);
    const patch = (roles: string[]) =>
      w.app.inject({
        method: 'PATCH',
        url: '/apis/anvil.dev/v1/users/tuser',
        headers: { authorization: `Bearer ${w.admin}` },
        payload: { roles },
      });
    expect((await patch(['tenant-user/b'])).statusCode).toBe(200);
    expect([await volumesOf('a'), await volumesOf('b')]).toEqual([403, 200]);
    expect((await patch(['node-view'])).statusCode).toBe(200);
    expect([await volumesOf('a'), await volumesOf('b'), await events()]).toEqual([403, 403, 403]);
    expect((await patch(['tenant-user/a'])).statusCode).toBe(200);
    expect([await volumesOf('a'), await volumesOf('b'), await events()]).toEqual([200, 403, 200]);
    await w.app.close();
  });
});
