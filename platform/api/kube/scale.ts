/**
 * The `scale` subresource of Deployments and StatefulSets (autoscaling/v1 Scale), which `kubectl scale`
 * reads and patches (a merge patch of `spec.replicas`, or a GET and a PUT when `--current-replicas` or
 * `--resource-version` is given). A new replica count is the same change as patching the workload's
 * `spec.replicas`: the manifest is kept and its pods are placed or removed as `anvil apply` would.
 */
import type { KubeObject } from './objects.js';
import { mergePatch } from './patch.js';
import { patchObject } from './patch-object.js';
import { allows } from '../../domain/tenancy.js';
import { badRequest, forbidden, notFound, WriteStatusError, type WritableResource } from './write-status.js';
import { statusOf } from './status.js';
import { currentManifest, readLiveObject, requireEdit, type WriteOptions, type Writer } from './writes.js';

/** The workloads that have a scale subresource. */
export const SCALABLE_KINDS: readonly string[] = ['Deployment', 'StatefulSet'];

/** How discovery names the subresource's kind (client-go's scale client resolves it from there). */
export const SCALE_KIND = { group: 'autoscaling', version: 'v1', kind: 'Scale' } as const;

/** The verbs the subresource answers. */
export const SCALE_VERBS: readonly string[] = ['get', 'patch', 'update'];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** The Scale of a workload's live object: its replicas asked and had, and its selector as text. */
export function scaleOf(workload: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = workload.metadata;
  const matchLabels = obj(obj(obj(workload.spec).selector).matchLabels);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: Number(obj(workload.spec).replicas ?? 0) },
    status: {
      replicas: Number(obj(workload.status).replicas ?? 0),
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

/** The replica count a Scale body (or what a patch makes of one) asks for: an integer from 0. */
function askedReplicas(scale: unknown): number {
  const replicas = obj(obj(scale).spec).replicas;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
    throw new WriteStatusError(
      statusOf(422, `Scale.autoscaling "spec.replicas": Invalid value: ${JSON.stringify(replicas ?? null)}: must be an integer from 0`),
    );
  return replicas;
}

/** `GET .../NAME/scale`: whoever may read the workload may read its Scale (permission before existence). */
export function readScale(w: Writer, r: WritableResource, namespace: string, name: string): KubeObject {
  if (!allows(w.actor, r.cls, 'view', namespace)) throw forbidden(r, 'get', w.actor.user, namespace, name);
  const current = currentManifest(w, r, namespace, name);
  if (current === undefined) throw notFound(r, name);
  return scaleOf(readLiveObject(w, r, current));
}

/**
 * `PATCH .../NAME/scale` (a merge or strategic patch of the Scale; for `spec.replicas` the two agree) or
 * `PUT .../NAME/scale` (a whole Scale, `patch` undefined): the workload patched to the count asked.
 */
export async function changeScale(
  w: Writer,
  r: WritableResource,
  namespace: string,
  name: string,
  body: { readonly patch: unknown } | { readonly scale: unknown },
  fieldManager: string,
  o: WriteOptions,
): Promise<KubeObject> {
  requireEdit(w, r, 'patch', namespace, name);
  const before = readScale(w, r, namespace, name);
  let asked: number;
  if ('patch' in body) asked = askedReplicas(mergePatch(before, body.patch));
  else {
    const scale = obj(body.scale);
    if (scale.kind !== undefined && scale.kind !== 'Scale')
      throw badRequest(`the body of a scale subresource is a Scale, not ${String(scale.kind)}`);
    const sentVersion = obj(scale.metadata).resourceVersion;
    // kubectl scale --current-replicas/--resource-version sends the version it read: a precondition.
    if (sentVersion !== undefined && sentVersion !== before.metadata.resourceVersion)
      throw new WriteStatusError({
        ...statusOf(
          409,
          `Operation cannot be fulfilled on ${r.resource}.${r.group} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
        reason: 'Conflict',
      });
    asked = askedReplicas(scale);
  }
  const patched = await patchObject(
    w,
    r,
    namespace,
    name,
    'application/merge-patch+json',
    JSON.stringify({ spec: { replicas: asked } }),
    fieldManager,
    o,
  );
  return scaleOf(patched.object);
}
