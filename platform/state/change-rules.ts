/**
 * How every store commits a change, shared so the SQLite store and the in-memory one cannot drift: the
 * invariants checked on the changed state, the objects that differ from what was kept found and counted
 * (an audit row's `changes`), new keys put in key order (the order SQLite reads them back in, which decides
 * ties in scheduling), in-place edits caught in the tests (ANVIL_STORE_VERIFY=1), and a large change
 * worked out in steps that let the event loop run.
 */
import type { ClusterState, StoredObject } from '../domain/cluster-state.js';
import { invariantViolations } from '../domain/invariants.js';

/** Set in the tests: unchanged-looking objects are checked against their JSON (slower). */
export const VERIFY = process.env.ANVIL_STORE_VERIFY === '1';

/** Units of work (pods of an apply) a change in steps does between two turns of the event loop. */
const STEPS_PER_TURN = 50;

const documentId = (kind: string, key: string) => `${kind}\u0000${key}`;

/** Throws (a bug, not bad input) when the changed state breaks an invariant; nothing is then committed. */
export function requireInvariants(state: ClusterState, action: string, target: string): void {
  const broken = invariantViolations(state);
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

  /** Takes the loaded state's objects as the ones the documents were read as. */
  track(state: ClusterState): this {
    for (const [kind, key, obj] of state.documents()) {
      this.refs.set(documentId(kind, key), obj);
      this.asLoaded?.set(documentId(kind, key), JSON.stringify(obj));
    }
    return this;
  }

  /**
   * Writes the documents of `state` that differ from what was kept and brings the tracking up to date;
   * returns how many were written or removed. The domain replaces objects rather than editing them (their
   * fields are readonly), so an object still identical to the kept one is unchanged; the counters are
   * edited in place and always compared. Kinds that gained keys are put back in key order.
   */
  writeDifferences(state: ClusterState, writer: DocumentWriter): number {
    let changes = 0;
    let present = 0;
    const added = new Set<string>();
    for (const [kind, key, obj] of state.documents()) {
      present++;
      const id = documentId(kind, key);
      const same = kind !== 'Counters' && this.refs.get(id) === obj;
      if (same) {
        // Tests set ANVIL_STORE_VERIFY=1: an object edited in place would be caught here, not lost.
        if (this.asLoaded && this.asLoaded.get(id) !== JSON.stringify(obj)) {
          throw new Error(`store: ${kind} ${key} was edited in place; the domain must replace objects it changes`);
        }
        continue;
      }
      const doc = JSON.stringify(obj);
      this.refs.set(id, obj);
      this.asLoaded?.set(id, doc);
      if (this.docs.get(id) === doc) continue;
      writer.upsert(kind, key, doc);
      if (!this.docs.has(id)) added.add(kind);
      this.docs.set(id, doc);
      changes++;
    }
    // Every object present now has its document: more documents than objects means some were removed
    // (most changes remove none, and then skip the walk that finds them).
    if (this.docs.size > present) changes += this.removeAbsent(state, writer);
    for (const kind of added) state.sortByKey(kind);
    return changes;
  }

  /** Removes the documents of objects no longer in `state`; returns how many. */
  private removeAbsent(state: ClusterState, writer: DocumentWriter): number {
    const seen = new Set<string>();
    for (const [kind, key] of state.documents()) seen.add(documentId(kind, key));
    let removed = 0;
    for (const id of [...this.docs.keys()]) {
      if (seen.has(id)) continue;
      const [kind, key] = id.split('\u0000') as [string, string];
      writer.remove(kind, key);
      this.docs.delete(id);
      this.refs.delete(id);
      this.asLoaded?.delete(id);
      removed++;
    }
    return removed;
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
