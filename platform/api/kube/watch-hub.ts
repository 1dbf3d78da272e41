/**
 * Watches, as the apiserver's watch cache serves them: while anyone lists or watches (and for a grace period
 * after), the hub keeps each read resource's objects as of the store's last revision and, at every commit
 * (and every poll, for changes made by other processes on the same state file), records what changed as
 * ADDED, MODIFIED or DELETED entries with their revisions, in a bounded history. A watch replays the entries
 * after its resourceVersion, then gets new ones as they come; one older than the history is Gone (410).
 * Each watcher sees only what its actor may see, in its namespace, through its selectors; an object that
 * starts or stops matching reaches it as ADDED or DELETED, as Kubernetes does.
 */
import type { Actor } from '../../domain/tenancy.js';
import type { Store } from '../../state/store.js';
import type { KubeObject } from './objects.js';
import { readSourceOf, type ReadResource, type ReadSource } from './resources.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

interface Entry {
  readonly resource: string;
  readonly revision: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object now (its resourceVersion the entry's revision); for DELETED, as it last was. */
  readonly object: KubeObject;
  /** For MODIFIED, the object before: decides whether a watcher's selector saw it come or go. */
  readonly previous?: KubeObject;
}

/** One open watch: what it may see, and where its events go. */
export interface Watcher {
  readonly resource: ReadResource;
  readonly actor: Actor;
  /** undefined: every namespace the actor may see. */
  readonly namespace: string | undefined;
  readonly matches: (o: KubeObject) => boolean;
  readonly bookmarks: boolean;
  send(type: WatchEventType, object: KubeObject, revision: number): void;
  close(): void;
}

export interface WatchHubOptions {
  /** Entries kept for resuming watches; a watch from before the oldest kept is Gone. */
  readonly maxHistory?: number;
  /** How often (ms) to look for changes made by other processes, and to send bookmarks. */
  readonly pollMs?: number;
  /** How long (ms) after the last list or watch the hub keeps recording. */
  readonly graceMs?: number;
}

/** The apiserver's "too old resource version": the client lists again. */
export class GoneError extends Error {}

export class WatchHub {
  private readonly maxHistory: number;
  private readonly pollMs: number;
  private readonly graceMs: number;
  private tracking = false;
  private activeUntil = 0;
  /** The revision the snapshots are at. */
  private revision = 0;
  /** Watches from a resourceVersion at or after this one can be replayed. */
  private oldest = 0;
  private readonly snapshots = new Map<string, Map<string, KubeObject>>();
  private history: Entry[] = [];
  private readonly watchers = new Set<Watcher>();
  private unsubscribe: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;
  private lastBookmark = new Map<Watcher, number>();

  constructor(
    private readonly store: Store,
    private readonly resources: readonly ReadResource[],
    options: WatchHubOptions = {},
  ) {
    this.maxHistory = options.maxHistory ?? 10_000;
    this.pollMs = options.pollMs ?? 1000;
    this.graceMs = options.graceMs ?? 60_000;
  }

  /** A list was answered at some revision: keep recording, so a watch from that revision can resume. */
  touch(): void {
    this.activeUntil = Date.now() + this.graceMs;
    if (!this.tracking) this.start();
  }

  /** Open watches (the server's metrics and tests read it). */
  get open(): number {
    return this.watchers.size;
  }

  /**
   * Starts `watcher` from `resourceVersion` (undefined or 0: the current objects as ADDED first). Throws
   * GoneError, before anything is sent, when the history no longer reaches back to it.
   */
  watch(watcher: Watcher, resourceVersion: number | undefined, sendInitialEvents = false): void {
    this.touch();
    this.refresh();
    if (resourceVersion !== undefined && resourceVersion !== 0 && resourceVersion < this.oldest)
      throw new GoneError(`too old resource version: ${resourceVersion} (${this.oldest})`);
    if (resourceVersion === undefined || resourceVersion === 0 || sendInitialEvents) {
      for (const o of this.snapshots.get(watcher.resource.name)?.values() ?? [])
        if (this.sees(watcher, o)) watcher.send('ADDED', o, Number(o.metadata.resourceVersion));
    } else {
      for (const e of this.history) if (e.revision > resourceVersion) this.deliver(watcher, e);
    }
    // A watch-list client (sendInitialEvents) learns where the initial objects end from an annotated bookmark.
    if (watcher.bookmarks) this.bookmark(watcher, sendInitialEvents);
    this.watchers.add(watcher);
  }

  /** Stops sending to `watcher` (its connection closed or timed out). */
  forget(watcher: Watcher): void {
    this.watchers.delete(watcher);
    this.lastBookmark.delete(watcher);
  }

  /** Ends every watch (server shutdown) and stops recording. */
  closeAll(): void {
    for (const w of [...this.watchers]) w.close();
    this.watchers.clear();
    this.stop();
  }

