/**
 * The store's global revision: one number, bumped by every committed change (in that change's own
 * transaction, so it costs no extra fsync) and kept in the state file; each stored object and event keeps
 * the revision that last wrote it. The Kubernetes facade answers them as resourceVersions and watches from them.
 */

/** What a read is given beside the state: the revision it is at and the one each object was last written at. */
export interface ObjectRevisions {
  /** The revision of the state as read: the last committed change's. */
  readonly current: number;
  /** The revision that last wrote the object `kind`/`key` (a stored document's kind and key). */
  of(kind: string, key: string): number;
}

const documentId = (kind: string, key: string) => `${kind}\u0000${key}`;

/** The revisions of a loaded state, brought up to date by each change committed through it. */
export class Revisions implements ObjectRevisions {
  private readonly byDocument = new Map<string, number>();

  constructor(public current: number) {}

  of(kind: string, key: string): number {
    // Every stored document has one; an object not yet written is at the current revision.
    return this.byDocument.get(documentId(kind, key)) ?? this.current;
  }

  /** A document written (or read) at `revision`. */
  wrote(kind: string, key: string, revision: number): void {
    this.byDocument.set(documentId(kind, key), revision);
  }

  removed(kind: string, key: string): void {
    this.byDocument.delete(documentId(kind, key));
  }
}
