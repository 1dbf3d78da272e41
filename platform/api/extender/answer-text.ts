/**
 * The filter and prioritize answers to kube-scheduler written as JSON text straight from the pod's
 * assessment: no per-call arrays of 5,000 result objects for the schema's serializer to walk. What
 * depends on a node's name alone (`"NAME"`, `{"Host":"NAME","Score":`) is written once per scheduling
 * view's node table and reused for every pod assessed on it. The text holds what the routes' response
 * schemas would serialise, in their property order (extender-cached-view.test.ts compares the answers with
 * a fresh assessment's on random clusters).
 */
import type { NodeTable } from '../../scheduler/node-table.js';
import { MAX_EXTENDER_PRIORITY } from './k8s-types.js';
import { unknownNodeReason, type PodAssessment } from './assess.js';

interface NameTexts {
  /** Per table index: the node's name as a JSON string. */
  readonly quoted: (string | undefined)[];
  /** Per table index: `{"Host":"NAME","Score":`. */
  readonly hostPrefix: (string | undefined)[];
  /** The last candidate list and each name's table index (-1: not an Anvil node). */
  last?: { readonly names: readonly string[]; readonly indices: Int32Array };
}

/** Per node table (one per view, its names fixed): the texts of its names, made when first written. */
const namesOfTables = new WeakMap<NodeTable, NameTexts>();

function textsOf(table: NodeTable): NameTexts {
  let texts = namesOfTables.get(table);
  if (texts === undefined) namesOfTables.set(table, (texts = { quoted: [], hostPrefix: [] }));
  return texts;
}

/**
 * Each candidate's table index (-1 for a name Anvil does not know). kube-scheduler sends the same list
 * pod after pod (its node cache's names): a list equal to the last one reuses its indices, as comparing
 * the names costs a fraction of looking each one up (a hash of every freshly parsed string).
 */
function indicesOf(a: PodAssessment, texts: NameTexts, names: readonly string[]): Int32Array {
  const last = texts.last;
  if (last !== undefined && last.names.length === names.length) {
    let k = 0;
    while (k < names.length && names[k] === last.names[k]) k++;
    if (k === names.length) return last.indices;
  }
  const indices = new Int32Array(names.length);
  for (let k = 0; k < names.length; k++) indices[k] = a.indexOf(names[k]!) ?? -1;
  texts.last = { names, indices };
  return indices;
}

/**
 * ExtenderFilterResult for candidates given by name (nodeCacheCapable): `NodeNames` those that fit, in
 * order; `FailedNodes` each other Anvil node's reason; `FailedAndUnresolvableNodes` the names Anvil does
 * not know. A name given twice is one key of the maps, as in the object the schema would serialise.
 */
export function filterText(a: PodAssessment, names: readonly string[]): string {
  const texts = textsOf(a.table);
  const quoted = (i: number) => (texts.quoted[i] ??= JSON.stringify(a.table.names[i]));
  let fit = '';
  let failed = '';
  let unknown = '';
  let failedOnce: Uint8Array | undefined;
  let unknownOnce: Set<string> | undefined;
  const indices = indicesOf(a, texts, names);
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    const i = indices[k]!;
    if (i < 0) {
      if (unknownOnce?.has(name)) continue;
      (unknownOnce ??= new Set()).add(name);
      unknown += `${unknown === '' ? '' : ','}${JSON.stringify(name)}:${JSON.stringify(unknownNodeReason(name))}`;
    } else if (a.fits(i)) fit += (fit === '' ? '' : ',') + quoted(i);
    else {
      failedOnce ??= new Uint8Array(a.table.count);
      if (failedOnce[i] === 1) continue;
      failedOnce[i] = 1;
      failed += `${failed === '' ? '' : ','}${quoted(i)}:${JSON.stringify(a.reason(i))}`;
    }
  }
  return `{"Nodes":null,"NodeNames":[${fit}],"FailedNodes":{${failed}},"FailedAndUnresolvableNodes":{${unknown}},"Error":""}`;
}

/**
 * HostPriorityList: Anvil's raw score of each candidate that fits, scaled to 0..MAX_EXTENDER_PRIORITY over
 * the fitting candidates (the best gets the max); the others, and names Anvil does not know, get 0.
 */
export function prioritizeText(a: PodAssessment, names: readonly string[]): string {
  const texts = textsOf(a.table);
  const at = indicesOf(a, texts, names);
  let lo = Infinity;
  let hi = -Infinity;
  for (let k = 0; k < names.length; k++) {
    const i = at[k]!;
    if (i >= 0 && a.fits(i)) {
      const score = a.score(i);
      if (score < lo) lo = score;
      if (score > hi) hi = score;
    }
  }
  const max = MAX_EXTENDER_PRIORITY;
  let out = '[';
  for (let k = 0; k < names.length; k++) {
    const i = at[k]!;
    const score = i < 0 || !a.fits(i) ? 0 : hi === lo ? max : Math.round(((a.score(i) - lo) / (hi - lo)) * max);
    const prefix =
      i < 0
        ? `{"Host":${JSON.stringify(names[k])},"Score":`
        : (texts.hostPrefix[i] ??= `{"Host":${JSON.stringify(a.table.names[i])},"Score":`);
    out += `${k === 0 ? '' : ','}${prefix}${score}}`;
  }
  return `${out}]`;
}
