/**
 * The patches kubectl sends: JSON merge patch (RFC 7386, `application/merge-patch+json`), the strategic
 * merge patch of built-in kinds (`application/strategic-merge-patch+json`: lists with a merge key merged
 * item by item, `$patch: delete|replace`, `$setElementOrder/<list>`, `$retainKeys`), and the diff between
 * two configurations as a merge patch (server-side apply removes what a field manager stopped applying).
 */

type Json = unknown;
type JsonObject = Record<string, unknown>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7386: `null` removes a key, objects merge, everything else (lists included) replaces. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The merge patch that turns `from` into `to` (RFC 7386's inverse): removed keys as null, lists whole. */
export function mergePatchBetween(from: Json, to: Json): Json {
  if (!isObject(from) || !isObject(to)) return structuredClone(to);
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!(key in to)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    if (!(key in from)) patch[key] = structuredClone(value);
    else if (JSON.stringify(from[key]) !== JSON.stringify(value)) {
      patch[key] = isObject(from[key]) && isObject(value) ? mergePatchBetween(from[key], value) : structuredClone(value);
    }
  }
  return patch;
}

/**
 * The patch merge keys of the built-in kinds' lists (`x-kubernetes-patch-merge-key` of the upstream
 * OpenAPI) by list field name: those lists merge item by item; every other list is replaced whole.
 */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  volumeClaimTemplates: 'metadata.name',
  ports: 'containerPort',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

const keyOf = (item: Json, mergeKey: string): string | undefined => {
  let v: Json = item;
  for (const part of mergeKey.split('.')) v = isObject(v) ? v[part] : undefined;
  return v === undefined ? undefined : JSON.stringify(v);
};

/**
 * Applies a strategic merge patch to `target` (a copy is returned). Directives handled: `null` deletes a
 * key; `$patch: replace` replaces a map; `$patch: delete` in a list item removes the item with its merge
 * key; `$setElementOrder/<list>` orders a merged list; `$retainKeys` drops the keys it does not list;
 * `$deleteFromPrimitiveList/<list>` removes values from a list of scalars.
 */
export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  const orders = new Map<string, Json[]>();
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$setElementOrder/')) {
      if (Array.isArray(value)) orders.set(key.slice('$setElementOrder/'.length), value);
      continue;
    }
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const list = key.slice('$deleteFromPrimitiveList/'.length);
      const drop = new Set((Array.isArray(value) ? value : []).map((v) => JSON.stringify(v)));
      const current = out[list];
      if (Array.isArray(current)) out[list] = current.filter((v) => !drop.has(JSON.stringify(v)));
      continue;
    }
    if (key === '$retainKeys' || key === '$patch') continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(value) && mergeKey !== undefined) out[key] = mergeList(out[key], value, mergeKey);
    else if (isObject(value)) {
      const merged = strategicMergePatch(out[key], value);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else out[key] = structuredClone(value);
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
  }
  for (const [list, order] of orders) {
    const current = out[list];
    const mergeKey = MERGE_KEYS[list];
    if (!Array.isArray(current) || mergeKey === undefined) continue;
    out[list] = ordered(current, order, mergeKey);
  }
  return out;
}

function mergeList(current: Json, patchItems: Json[], mergeKey: string): Json[] {
  const items: Json[] = Array.isArray(current) ? [...current] : [];
  for (const p of patchItems) {
    if (isObject(p) && p.$patch === 'replace' && Object.keys(p).length === 1) return [];
    const k = keyOf(p, mergeKey);
    const at = k === undefined ? -1 : items.findIndex((i) => keyOf(i, mergeKey) === k);
    if (isObject(p) && p.$patch === 'delete') {
      if (at >= 0) items.splice(at, 1);
      continue;
    }
    if (at >= 0) items[at] = strategicMergePatch(items[at], p);
    else items.push(strategicMergePatch(undefined, p));
  }
  return items;
}

/** `$setElementOrder`: the listed items first in that order, the others after them as they were. */
function ordered(items: Json[], order: Json[], mergeKey: string): Json[] {
  const rank = new Map(order.map((o, i) => [keyOf(o, mergeKey), i] as const));
  return items
    .map((item, i) => ({ item, i, r: rank.get(keyOf(item, mergeKey)) ?? order.length + i }))
    .sort((a, b) => a.r - b.r)
    .map((x) => x.item);
}