  private start(): void {
    this.tracking = true;
    this.snapshots.clear();
    this.history = [];
    this.store.read((state, revisions) => {
      const source = this.sourceOf(state, revisions);
      for (const r of this.resources) this.snapshots.set(r.name, new Map(r.all(source).map((o) => [o.metadata.uid, o])));
      this.revision = revisions.current;
    });
    this.oldest = this.revision;
    this.unsubscribe = this.store.onCommit(() => this.guarded(() => this.refresh()));
    this.poll = setInterval(() => this.guarded(() => this.tick()), this.pollMs);
    this.poll.unref();
  }

  private stop(): void {
    this.tracking = false;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.snapshots.clear();
    this.history = [];
  }

  /**
   * Runs a refresh outside any request (a commit's notice, the poll): should it fail (the state file gone
   * from under the server), the watches end, as the apiserver's do, and their clients list again.
   */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (e) {
      this.onError?.(e);
      this.closeAll();
    }
  }

  /** Told of a refresh that failed outside a request (the server logs it). */
  onError: ((error: unknown) => void) | undefined;

  private tick(): void {
    this.refresh();
    const now = Date.now();
    for (const w of this.watchers) if (w.bookmarks && now - (this.lastBookmark.get(w) ?? 0) >= 60_000) this.bookmark(w);
    if (this.watchers.size === 0 && now > this.activeUntil) this.stop();
  }

  private bookmark(w: Watcher, initialEventsEnd = false): void {
    this.lastBookmark.set(w, Date.now());
    const metadata = {
      ...bookmarkMeta(this.revision),
      ...(initialEventsEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}),
    };
    w.send('BOOKMARK', { kind: w.resource.kind, apiVersion: apiVersionOf(w.resource), metadata }, this.revision);
  }

  private sourceOf(state: ReadSource['state'], revisions: ReadSource['revisions']): ReadSource {
    return readSourceOf(this.store, state, revisions);
  }

  /** Records what changed since the snapshots' revision and sends it to the watchers. */
  private refresh(): void {
    if (!this.tracking) return;
    const fresh: Entry[] = [];
    this.store.read((state, revisions) => {
      if (revisions.current === this.revision) return;
      const at = revisions.current;
      const source = this.sourceOf(state, revisions);
      for (const r of this.resources) {
        const before = this.snapshots.get(r.name)!;
        const after = new Map<string, KubeObject>();
        for (const o of r.all(source)) {
          const old = before.get(o.metadata.uid);
          if (old !== undefined && JSON.stringify(old) === JSON.stringify(o)) {
            after.set(o.metadata.uid, old);
            continue;
          }
          // Its own revision when that moved on; a view that changed without it (a Deployment that lost a pod) the current one.
          const own = Number(o.metadata.resourceVersion);
          const revision = old === undefined || own > Number(old.metadata.resourceVersion) ? own : at;
          const object = { ...o, metadata: { ...o.metadata, resourceVersion: String(revision) } };
          after.set(o.metadata.uid, object);
          fresh.push({
            resource: r.name,
            revision,
            type: old === undefined ? 'ADDED' : 'MODIFIED',
            object,
            ...(old ? { previous: old } : {}),
          });
        }
        for (const [uid, old] of before)
          if (!after.has(uid))
            fresh.push({
              resource: r.name,
              revision: at,
              type: 'DELETED',
              object: { ...old, metadata: { ...old.metadata, resourceVersion: String(at) } },
            });
        this.snapshots.set(r.name, after);
      }
      this.revision = at;
    });
    if (fresh.length === 0) return;
    fresh.sort((a, b) => a.revision - b.revision);
    this.history.push(...fresh);
    if (this.history.length > this.maxHistory) {
      const dropped = this.history.splice(0, this.history.length - this.maxHistory);
      this.oldest = Math.max(this.oldest, dropped[dropped.length - 1]!.revision);
    }
    for (const w of this.watchers) for (const e of fresh) this.deliver(w, e);
  }

  private sees(w: Watcher, o: KubeObject): boolean {
    return (w.namespace === undefined || o.metadata.namespace === w.namespace) && w.resource.visible(w.actor, o) && w.matches(o);
  }

  private deliver(w: Watcher, e: Entry): void {
    if (e.resource !== w.resource.name) return;
    if (e.type === 'MODIFIED') {
      const was = this.sees(w, e.previous!);
      const is = this.sees(w, e.object);
      if (was && is) w.send('MODIFIED', e.object, e.revision);
      else if (is) w.send('ADDED', e.object, e.revision);
      else if (was) w.send('DELETED', e.object, e.revision);
    } else if (this.sees(w, e.object)) w.send(e.type, e.object, e.revision);
  }
}

const apiVersionOf = (r: ReadResource) => (r.group === '' ? 'v1' : `${r.group}/v1`);
const bookmarkMeta = (revision: number) =>
  ({ name: '', uid: '', creationTimestamp: '', resourceVersion: String(revision) }) satisfies KubeObject['metadata'];
