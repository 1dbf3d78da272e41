/**
 * How every store commits a change, shared so the SQLite store and the in-memory one cannot drift: the
 * invariants checked on the changed state, the objects that differ from what was kept found and counted
 * (an audit row's `changes`), new keys put in key order (the order SQLite reads them back in, which decides
 * ties in scheduling), in-place edits caught in the tests (ANVIL_STORE_VERIFY=1), and a large change
 * worked out in steps that let the event loop run.
 */
import type { ClusterState, StoredObject } from '../domain/cluster-state.js';
import { invariantViolations, scopedInvariantViolations } from '../domain/invariants.js';

/** Set in the tests: unchanged-looking objects are checked against their JSON (slower). */
export const VERIFY = process.env.ANVIL_STORE_VERIFY === '1';

/** Units of work (pods of an apply) a change in steps does between two turns of the event loop. */
const STEPS_PER_TURN = 50;

const documentId = (kind: string, key: string) => `${kind}\u0000${key}`;

/**
 * Throws (a bug, not bad input) when the changed state breaks an invariant; nothing is then committed. Checks
 * what changed since the last check (the state records it: invariant-scope.ts), every invariant when that
 * is not only volumes, snapshots and pods that hold no volume; in the tests (ANVIL_STORE_VERIFY=1) the whole state too, so that a
 * scope that misses what a change broke fails there.
 */
export function requireInvariants(state: ClusterState, action: string, target: string): void {
  const scope = state.takeInvariantScope();
  const broken = scopedInvariantViolations(state, scope);
  if (VERIFY && !scope.wide && broken.length === 0)
    for (const missed of invariantViolations(state)) broken.push(`missed by the check of what changed: ${missed}`);
  // The tests: the placement index kept by the changes must equal the storage in use worked out afresh.
  const drift = VERIFY ? state.placementIndexDrift() : undefined;
  if (drift !== undefined) broken.push(drift);
  if (broken.length > 0) throw new Error(`change ${action} ${target} would break invariants: ${broken.slice(0, 5).join('; ')}`);
}

/** Where a store puts what a change wrote: rows of a table, or nowhere (memory keeps the state itself). */
export interface DocumentWriter {
  upsert(kind: string, key: string, doc: string): void;
  remove(kind: string, key: string): void;
}

/** What a store last loaded or wrote of each object, so a commit finds (and writes) only what differs. */
export class TrackedDocuments {
  /** Each stored document's JSON, by kind and key. */
  private readonly docs = new Map<string, string>();
  /** The object each document was last loaded as or written from. */
  private readonly refs = new Map<string, StoredObject>();
  /** With ANVIL_STORE_VERIFY=1 (the tests): each object's JSON when loaded or written, to catch edits in place. */
  private readonly asLoaded: Map<string, string> | undefined = VERIFY ? new Map() : undefined;

  /** A document as read from storage (before `track`). */
  loaded(kind: string, key: string, doc: string): void {
    this.docs.set(documentId(kind, key), doc);
  }

  /** The key of the Cluster document kept, if any (the cluster is a field of the state, not a map). */
  private clusterKey: string | undefined;

  /** Takes the loaded state's objects as the ones the documents were read as. */
  track(state: ClusterState): this {
    for (const [kind, key, obj] of state.documents()) {
      this.refs.set(documentId(kind, key), obj);
      this.asLoaded?.set(documentId(kind, key), JSON.stringify(obj));
    }
    this.clusterKey = state.cluster?.name;
    // What loading set in the maps is what the documents hold: only later changes are to be written.
    state.takeChanged();
    return this;
  }

