/**
 * `PATCH` of one object, by its Content-Type: a strategic merge patch (kubectl's client-side apply of
 * built-in kinds), a JSON merge patch, or server-side apply's apply patch. Server-side apply keeps each
 * field manager's last applied configuration: a second apply patches the object with the difference
 * between the two (so a field the manager stopped applying is removed); a first apply on an existing
 * object (made by create or client-side apply) merges into it. It never answers a conflict (no
 * managedFields: force is taken and ignored). Kubernetes answers JSON Patch too; Anvil answers 415.
 * A body sent as plain `application/json` is read as a merge patch.
 */
import { parseYamlDocuments } from '../../yaml-input.js';
import type { ManifestBody } from '../../state/kube-manifests.js';
import type { KubeObject } from './objects.js';
import { mergePatch, mergePatchBetween, strategicMergePatch } from './patch.js';
import { badRequest, notFound, WriteStatusError, type WritableResource } from './write-status.js';
import {
  checkedManifest,
  createObject,
  currentManifest,
  readLiveObject,
  requireEdit,
  write,
  type WriteOptions,
  type Writer,
} from './writes.js';
import { statusOf } from './status.js';

export const PATCH_TYPES = {
  strategic: 'application/strategic-merge-patch+json',
  merge: 'application/merge-patch+json',
  apply: 'application/apply-patch+yaml',
  json: 'application/json-patch+json',
} as const;

/** The body of a patch as JSON; an apply patch may be YAML (kubectl sends JSON, which YAML also reads). */
function parsePatchBody(text: string, yaml: boolean): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    if (!yaml) throw badRequest(`the patch is not JSON: ${(e as Error).message}`);
  }
  const parsed = parseYamlDocuments(text, 'patch');
  if (parsed.problems.length > 0 || parsed.documents.length !== 1)
    throw badRequest(`the apply patch is not one YAML document: ${parsed.problems.join('; ') || `${parsed.documents.length} documents`}`);
  return parsed.documents[0]!.data;
}

/** The answer of a patch: the object, and whether it was made by it (a server-side apply of a new object: 201). */
export interface Patched {
  readonly object: KubeObject;
  readonly created: boolean;
}

export async function patchObject(
  w: Writer,
  r: WritableResource,
  namespace: string,
  name: string,
  contentType: string,
  text: string,
  fieldManager: string,
  o: WriteOptions,
): Promise<Patched> {
  requireEdit(w, r, 'patch', namespace, name);
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === PATCH_TYPES.json)
    throw new WriteStatusError(
      statusOf(
        415,
        'JSON Patch (application/json-patch+json) is not served by Anvil; use a merge patch (kubectl patch --type=merge) or a strategic merge patch',
      ),
    );
  const patch = parsePatchBody(text, type === PATCH_TYPES.apply);
  const ns = r.namespaced ? namespace : '';
  const current = currentManifest(w, r, namespace, name);
  const stored = w.manifests.get(r.kind, ns, name) === undefined ? undefined : current;
  if (type === PATCH_TYPES.apply) {
    if (current === undefined) {
      return { object: await createObject(w, r, namespace, patch, o, fieldManager), created: true };
    }
    const previous = current.applied[fieldManager];
    const next =
      previous === undefined ? mergePatch(current.manifest, patch) : mergePatch(current.manifest, mergePatchBetween(previous, patch));
    return {
      object: await update(
        w,
        r,
        namespace,
        name,
        stored ?? current,
        stored !== undefined,
        next,
        { ...current.applied, [fieldManager]: patch as ManifestBody },
        o,
      ),
      created: false,
    };
  }
  if (current === undefined) throw notFound(r, name);
  // A plain JSON body is read as a merge patch (the apiserver refuses it; curl users send it).
  if (type !== PATCH_TYPES.merge && type !== PATCH_TYPES.strategic && type !== 'application/json')
    throw new WriteStatusError(statusOf(415, `the Content-Type ${type} is not a patch type; use ${Object.values(PATCH_TYPES).join(', ')}`));
  const next = type === PATCH_TYPES.strategic ? strategicMergePatch(current.manifest, patch) : mergePatch(current.manifest, patch);
  return { object: await update(w, r, namespace, name, current, stored !== undefined, next, current.applied, o), created: false };
}

async function update(
  w: Writer,
  r: WritableResource,
  namespace: string,
  name: string,
  current: NonNullable<ReturnType<typeof currentManifest>>,
  isStored: boolean,
  next: unknown,
  applied: Record<string, ManifestBody>,
  o: WriteOptions,
): Promise<KubeObject> {
  const manifest = checkedManifest(r, next, namespace, name, o);
  if (
    isStored &&
    JSON.stringify(manifest) === JSON.stringify(current.manifest) &&
    JSON.stringify(applied) === JSON.stringify(current.applied)
  )
    return readLiveObject(w, r, current);
  return write(w, r, namespace, name, isStored ? current : undefined, manifest, applied, o, current);
}
