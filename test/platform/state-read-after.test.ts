/**
 * A request's reads of the state ask SQLite whether another process committed only once (issue 19:
 * authenticated reads cheap): `readStateAfter(mark)` reuses a check made after the mark was taken. Nothing
 * stale is ever allowed: a commit by another connection before the mark is always seen, however recent the
 * state held, and a state dropped (a failed change) is read again.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterState } from '../../platform/domain/cluster-state.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { as, tickingClock } from './control-plane-harness.js';

/** The server's store and another process's connection to the same file. */
function pair(): { server: Store; other: () => Store; path: string } {
  const path = join(tempDir('anvil-read-after-'), 'state.db');
  const server = Store.open(path, tickingClock());
  as(server, (cp) => cp.createCluster({ name: 'c', nodes: 2 }));
  return { server, other: () => Store.open(path, tickingClock()), path };
}

const tenants = (store: Store, mark: number) => store.readStateAfter(mark, (s) => [...s.tenants.keys()]);

describe('a read after a mark', () => {
  it('sees a commit another connection made before the mark, though the state held was checked just before it', () => {
    const { server, other } = pair();
    // The state is held and was checked a moment ago.
    expect(server.read((s) => s.tenants.has('x'))).toBe(false);
    const cli = other();
    as(cli, (cp) => cp.createTenant('x'));
    // The request arrives after the commit: its mark comes after every check so far.
    const mark = server.checkMark();
    expect(tenants(server, mark)).toContain('x');
    // Its next read reuses that check (nothing asked since the mark counts the same), and still sees it.
    expect(tenants(server, mark)).toContain('x');
    // A later request sees a later commit.
    as(cli, (cp) => cp.createTenant('y'));
    expect(tenants(server, server.checkMark())).toEqual(['default', 'x', 'y']);
    cli.close();
    server.close();
  });

  it("answers the state of a check made after the mark, with this connection's own commits since", () => {
    const { server, other } = pair();
    const mark = server.checkMark();
    // The request's first read (the token check) asks; the answer's read then sees what that one saw.
    expect(server.read((s) => s.tenants.size)).toBe(1);
    as(server, (cp) => cp.createTenant('own'));
    expect(tenants(server, mark)).toEqual(['default', 'own']);
    // Another connection's commit after the check is concurrent with the request; the next request sees it.
    const cli = other();
    as(cli, (cp) => cp.createTenant('later'));
    cli.close();
    expect(tenants(server, server.checkMark())).toEqual(['default', 'later', 'own']);
    server.close();
  });

  it('reads the file again when a failed change dropped the state held since the check', () => {
    const { server, other } = pair();
    const mark = server.checkMark();
    expect(server.read((s) => s.tenants.size)).toBe(1);
    // A change that touched the state and then failed: the memory is dropped.
    expect(() =>
      as(server, (cp) => {
        cp.createTenant('half');
        throw new Error('refused half way');
      }),
    ).toThrow(/half way/);
    const cli = other();
    as(cli, (cp) => cp.createTenant('meanwhile'));
    cli.close();
    // Not the dropped state with its half change: the file as it is now.
    expect(tenants(server, mark)).toEqual(['default', 'meanwhile']);
    server.close();
  });

  it('with no mark taken (a request the hook did not see) asks every time', () => {
    const { server, other } = pair();
    expect(server.read((s) => s.tenants.size)).toBe(1);
    const cli = other();
    as(cli, (cp) => cp.createTenant('z'));
    cli.close();
    expect(tenants(server, Number.POSITIVE_INFINITY)).toContain('z');
    server.close();
  });

  it('answers what a fresh read of the file answers, whatever this connection and another did before (randomized)', () => {
    const dump = (s: ClusterState) => JSON.stringify([...s.documents()]);
    /** What this connection may do between a request's mark and its answer, or between requests. */
    const own = fc.constantFrom('read', 'token check', 'create', 'refused', 'failed half way');
    const step = fc.oneof(
      fc.record({ other: fc.constantFrom('create', 'delete') }),
      fc.record({ own }),
      fc.record({ request: fc.array(own, { maxLength: 3 }) }),
    );
    let n = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
        const { server, other, path } = pair();
        const cli = other();
        const doOwn = (what: string) => {
          const name = `own${n++}`;
          if (what === 'read') server.read((s) => s.tenants.size);
          else if (what === 'token check') server.besideStamp();
          else if (what === 'create') as(server, (cp) => cp.createTenant(name));
          else if (what === 'refused') expect(() => as(server, (cp) => cp.createTenant('default'))).toThrow();
          else
            expect(() =>
              as(server, (cp) => {
                cp.createTenant(name);
                throw new Error('failed half way');
              }),
            ).toThrow();
        };
        try {
          for (const s of steps) {
            if ('other' in s) {
              const names = cli.read((st) => [...st.tenants.keys()].filter((t) => t !== 'default'));
              if (s.other === 'create' || names.length === 0) as(cli, (cp) => cp.createTenant(`other${n++}`));
              else as(cli, (cp) => cp.deleteTenant(names[0]!));
            } else if ('own' in s) doOwn(s.own);
            else {
              // A request: its mark, what this connection does meanwhile, then its answer, which must be
              // the file as it is (nobody else committed since the mark).
              const mark = server.checkMark();
              for (const what of s.request) doOwn(what);
              const fresh = Store.open(path);
              try {
                expect(server.readStateAfter(mark, dump)).toBe(fresh.read(dump));
              } finally {
                fresh.close();
              }
            }
          }
        } finally {
          cli.close();
          server.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
