/**
 * A Map that tells its owner of every change of an entry (set, delete, clear) with the value before and
 * after, so that what is derived from the entries (the placement index, cluster-state.ts) is kept up to
 * date by whoever changes them, without walking the map.
 */
export class WatchedMap<V> extends Map<string, V> {
  constructor(private readonly changed: (before: V | undefined, after: V | undefined) => void) {
    super();
  }

  override set(key: string, value: V): this {
    const before = super.get(key);
    super.set(key, value);
    // Called while the map is being built by Map's own constructor (with no entries: never), so `changed` is set.
    this.changed(before, value);
    return this;
  }

  override delete(key: string): boolean {
    const before = super.get(key);
    if (!super.delete(key)) return false;
    this.changed(before, undefined);
    return true;
  }

  override clear(): void {
    for (const value of super.values()) this.changed(value, undefined);
    super.clear();
  }

  /** The same entries in another order: nothing derived from them changes, so nothing is told. */
  reorder(entries: readonly (readonly [string, V])[]): void {
    super.clear();
    for (const [key, value] of entries) super.set(key, value);
  }
}
