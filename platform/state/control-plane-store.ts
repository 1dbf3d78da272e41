/**
 * What a store of the control plane's state offers, whichever keeps it: the SQLite file (`store.ts`, the
 * CLI and `anvil serve`) or memory (`memory-store.ts`, a model driving the control plane in process).
 * Both run a change the same way (`changeRules`): all or nothing, the invariants checked before it
 * commits, each kind's objects in key order once committed, its events and an audit row recorded.
 */
import type { ClusterState } from '../domain/cluster-state.js';
import type { ControlPlane } from '../domain/control-plane.js';
import type { ClusterEvent, Severity } from '../domain/event.js';
import type { Actor } from '../domain/tenancy.js';

export interface AuditEntry {
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string;
  /** How many stored objects the change wrote or removed. */
  readonly changes: number;
}

export interface EventQuery {
  /** At most this many, the newest (default 50; negative: all). */
  limit?: number;
  severity?: Severity;
  /** Matched as SQL `LIKE '%object%'`: ASCII case ignored, `%` and `_` wildcards. */
  object?: string;
}

export interface ControlPlaneStore {
  /** The store's clock: what its changes, events and audit rows are stamped with. */
  now(): Date;
  /** A read-only look at the state; `fn` must not change it. */
  read<T>(fn: (state: ClusterState) => T): T;
  /**
   * One change, all or nothing: `fn` changes the state through the control plane; the invariants are
   * checked, the state kept, the events and an audit row (`action` on `target` by `actor`) recorded. A
   * throw (from `fn` or a broken invariant) leaves the state, events and audit log as they were.
   */
  change<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T;
  /** One large change worked out in steps between which the event loop runs; commits as `change` does. */
  changeInSteps<T>(actor: Actor, action: string, target: string, steps: (cp: ControlPlane) => Iterator<unknown, T>): Promise<T>;
  /** Newest last; at most `query.limit` (default 50). */
  events(query?: EventQuery): ClusterEvent[];
  /** The last `limit` audit rows (default 100), oldest first. */
  audit(limit?: number): AuditEntry[];
  close(): void;
}
