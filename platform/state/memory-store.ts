/**
 * The control plane's state in memory, without SQLite: for a model that drives placements, failures and
 * recoveries through the same domain code, in process, on a simulated clock (`simulatedClock`). It keeps
 * the SQLite store's semantics (`change-rules.ts`): a change works on a copy of the state (copy on write:
 * new maps holding the same objects, which the domain replaces rather than edits) and only a change that
 * ran to the end and keeps every invariant replaces the state, so a throwing change leaves the state,
 * events and audit log as they were; objects get the same order, counters (MACs, pod sequence numbers)
 * and audit `changes` counts as in the file, and events are kept and queried as the file's table is.
 */
import { ClusterState } from '../domain/cluster-state.js';
import { wallClock, type Clock } from '../domain/clock.js';
import { ControlPlane } from '../domain/control-plane.js';
import type { ClusterEvent } from '../domain/event.js';
import type { Actor } from '../domain/tenancy.js';
import { requireInvariants, runThrough, stepThrough, TrackedDocuments, type DocumentWriter } from './change-rules.js';
import type { AuditEntry, ControlPlaneStore, EventQuery } from './control-plane-store.js';

/** Memory keeps the state itself: a commit writes no documents. */
const NO_WRITES: DocumentWriter = { upsert: () => undefined, remove: () => undefined };

/** An in-memory `ControlPlaneStore`: nothing survives the process. */
export class MemoryStore implements ControlPlaneStore {
  private state = new ClusterState();
  private tracked = new TrackedDocuments().track(this.state);
  private readonly eventLog: ClusterEvent[] = [];
  private readonly auditLog: AuditEntry[] = [];
  /** Bumped by every commit: a change in steps commits only if nothing committed while it was worked out. */
  private generation = 0;

  constructor(private readonly clock: Clock = wallClock) {}

  now(): Date {
    return this.clock();
  }

  read<T>(fn: (state: ClusterState) => T): T {
    const result = fn(this.state);
    // ANVIL_STORE_VERIFY: a read must leave the state as it found it.
    const touched = this.tracked.touchedBy(this.state);
    if (touched !== undefined) throw new Error(touched);
    return result;
  }

  change<T>(actor: Actor, action: string, target: string, fn: (cp: ControlPlane) => T): T {
    const cp = new ControlPlane(this.state.clone(), actor, this.clock);
    const result = fn(cp);
    this.commit(cp, actor, action, target);
    return result;
  }

  /** As the SQLite store's: worked out on a copy in steps, committed if nothing else committed meanwhile. */
  async changeInSteps<T>(actor: Actor, action: string, target: string, steps: (cp: ControlPlane) => Iterator<unknown, T>): Promise<T> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const generation = this.generation;
      const cp = new ControlPlane(this.state.clone(), actor, this.clock);
      const result = await stepThrough(steps(cp));
      if (this.generation !== generation) continue;
      this.commit(cp, actor, action, target);
      return result;
    }
    return this.change(actor, action, target, (cp) => runThrough(steps(cp)));
  }

  /** Checks the changed copy's invariants, then makes it the state and records its events and audit row. */
  private commit(cp: ControlPlane, actor: Actor, action: string, target: string): void {
    requireInvariants(cp.state, action, target);
    let changes: number;
    try {
      changes = this.tracked.writeDifferences(cp.state, NO_WRITES);
    } catch (e) {
      // An in-place edit caught (ANVIL_STORE_VERIFY): the tracking may hold half of this change; start it afresh.
      this.tracked = new TrackedDocuments().track(this.state);
      throw e;
    }
    this.state = cp.state;
    for (const e of cp.ctx.events) this.eventLog.push(e);
    this.auditLog.push({ at: this.clock().toISOString(), actor: actor.user, action, target, changes });
    this.generation++;
  }

  events(query: EventQuery = {}): ClusterEvent[] {
    const { severity, object } = query;
    const contains = object === undefined ? undefined : likeContains(object);
    const matching = this.eventLog.filter(
      (e) => (severity === undefined || e.severity === severity) && (contains === undefined || contains(e.object)),
    );
    return newest(matching, query.limit ?? 50);
  }

  audit(limit = 100): AuditEntry[] {
    return newest(this.auditLog, limit);
  }

  close(): void {}
}

/** The last `limit` rows, oldest first, as SQL's `LIMIT` takes it (negative: no limit). */
function newest<T>(rows: readonly T[], limit: number): T[] {
  if (limit < 0) return rows.slice();
  return limit === 0 ? [] : rows.slice(-limit);
}

/** ASCII letters lower-cased, the only case SQLite's LIKE ignores. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** SQLite's `text LIKE '%pattern%'`: `%` any run of characters, `_` any one, ASCII case ignored. */
function likeContains(pattern: string): (text: string) => boolean {
  const body = [...asciiLower(pattern)]
    .map((c) => (c === '%' ? '.*' : c === '_' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^.*${body}.*$`, 'su');
  return (text) => re.test(asciiLower(text));
}
