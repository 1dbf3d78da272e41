/**
 * The control plane's services take the change's context: no domain module imports the `ControlPlane`
 * facade back, so platform/domain has no import cycle (madge and the repo's dependency check see the same
 * graph; this reads it directly so the rule holds without either). And the preconditions the creates
 * share (namespace, permission, cluster, tenant, name, exists) are checked in one order everywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import type { Actor } from '../../platform/domain/tenancy.js';
import { caughtAnvilError } from '../caught.js';
import { as, BLUE, openStore, podSpec } from './control-plane-harness.js';

const DOMAIN = 'platform/domain';

/** Every domain module's imports of other domain modules (type-only imports count: they tie the files too). */
function domainImports(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(DOMAIN).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(DOMAIN, file), 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\b[^;]*?from '\.\/([\w-]+)\.js';/gms)].map((m) => `${m[1]}.ts`);
    graph.set(file, targets);
  }
  return graph;
}

/** The import cycles of `graph`, each as the files along it (depth-first, every cycle found once per entry). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]) => {
    const at = path.indexOf(file);
    if (at >= 0) {
      found.push([...path.slice(at), file]);
      return;
    }
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

describe('the control plane services', () => {
  it('no domain module imports control-plane.ts, and the domain has no import cycle', () => {
    const graph = domainImports();
    expect(graph.get('volume-service.ts')).toContain('change-context.ts');
    const importers = [...graph].filter(([, targets]) => targets.includes('control-plane.ts')).map(([file]) => file);
    expect(importers).toEqual([]);
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check above can fail)', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(graph)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
  });

  it('checks a create in one order: permission before the namespace, the name and existence', () => {
    const { store } = openStore();
    as(store, (cp) => cp.createCluster({ name: 'c1', nodes: 2 }));
    as(store, (cp) => cp.createNetwork(BLUE));
    as(store, (cp) => cp.createTenant('team-a'));
    as(store, (cp) => cp.createVolume({ namespace: 'team-a', name: 'data', size_bytes: 2 ** 30 }));
    const bob: Actor = { user: 'bob', roles: ['container-edit/team-b', 'volume-edit/team-b', 'network-edit/team-b'] };
    const asBob =
      <T>(fn: (cp: ControlPlane) => T) =>
      () =>
        as(store, fn, bob);
    // Another tenant's existing object and a name free there read alike: no edit right in that namespace.
    for (const create of [
      asBob((cp) => cp.createVolume({ namespace: 'team-a', name: 'data', size_bytes: 2 ** 30 })),
      asBob((cp) => cp.createEndpoint('team-a', 'ep1', 'blue')),
      asBob((cp) => cp.createPod(podSpec('p1', { namespace: 'team-a' }))),
    ]) {
      expect(caughtAnvilError(create).code).toBe('ANVIL_ERR_FORBIDDEN');
    }
    // In its own namespace, which does not exist yet, bob hears of the namespace before the name.
    expect(
      caughtAnvilError(asBob((cp) => cp.createVolume({ namespace: 'team-b', name: 'Bad_Name', size_bytes: 2 ** 30 }))).message,
    ).toMatch(/^namespace team-b does not exist/);
    expect(caughtAnvilError(asBob((cp) => cp.createEndpoint('team-b', 'Bad_Name', 'blue'))).message).toMatch(
      /^namespace team-b does not exist/,
    );
    as(store, (cp) => cp.createTenant('team-b'));
    expect(caughtAnvilError(asBob((cp) => cp.createEndpoint('team-b', 'Bad_Name', 'blue'))).message).toMatch(
      /^endpoint name "Bad_Name" is not allowed/,
    );
    asBob((cp) => cp.createVolume({ namespace: 'team-b', name: 'data', size_bytes: 2 ** 30 }))();
    const again = caughtAnvilError(asBob((cp) => cp.createVolume({ namespace: 'team-b', name: 'data', size_bytes: 2 ** 30 })));
    expect([again.code, again.message]).toEqual(['ANVIL_ERR_OBJECT_EXISTS', 'volume team-b/data already exists']);
    asBob((cp) => cp.createPod(podSpec('p1', { namespace: 'team-b' })))();
    expect(caughtAnvilError(asBob((cp) => cp.createPod(podSpec('p1', { namespace: 'team-b' })))).message).toBe(
      'pod team-b/p1 already exists; delete it first to change it',
    );
  });
});
