/**
 * A Map that tells its owner of every change of an entry (set, delete, clear) with its key and the value
 * before and after, so that what is derived from the entries (the placement index, the documents a commit
 * writes: cluster-state.ts) is kept up to date by whoever changes them, without walking the map. It can
 * also be put in key order lazily (`orderByKeyLater`): the entries are reordered when next walked, so a run
 * of commits that each add a key to thousands costs one reorder, at the next walk, not one per commit.
 */
export type EntryChanged<V> = (key: string, before: V | undefined, after: V | undefined) => void;

export class WatchedMap<V> extends Map<string, V> {
  /**
   * A key order owed since `orderByKeyLater`: `moved`, the keys that may be out of place among the others
   * (undefined: any may be). Undefined when the map is in the order it was asked to be.
   */
  private owed: { moved: Set<string> | undefined } | undefined;
  /** Keys new to the map since the order was owed: they stay after the others, in the order they came (as in any Map). */
  private readonly addedSince = new Set<string>();

  constructor(private readonly changed: EntryChanged<V>) {
    super();
  }

  override set(key: string, value: V): this {
    const before = super.get(key);
    if (this.owed !== undefined && !super.has(key)) this.addedSince.add(key);
    super.set(key, value);
    this.changed(key, before, value);
    return this;
  }

  override delete(key: string): boolean {
    const before = super.get(key);
    if (!super.delete(key)) return false;
    this.addedSince.delete(key);
    this.changed(key, before, undefined);
    return true;
  }

  override clear(): void {
    for (const [key, value] of super.entries()) this.changed(key, value, undefined);
    super.clear();
    this.owed = undefined;
    this.addedSince.clear();
  }

  /** The same entries in another order: nothing derived from them changes, so nothing is told. */
  reorder(entries: readonly (readonly [string, V])[]): void {
    super.clear();
    this.owed = undefined;
    this.addedSince.clear();
    for (const [key, value] of entries) super.set(key, value);
  }

  /**
   * Puts the entries in key order (SQLite's BINARY order for ASCII keys) before they are next walked, as if
   * done now: keys set afresh from here on come after them, in the order they come, until the next call.
   * `moved`: the keys set since the map was last in order (the others are in order among themselves); none
   * given, every key may be out of place.
   */
  orderByKeyLater(moved?: ReadonlySet<string>): void {
    if (this.owed === undefined) this.owed = { moved: moved === undefined ? undefined : new Set(moved) };
    else if (moved === undefined) this.owed.moved = undefined;
    else if (this.owed.moved !== undefined) for (const key of moved) this.owed.moved.add(key);
    // Keys added since the last call are among those now to be put in order.
    if (this.owed.moved !== undefined) for (const key of this.addedSince) this.owed.moved.add(key);
    this.addedSince.clear();
  }

  /** Pays the key order owed, if any, before a walk. */
  private inOrder(): void {
    const owed = this.owed;
    if (owed === undefined) return;
    this.owed = undefined;
    const settled: [string, V][] = [];
    const tail: [string, V][] = [];
    for (const entry of super.entries()) (this.addedSince.has(entry[0]) ? tail : settled).push(entry);
    this.addedSince.clear();
    const ordered = orderedByKey(settled, owed.moved);
    if (ordered === settled) return;
    super.clear();
    for (const [key, value] of ordered) super.set(key, value);
    for (const [key, value] of tail) super.set(key, value);
  }

  override entries(): MapIterator<[string, V]> {
    this.inOrder();
    return super.entries();
  }

  override keys(): MapIterator<string> {
    this.inOrder();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.inOrder();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    this.inOrder();
    return super[Symbol.iterator]();
  }

  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    this.inOrder();
    super.forEach(fn, thisArg);
  }
}

const byKey = ([a]: readonly [string, unknown], [b]: readonly [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * `entries` in key order: itself when in order already; when those whose key is not in `moved` are in
 * order, the moved ones sorted and merged in (a few keys added to thousands); else all sorted.
 */
export function orderedByKey<V>(entries: [string, V][], moved: ReadonlySet<string> | undefined): [string, V][] {
  let previous: string | undefined;
  let inOrder = true;
  for (const [key] of entries) {
    if (previous !== undefined && previous > key) {
      inOrder = false;
      break;
    }
    previous = key;
  }
  if (inOrder) return entries;
  if (moved === undefined) return [...entries].sort(byKey);
  const rest: [string, V][] = [];
  const placed: [string, V][] = [];
  previous = undefined;
  for (const entry of entries) {
    if (moved.has(entry[0])) {
      placed.push(entry);
      continue;
    }
    if (previous !== undefined && previous > entry[0]) return [...entries].sort(byKey);
    previous = entry[0];
    rest.push(entry);
  }
  placed.sort(byKey);
  const out: [string, V][] = [];
  let i = 0;
  let j = 0;
  while (i < rest.length || j < placed.length) {
    if (j >= placed.length || (i < rest.length && rest[i]![0] < placed[j]![0])) out.push(rest[i++]!);
    else out.push(placed[j++]!);
  }
  return out;
}
