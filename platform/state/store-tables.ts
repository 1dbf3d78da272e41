/**
 * The SQL of the state file's tables (store.ts): the objects a change writes (one document per object, with
 * its revision), the events and audit rows it records, the revision it bumps, and the queries of events and
 * audit rows. Statements a change runs are prepared once, on first use (after the schema is up to date).
 */
import type Database from 'better-sqlite3';
import { ClusterState, type StoredObject } from '../domain/cluster-state.js';
import type { PodPlacementDecision } from '../domain/context.js';
import type { ClusterEvent } from '../domain/event.js';
import { TrackedDocuments, type DocumentWriter } from './change-rules.js';
import type { AuditEntry, EventQuery } from './control-plane-store.js';
import { Revisions } from './revisions.js';

/** A stored event with the revision that recorded it (its row id orders events of one revision). */
export interface RevisedEvent extends ClusterEvent {
  readonly id: number;
  readonly revision: number;
}

/** A pod's placement decision as stored (placement_decisions), with the revision of the change that placed it. */
export interface StoredPlacementDecision {
  readonly pod_seq: number;
  readonly revision: number;
  /** RecordedDecision as JSON (scheduler/decision-record.ts). */
  readonly decision: string;
}

/** Statements every change runs. */
export interface ChangeStatements {
  readonly upsert: Database.Statement;
  readonly remove: Database.Statement;
  readonly event: Database.Statement;
  readonly audit: Database.Statement;
  /** Bumps the global revision and returns it. */
  readonly bump: Database.Statement;
  readonly putDecision: Database.Statement;
  readonly dropDecision: Database.Statement;
}

export class StoreTables {
  private writes: ChangeStatements | undefined;

  constructor(private readonly db: Database.Database) {}

  statements(): ChangeStatements {
    this.writes ??= {
      upsert: this.db.prepare(
        'INSERT INTO objects (kind, key, doc, revision) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET doc = excluded.doc, revision = excluded.revision',
      ),
      remove: this.db.prepare('DELETE FROM objects WHERE kind = ? AND key = ?'),
      event: this.db.prepare('INSERT INTO events (at, severity, reason, object, message, revision) VALUES (?, ?, ?, ?, ?, ?)'),
      audit: this.db.prepare('INSERT INTO audit (at, actor, action, target, changes) VALUES (?, ?, ?, ?, ?)'),
      bump: this.db.prepare('UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value').pluck(),
      putDecision: this.db.prepare(
        'INSERT OR REPLACE INTO placement_decisions (namespace, name, pod_seq, revision, decision) VALUES (?, ?, ?, ?, ?)',
      ),
      dropDecision: this.db.prepare('DELETE FROM placement_decisions WHERE namespace = ? AND name = ?'),
    };
    return this.writes;
  }

  /** Every stored object, as the state, what each document is (tracked) and the revisions they are at. */
  loadObjects(): { state: ClusterState; tracked: TrackedDocuments; revisions: Revisions } {
    const state = new ClusterState();
    const tracked = new TrackedDocuments();
    const revisions = new Revisions(this.db.prepare('SELECT value FROM revision WHERE id = 1').pluck().get() as number);
    type Row = { kind: string; key: string; doc: string; revision: number };
    for (const row of this.db.prepare('SELECT kind, key, doc, revision FROM objects').iterate() as IterableIterator<Row>) {
      state.load(row.kind, row.key, JSON.parse(row.doc) as StoredObject);
      tracked.loaded(row.kind, row.key, row.doc);
      revisions.wrote(row.kind, row.key, row.revision);
    }
    state.afterLoad();
    return { state, tracked: tracked.track(state), revisions };
  }

  /** Where `writeDifferences` puts the documents of a change: the objects table, at the revision `revisions` is at. */
  documentWriter(revisions: Revisions): DocumentWriter {
    const { upsert, remove, dropDecision } = this.statements();
    const revision = revisions.current;
    return {
      upsert: (kind, key, doc) => {
        upsert.run(kind, key, doc, revision);
        revisions.wrote(kind, key, revision);
      },
      remove: (kind, key) => {
        remove.run(kind, key);
        revisions.removed(kind, key);
        // A pod's decision goes with it (keys are namespace/name; names hold no slash).
        if (kind === 'Pod') {
          const slash = key.indexOf('/');
          dropDecision.run(key.slice(0, slash), key.slice(slash + 1));
        }
      },
    };
  }

  /** Stores the decisions of the pods a change placed (before its documents: a pod it also deleted loses its row). */
  insertPlacementDecisions(decisions: readonly PodPlacementDecision[], revision: number): void {
    if (decisions.length === 0) return;
    const put = this.statements().putDecision;
    for (const d of decisions) put.run(d.namespace, d.name, d.seq, revision, JSON.stringify(d.decision));
  }

  private decisionStatement: Database.Statement | undefined;

  /** The decision stored for pod `namespace/name`, if any. */
  placementDecision(namespace: string, name: string): StoredPlacementDecision | undefined {
    this.decisionStatement ??= this.db.prepare(
      'SELECT pod_seq, revision, decision FROM placement_decisions WHERE namespace = ? AND name = ?',
    );
    return this.decisionStatement.get(namespace, name) as StoredPlacementDecision | undefined;
  }

  insertEvents(events: readonly ClusterEvent[], revision: number): void {
    const insert = this.statements().event;
    for (const e of events) insert.run(e.at, e.severity, e.reason, e.object, e.message, revision);
  }

  /** The newest `limit` events (negative: all) with their ids and revisions, oldest first. */
  revisedEvents(limit: number): RevisedEvent[] {
    return this.db
      .prepare(
        'SELECT id, revision, at, severity, reason, object, message FROM (SELECT * FROM events ORDER BY id DESC LIMIT ?) ORDER BY id',
      )
      .all(limit) as RevisedEvent[];
  }

  /** Newest last; at most `limit` (default 50, as the appliance). */
  events(query: EventQuery = {}): ClusterEvent[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (query.severity) {
      where.push('severity = ?');
      args.push(query.severity);
    }
    if (query.object) {
      where.push('object LIKE ?');
      args.push(`%${query.object}%`);
    }
    const sql = `SELECT at, severity, reason, object, message FROM (SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?) ORDER BY id`;
    return this.db.prepare(sql).all(...args, query.limit ?? 50) as ClusterEvent[];
  }

  audit(limit = 100): AuditEntry[] {
    return this.db
      .prepare('SELECT at, actor, action, target, changes FROM (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id')
      .all(limit) as AuditEntry[];
  }

  /** SQLite's own integrity check: "ok" when sound. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ');
  }
}