  /**
   * Writes the documents of `state` that differ from what was kept and brings the tracking up to date;
   * returns how many were written or removed. Only the objects set or deleted in the state's maps since the
   * last commit are looked at (`ClusterState.takeChanged`), with the cluster and the counters, so a change
   * costs what it changed, not every object. The domain replaces objects rather than editing them (their
   * fields are readonly), so an object still identical to the kept one is unchanged; the counters are
   * edited in place and always compared. Kinds that gained keys are put back in key order.
   */
  writeDifferences(state: ClusterState, writer: DocumentWriter): number {
    let changes = 0;
    const added = new Set<string>();
    const write = (kind: string, key: string, obj: StoredObject) => {
      const id = documentId(kind, key);
      if (kind !== 'Counters' && this.refs.get(id) === obj) return;
      const doc = JSON.stringify(obj);
      this.refs.set(id, obj);
      this.asLoaded?.set(id, doc);
      if (this.docs.get(id) === doc) return;
      writer.upsert(kind, key, doc);
      if (!this.docs.has(id)) added.add(kind);
      this.docs.set(id, doc);
      changes++;
    };
    const remove = (kind: string, key: string) => {
      const id = documentId(kind, key);
      this.refs.delete(id);
      this.asLoaded?.delete(id);
      if (!this.docs.delete(id)) return;
      writer.remove(kind, key);
      changes++;
    };
    if (this.clusterKey !== undefined && this.clusterKey !== state.cluster?.name) remove('Cluster', this.clusterKey);
    if (state.cluster) write('Cluster', state.cluster.name, state.cluster);
    this.clusterKey = state.cluster?.name;
    write('Counters', 'counters', state.counters);
    const changed = state.takeChanged();
    for (const [kind, keys] of changed) {
      for (const key of keys) {
        const obj = state.objectOf(kind, key);
        if (obj === undefined) remove(kind, key);
        else write(kind, key, obj);
      }
    }
    // Tests set ANVIL_STORE_VERIFY=1: every object is checked, so a change the maps did not see, or an
    // object edited in place, is caught here rather than lost.
    if (this.asLoaded) this.verifyAll(state);
    for (const kind of added) state.sortByKey(kind, changed.get(kind));
    return changes;
  }

  /** ANVIL_STORE_VERIFY: every object of `state` is the one last written, as it was written, and no document outlives its object. */
  private verifyAll(state: ClusterState): void {
    let present = 0;
    for (const [kind, key, obj] of state.documents()) {
      present++;
      const id = documentId(kind, key);
      if (kind !== 'Counters' && this.refs.get(id) !== obj)
        throw new Error(
          `store: ${kind} ${key} changed without its map seeing it; the domain must set objects it changes in the state's maps`,
        );
      if (this.asLoaded!.get(id) !== JSON.stringify(obj))
        throw new Error(`store: ${kind} ${key} was edited in place; the domain must replace objects it changes`);
    }
    if (this.docs.size !== present) throw new Error(`store: ${this.docs.size} documents kept for ${present} objects`);
  }

  /** ANVIL_STORE_VERIFY: a read must leave the state as it found it; says how it did not, else undefined. */
  touchedBy(state: ClusterState): string | undefined {
    if (!this.asLoaded) return undefined;
    let count = 0;
    for (const [kind, key, obj] of state.documents()) {
      const id = documentId(kind, key);
      count++;
      const same = this.refs.get(id) === obj && this.asLoaded.get(id) === JSON.stringify(obj);
      if (!same) return `store: a read changed ${kind} ${key}; reads must not change the state`;
    }
    if (count !== this.refs.size) return 'store: a read added or removed objects; reads must not change the state';
    return undefined;
  }
}

/** Runs a change's steps to the end, letting the event loop run every `STEPS_PER_TURN` of them. */
export async function stepThrough<T>(it: Iterator<unknown, T>): Promise<T> {
  let step = it.next();
  for (let n = 1; !step.done; n++) {
    if (n % STEPS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    step = it.next();
  }
  return step.value;
}

/** Runs a change's steps to the end in one go. */
export function runThrough<T>(it: Iterator<unknown, T>): T {
  let step = it.next();
  while (!step.done) step = it.next();
  return step.value;
}
