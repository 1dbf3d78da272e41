/**
 * Key order paid when next walked (WatchedMap.orderByKeyLater): a commit no longer reorders a map that
 * gained keys; the map is put in key order when it is next walked. Whatever the sets, deletes, commits and
 * walks, every walk must see the order of a map put in key order at each commit (what the store did before,
 * and what a state read afresh from the file holds): keys set afresh since the last commit after the
 * others, in the order they came.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WatchedMap } from '../../../platform/domain/watched-map.js';

type Op = { kind: 'set' | 'delete'; key: string } | { kind: 'commit' } | { kind: 'walk'; how: number };

const keyArb = fc.constantFrom(...Array.from({ length: 14 }, (_, i) => `a/v${i}`), 'b/x', 'a/v100');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('set' as const, 'delete' as const), key: keyArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('commit' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('walk' as const), how: fc.integer({ min: 0, max: 4 }) }) },
);

/** The keys as the walk `how` sees them: each way of walking a Map. */
function walk(map: Map<string, number>, how: number): string[] {
  switch (how) {
    case 0:
      return [...map.keys()];
    case 1:
      return [...map].map(([k]) => k);
    case 2:
      return [...map.entries()].map(([k]) => k);
    case 3: {
      const keys: string[] = [];
      map.forEach((_, k) => keys.push(k));
      return keys;
    }
    default:
      return [...map.values()].map((v) => `value ${v}`);
  }
}

describe('a map put in key order when next walked', () => {
  it('is walked in the order of one put in key order at every commit', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => {
        const lazy = new WatchedMap<number>(() => {});
        const eager = new Map<string, number>();
        let moved = new Set<string>();
        let n = 0;
        const valueWalk = (map: Map<string, number>, how: number) => walk(map, how);
        for (const op of ops) {
          if (op.kind === 'set') {
            n++;
            lazy.set(op.key, n);
            eager.set(op.key, n);
            moved.add(op.key);
          } else if (op.kind === 'delete') {
            lazy.delete(op.key);
            eager.delete(op.key);
            moved.add(op.key);
          } else if (op.kind === 'commit') {
            lazy.orderByKeyLater(moved);
            moved = new Set();
            const sorted = [...eager].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
            eager.clear();
            for (const [k, v] of sorted) eager.set(k, v);
          } else if (op.kind === 'walk') expect(valueWalk(lazy, op.how)).toEqual(valueWalk(eager, op.how));
        }
        expect([...lazy]).toEqual([...eager]);
      }),
      { numRuns: 2000, seed: 19 },
    );
  });
});
