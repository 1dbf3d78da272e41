/**
 * A list answer writes each state object's JSON once and reuses it while the object lives (plugins/common.ts):
 * the bytes must stay JSON.stringify's of the objects as they are now, whatever changed in between, for
 * whoever asks, whole or paged. Randomized: sequences of changes (fast-check), each followed by every list
 * route as each role, compared with a fresh JSON.stringify of what the domain's query gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { objectsOf, type Kind } from '../../../platform/domain/queries.js';
import type { ControlPlane } from '../../../platform/domain/control-plane.js';
import { localAdmin, type Actor } from '../../../platform/domain/tenancy.js';
import { seededWorld, type RoleName } from './api-harness.js';

const LISTS: [Kind, string, string | undefined][] = [
  ['nodes', '/apis/anvil.dev/v1/nodes', undefined],
  ['networks', '/apis/anvil.dev/v1/networks', undefined],
  ['volumes', '/apis/anvil.dev/v1/volumes', undefined],
  ['volumes', '/apis/anvil.dev/v1/namespaces/a/volumes', 'a'],
  ['snapshots', '/apis/anvil.dev/v1/namespaces/a/snapshots', 'a'],
  ['pods', '/apis/anvil.dev/v1/pods', undefined],
  ['namespaces', '/apis/anvil.dev/v1/namespaces', undefined],
  ['users', '/apis/anvil.dev/v1/users', undefined],
];

const ACTORS: Partial<Record<RoleName, Actor>> = {
  admin: { user: 'admin', roles: ['cluster-admin'] },
  tadmin: { user: 'tadmin', roles: ['tenant-admin/a'] },
  viewer: { user: 'viewer', roles: ['viewer'] },
};

/** Changes that replace listed objects: nodes, volumes, snapshots, namespaces, users. */
const change = fc.oneof(
  fc.record({ op: fc.constant('cordon' as const), node: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('uncordon' as const), node: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('create volume' as const), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant('resize volume' as const), n: fc.integer({ min: 0, max: 5 }), gib: fc.integer({ min: 2, max: 9 }) }),
  fc.record({ op: fc.constant('delete volume' as const), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant('snapshot' as const), n: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ op: fc.constant('roles' as const), viewer: fc.boolean() }),
  fc.record({ op: fc.constant('namespace' as const), n: fc.integer({ min: 0, max: 3 }) }),
);
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

function apply(cp: ControlPlane, c: Change): void {
  switch (c.op) {
    case 'cordon':
      return void cp.cordonNode(`node${c.node}`);
    case 'uncordon':
      return void cp.uncordonNode(`node${c.node}`);
    case 'create volume':
      return void cp.createVolume({ namespace: 'a', name: `r${c.n}`, size_bytes: 2 ** 30 });
    case 'resize volume':
      return void cp.updateVolume('a', `r${c.n}`, { size_bytes: c.gib * 2 ** 30 });
    case 'delete volume':
      return cp.deleteVolume('a', `r${c.n}`, true);
    case 'snapshot':
      return void cp.createSnapshot('a', `s${c.n}-${Math.random().toString(36).slice(2, 8)}`, `r${c.n}`);
    case 'roles':
      return void cp.setUserRoles('tuser', c.viewer ? ['tenant-user/a', 'viewer'] : ['tenant-user/a']);
    case 'namespace':
      return void cp.ensureTenant(`n${c.n}`);
  }
}

describe('list answers written from each object once', () => {
  it('are JSON.stringify of the objects as they are now, after any changes, whole and paged', { timeout: 120_000 }, async () => {
    const w = await seededWorld();
    const fresh = (actor: Actor, kind: Kind, namespace: string | undefined) =>
      w.api.store.read((s) => JSON.stringify(objectsOf(s, actor, kind, namespace)));
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 1, maxLength: 6 }), async (changes) => {
        for (const c of changes) {
          try {
            w.api.store.change(localAdmin('admin'), 'test', 'test', (cp) => apply(cp, c));
          } catch {
            // A change the domain refuses (no such volume, a node cordoned twice) changes nothing.
          }
          for (const [role, actor] of Object.entries(ACTORS) as [RoleName, Actor][])
            for (const [kind, url, namespace] of LISTS) {
              const res = await w.call(role, 'GET', url);
              if (res.statusCode !== 200) continue; // a role that may not list it: refused as before
              expect(res.body, `${role} ${url}`).toBe(fresh(actor, kind, namespace));
              const page = await w.call(role, 'GET', `${url}?limit=2`);
              const whole = JSON.parse(fresh(actor, kind, namespace)) as unknown[];
              expect(JSON.parse(page.body).items, `${role} ${url}?limit=2`).toEqual(whole.slice(0, 2));
              expect(page.body).toBe(JSON.stringify(JSON.parse(page.body)));
            }
        }
      }),
      { numRuns: 15 },
    );
    await w.app.close();
  });
});
