/**
 * Durability off the event loop (state/durability.ts): a commit does not fsync; the WAL is fsynced in the
 * background and a change is acknowledged only once an fsync that started after its commit has finished.
 * A change committed while an fsync runs waits for one started after it (several run at once, up to
 * MAX_SYNCS_RUNNING; one that ends covers whatever was committed before it started, whichever ends first). A failed fsync refuses the waiting changes
 * and every later one with ANVIL_ERR_STATE_NOT_DURABLE. The fsync is a seam held by the test (WalSyncGate).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ControlPlane } from '../../platform/domain/control-plane.js';
import { AnvilError } from '../../platform/errors.js';
import { MAX_SYNCS_RUNNING } from '../../platform/state/durability.js';
import { Store } from '../../platform/state/store.js';
import { tempDir } from '../cli-harness.js';
import { ADMIN, as, tickingClock } from './control-plane-harness.js';
import { turns, WalSyncGate, watch } from './wal-sync-gate.js';

function gatedStore(): { store: Store; gate: WalSyncGate; path: string } {
  const gate = new WalSyncGate();
  const path = join(tempDir('anvil-durable-'), 'state.db');
  const store = Store.open(path, tickingClock(), false, gate.sync);
  as(store, (cp) => cp.createCluster({ name: 'c', nodes: 4 }));
  return { store, gate, path };
}

const createVolume = (name: string) => (cp: ControlPlane) => cp.createVolume({ namespace: 'default', name, size_bytes: 2 ** 30 });
const inGroup = (store: Store, name: string, fn = createVolume(name)) =>
  store.changeInGroup(ADMIN, 'create volumes', `volumes/default/${name}`, fn);

describe('durability off the event loop', () => {
  it('acknowledges a grouped change only after the fsync that started after its commit has finished', async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const first = watch(inGroup(store, 'a'));
    await gate.started();
    // Committed (the state shows it) but not durable: not acknowledged, however long the loop runs.
    await turns();
    expect(store.read((s) => s.volumes.has('default/a'))).toBe(true);
    expect(first.settled).toBe(false);
    expect(store.durabilityPending).toBe(true);
    // Committed while that fsync runs: the running one does not cover it; a second one starts beside it.
    const second = watch(inGroup(store, 'b'));
    await turns();
    expect(gate.running).toBe(2);
    gate.releaseOne();
    await expect(first.promise).resolves.toMatchObject({ name: 'a' });
    await turns();
    expect(second.settled).toBe(false);
    gate.releaseAll();
    await expect(second.promise).resolves.toMatchObject({ name: 'b' });
    expect(store.durabilityPending).toBe(false);
    store.close();
  });

  it('settles every change an fsync covers when it ends before an earlier one', async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const first = watch(inGroup(store, 'a'));
    await gate.started();
    const second = watch(inGroup(store, 'b'));
    await turns();
    expect(gate.running).toBe(2);
    // The later fsync started after both commits: its end makes both durable, the earlier one still running.
    gate.releaseNewest();
    await expect(Promise.all([first.promise, second.promise])).resolves.toMatchObject([{ name: 'a' }, { name: 'b' }]);
    expect(store.durabilityPending).toBe(false);
    gate.releaseAll();
    store.close();
  });

  it(`runs at most ${MAX_SYNCS_RUNNING} fsyncs at once: a commit made meanwhile waits for one of them to end`, async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const running = [];
    for (let i = 0; i < MAX_SYNCS_RUNNING; i++) {
      running.push(watch(inGroup(store, `r${i}`)));
      await turns();
    }
    expect(gate.running).toBe(MAX_SYNCS_RUNNING);
    const waiting = watch(inGroup(store, 'w'));
    await turns();
    expect(gate.running).toBe(MAX_SYNCS_RUNNING);
    gate.releaseOne();
    await running[0]!.promise;
    await turns();
    // The one that ended started the next, covering the waiting commit; it is not durable before that one ends.
    expect(gate.running).toBe(MAX_SYNCS_RUNNING);
    expect(waiting.settled).toBe(false);
    gate.releaseNewest();
    await expect(waiting.promise).resolves.toMatchObject({ name: 'w' });
    expect(running.every((w) => w.settled)).toBe(true);
    gate.releaseAll();
    store.close();
  });

  it('lets the event loop run and commit the next group while an fsync runs', async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const first = watch(inGroup(store, 'a'));
    await gate.started();
    const before = store.groupsCommitted;
    const next = [watch(inGroup(store, 'b')), watch(inGroup(store, 'c'))];
    await turns();
    // The next group committed (one transaction) on the state the first left, during the first's fsync.
    expect(store.groupsCommitted - before).toBe(1);
    expect(store.read((s) => ['a', 'b', 'c'].map((n) => s.volumes.has(`default/${n}`)))).toEqual([true, true, true]);
    expect([first, ...next].map((w) => w.settled)).toEqual([false, false, false]);
    gate.releaseAll();
    await Promise.all([first.promise, ...next.map((w) => w.promise)]);
    store.close();
  });

  it('settles a held change at commit, while whenDurable waits for the fsync', async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const made = await store.changeInGroupHeld(ADMIN, 'create volumes', 'volumes/default/h', createVolume('h'));
    expect(made).toMatchObject({ name: 'h' });
    const durable = watch(store.whenDurable());
    await gate.started();
    await turns();
    expect(durable.settled).toBe(false);
    gate.releaseAll();
    await durable.promise;
    store.close();
  });

  it('still fails a bad change of a group alone while the group waits for its fsync', async () => {
    const { store, gate } = gatedStore();
    await inGroup(store, 'taken');
    gate.hold();
    const outcomes = Promise.allSettled([inGroup(store, 'x'), inGroup(store, 'taken'), inGroup(store, 'y')]);
    await gate.started();
    gate.releaseAll();
    const settled = await outcomes;
    expect(settled.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as AnvilError).code).toBe('ANVIL_ERR_OBJECT_EXISTS');
    store.close();
  });

  it('after a failed fsync refuses the waiting changes and every later one with a coded error', async () => {
    const { store, gate, path } = gatedStore();
    gate.hold();
    const waiting = inGroup(store, 'lost');
    const failedToo = inGroup(store, 'lost', () => {
      throw new AnvilError('ANVIL_ERR_NO_CAPACITY', 'its own error');
    });
    await gate.started();
    gate.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await expect(waiting).rejects.toMatchObject({ code: 'ANVIL_ERR_STATE_NOT_DURABLE' });
    // A change that failed on its own keeps its own error: nothing of it was committed.
    await expect(failedToo).rejects.toMatchObject({ code: 'ANVIL_ERR_NO_CAPACITY' });
    await expect(inGroup(store, 'later')).rejects.toMatchObject({ code: 'ANVIL_ERR_STATE_NOT_DURABLE' });
    expect(() => as(store, createVolume('later'))).toThrow(expect.objectContaining({ code: 'ANVIL_ERR_STATE_NOT_DURABLE' }));
    await expect(store.whenDurable()).rejects.toThrow(/state file's journal .*-wal to disk failed \(EIO.*start it again/);
    expect(store.read((s) => s.volumes.has('default/later'))).toBe(false);
    // Closed without another fsync: what is on disk is for SQLite's recovery to say at the next open.
    store.close();
    const again = Store.open(path);
    expect(again.read((s) => s.volumes.has('default/later'))).toBe(false);
    again.close();
  });

  it('returns from a held change committed, its fsync in the background (the server outside the groups)', async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const made = store.changeHeld(ADMIN, 'create volumes', 'volumes/default/held', createVolume('held'));
    expect(made).toMatchObject({ name: 'held' });
    const durable = watch(store.whenDurable());
    await gate.started();
    await turns();
    expect([store.durabilityPending, durable.settled]).toEqual([true, false]);
    gate.releaseAll();
    await durable.promise;
    expect(store.durabilityPending).toBe(false);
    store.close();
  });

  it('returns from a change outside the groups with it on disk (the CLI), covering the grouped ones before it', async () => {
    const { store, gate } = gatedStore();
    gate.hold();
    const grouped = watch(inGroup(store, 'g'));
    await gate.started();
    // Blocking, as synchronous = FULL was: the held background fsync is not needed for either.
    as(store, createVolume('now'));
    expect(store.durabilityPending).toBe(false);
    await grouped.promise;
    gate.releaseAll();
    store.close();
  });
});
