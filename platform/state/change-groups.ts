/**
 * Group commit: changes asked for in one turn of the event loop wait in a queue and are committed together,
 * in one transaction, on the next turn. The commit does not fsync: durability.ts fsyncs the WAL in the
 * background while the loop takes the next requests and commits the next group (validated against the state
 * this one left), and one fsync covers every group committed before it started. Each caller's promise
 * settles only once an fsync that started after its group committed has finished (or has failed). Each change runs
 * in its own savepoint, so one that fails fails alone and the others commit; the invariants are checked
 * once, on the state the group leaves, and a group that fails as a whole (a broken invariant, an I/O
 * error) is tried again change by change, so that only the one at fault fails.
 */
import type Database from 'better-sqlite3';
import type { ControlPlane } from '../domain/control-plane.js';
import type { Actor } from '../domain/tenancy.js';
import type { Durability } from './durability.js';

/** At most this many changes in one transaction: a flood of requests is committed in several groups. */
export const MAX_GROUP_CHANGES = 256;

/** One change waiting for its group. */
export interface PendingChange {
  readonly actor: Actor;
  readonly action: string;
  readonly target: string;
  readonly fn: (cp: ControlPlane) => unknown;
}

/** What the store does for a group: run one change (inside the transaction), check the state, forget it. */
export interface GroupHooks {
  /** Runs the change on the current state and writes it; throws to fail it. */
  runChange(change: PendingChange): unknown;
  /** Throws when the state the group leaves breaks an invariant (`action`, `target` name the group). */
  checkGroup(action: string, target: string): void;
  /** The kept state may hold part of a failed change: the next use reads the file again. */
  forgetState(): void;
}

type ChangeOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

interface Waiting extends PendingChange {
  /** Settled at commit, not once durable: the caller holds what it sends until then (addHeld). */
  readonly held: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class ChangeGroups {
  private pending: Waiting[] = [];
  private scheduled = false;
  private readonly groupTransaction: Database.Transaction<(group: readonly PendingChange[]) => ChangeOutcome[]>;
  private readonly changeTransaction: Database.Transaction<(change: PendingChange) => unknown>;
  /** Groups committed so far (each one transaction; one fsync covers those committed while the last ran). */
  committed = 0;

  constructor(
    db: Database.Database,
    private readonly hooks: GroupHooks,
    private readonly durability: Durability,
  ) {
    this.groupTransaction = db.transaction((group: readonly PendingChange[]) => this.runGroup(group));
    // Called inside the group's transaction, better-sqlite3 runs it in a savepoint: a throw undoes it alone.
    this.changeTransaction = db.transaction((change: PendingChange) => hooks.runChange(change));
  }

  /** Queues a change; the promise settles once its group is durable, or it failed. */
  add<T>(change: PendingChange): Promise<T> {
    return this.queue(change, false);
  }

  /**
   * Queues a change whose promise settles as soon as its group has committed, before it is durable: the
   * caller must hold whatever it tells anyone until `Durability.whenDurable()` (the server's answers wait
   * for it, api/durable-answers.ts). Its answer is then built from the state its group left, before the next
   * group commits, and waits for one fsync; built once durable, it would show the groups committed during
   * that fsync and wait for the next one too.
   */
  addHeld<T>(change: PendingChange): Promise<T> {
    return this.queue(change, true);
  }

  private queue<T>(change: PendingChange, held: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ ...change, held, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: every request that arrived during the last commit has queued its change.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits every waiting change now, in groups of at most MAX_GROUP_CHANGES. */
  flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, MAX_GROUP_CHANGES);
      let outcomes: ChangeOutcome[];
      try {
        // After a failed fsync nothing more is changed (durability.ts).
        this.durability.requireWritable();
        outcomes = this.commit(group);
      } catch (e) {
        for (const waiting of group) waiting.reject(e);
        continue;
      }
      group.forEach((waiting, i) => {
        if (waiting.held) settle(waiting, outcomes[i]!);
      });
      if (group.every((waiting) => waiting.held)) continue;
      // Even a failed change waits: its error may tell of the state the group's committed changes left.
      this.durability.whenDurable().then(
        () => group.forEach((waiting, i) => waiting.held || settle(waiting, outcomes[i]!)),
        (failure: unknown) =>
          group.forEach((waiting, i) => waiting.held || settle(waiting, outcomes[i]!.ok ? { ok: false, error: failure } : outcomes[i]!)),
      );
    }
  }

  /** The group in one IMMEDIATE transaction; throws when a group of one failed as a whole. */
  private commit(group: readonly PendingChange[]): ChangeOutcome[] {
    try {
      const outcomes = this.groupTransaction.immediate(group);
      this.committed++;
      this.durability.noteCommit();
      return outcomes;
    } catch (e) {
      this.hooks.forgetState();
      if (group.length === 1) throw e;
      return group.map((change): ChangeOutcome => {
        try {
          return this.commit([change])[0]!;
        } catch (error) {
          return { ok: false, error };
        }
      });
    }
  }

  private runGroup(group: readonly PendingChange[]): ChangeOutcome[] {
    const outcomes = group.map((change): ChangeOutcome => {
      try {
        return { ok: true, value: this.changeTransaction(change) };
      } catch (error) {
        // Its savepoint is undone; the next change of the group reads the file as it stands inside this
        // transaction (the earlier changes, not this one).
        this.hooks.forgetState();
        return { ok: false, error };
      }
    });
    const first = group[0]!;
    this.hooks.checkGroup(first.action, group.length === 1 ? first.target : `and ${group.length - 1} more changes`);
    return outcomes;
  }
}

function settle(waiting: Waiting, outcome: ChangeOutcome): void {
  if (outcome.ok) waiting.resolve(outcome.value);
  else waiting.reject(outcome.error);
}
