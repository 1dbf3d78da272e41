/**
 * Group commit: changes asked for while the event loop is busy (a commit's fsync blocks it) wait in a
 * queue and are committed together, in one transaction and one fsync, on the next turn of the loop. Each
 * caller's promise settles only once its group's transaction is durable (or has failed); a change that
 * fails in a group fails alone (the store runs each in its own savepoint), the others commit.
 */
import type { ControlPlane } from '../domain/control-plane.js';
import type { Actor } from '../domain/tenancy.js';

/** At most this many changes in one transaction: a flood of requests is committed in several groups. */
export const MAX_GROUP_CHANGES = 256;

/** One change waiting for its group. */
export interface PendingChange {
  readonly actor: Actor;
  readonly action: string;
  readonly target: string;
  readonly fn: (cp: ControlPlane) => unknown;
}

/** What became of one change of a group once the group's transaction ended. */
export type ChangeOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

interface Waiting extends PendingChange {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export class ChangeGroups {
  private pending: Waiting[] = [];
  private scheduled = false;

  /**
   * `commitGroup` runs the changes of a group in one transaction and answers each one's outcome, in order;
   * it throws when the transaction as a whole failed (nothing of the group is then committed).
   */
  constructor(private readonly commitGroup: (group: readonly PendingChange[]) => ChangeOutcome[]) {}

  /** Queues a change; the promise settles once its group has committed (durable) or it failed. */
  add<T>(change: PendingChange): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ ...change, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the poll phase: every request that arrived during the last commit has queued its change.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Whether changes wait for their group. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Commits every waiting change now, in groups of at most MAX_GROUP_CHANGES. */
  flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, MAX_GROUP_CHANGES);
      let outcomes: ChangeOutcome[];
      try {
        outcomes = this.commitGroup(group);
      } catch (e) {
        for (const waiting of group) waiting.reject(e);
        continue;
      }
      group.forEach((waiting, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(outcome.error);
      });
    }
  }
}
