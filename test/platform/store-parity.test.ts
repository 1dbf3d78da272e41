/**
 * Issue 12: the control plane in process without SQLite. The same scenarios (placement, node failure and
 * recovery, mirrored volumes, quotas, drains, an apply in steps) run on the SQLite store and on the
 * in-memory store, each asserting what the domain does; then both stores must hold the same objects in the
 * same order, list every kind alike, and have recorded the same events and audit rows, timestamps included
 * (both run on the same simulated clock).
 */
import { describe, expect, it } from 'vitest';
import { openRig, SCENARIOS, snapshotOf, STORE_KINDS } from './store-scenarios.js';

describe.each(STORE_KINDS)('the control plane on the %s store', (kind) => {
  it.each(SCENARIOS)('%s', async (_name, scenario) => {
    const rig = openRig(kind);
    await scenario(rig);
    rig.store.close();
  });
});

describe('the in-memory store and the SQLite store', () => {
  it.each(SCENARIOS)('end %s with the same objects, listings, events and audit log', async (_name, scenario) => {
    const [sqlite, memory] = [openRig('sqlite'), openRig('memory')];
    await scenario(sqlite);
    await scenario(memory);
    const expected = snapshotOf(sqlite.store);
    // Something happened: the comparison below is not of two empty stores.
    expect(expected.events.length).toBeGreaterThan(0);
    expect(expected.audit.length).toBeGreaterThan(3);
    const got = snapshotOf(memory.store);
    expect(got.documents).toBe(expected.documents);
    expect(got.listings).toEqual(expected.listings);
    expect(got.events).toEqual(expected.events);
    expect(got.audit).toEqual(expected.audit);
    sqlite.store.close();
  });
});
