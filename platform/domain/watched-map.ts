/**
 * A Map that tells its owner of every change of an entry (set, delete, clear) with its key and the value
 * before and after, so that what is derived from the entries (the placement index, the documents a commit
 * writes: cluster-state.ts) is kept up to date by whoever changes them, without walking the map.
 */
export type EntryChanged<V> = (key: string, before: V | undefined, after: V | undefined) => void;

export class WatchedMap<V> extends Map<string, V> {
  constructor(private readonly changed: EntryChanged<V>) {
    super();
  }

  override set(key: string, value: V): this {
    const before = super.get(key);
    super.set(key, value);
    this.changed(key, before, value);
    return this;
  }

  override delete(key: string): boolean {
    const before = super.get(key);
    if (!super.delete(key)) return false;
    this.changed(key, before, undefined);
    return true;
  }

  override clear(): void {
    for (const [key, value] of super.entries()) this.changed(key, value, undefined);
    super.clear();
  }

  /** The same entries in another order: nothing derived from them changes, so nothing is told. */
  reorder(entries: readonly (readonly [string, V])[]): void {
    super.clear();
    for (const [key, value] of entries) super.set(key, value);
  }
}
