/**
 * `kubectl delete namespace X`: as Kubernetes, everything in the namespace goes with it (its pods and the
 * workloads' pods, its claims and their volumes, the manifests kept for them), then the namespace. The
 * apiserver marks it Terminating while its controller empties it; here it is emptied in the same change,
 * so kubectl's wait after the delete finds it gone. Anvil objects kubectl does not show (volume snapshots,
 * network endpoints) are never deleted unseen: while the namespace holds any, the delete is refused (409),
 * naming them and how to delete them, as `anvil delete namespace` refuses a namespace that holds objects.
 */
import { AnvilError } from '../../errors.js';
import type { ControlPlane } from '../../domain/control-plane.js';
import type { KubeManifests } from '../../state/kube-manifests.js';
import { WRITABLE } from './write-status.js';

/** Empties namespace `name` of what kubectl shows in it, then deletes it (inside the delete's change). */
export function deleteNamespaceWithContents(cp: ControlPlane, manifests: KubeManifests, name: string): void {
  const state = cp.state;
  const unseen = [
    ...[...state.snapshots.values()].filter((s) => s.namespace === name).map((s) => `snapshot ${s.name}`),
    ...[...state.endpoints.values()].filter((e) => e.namespace === name).map((e) => `endpoint ${e.name}`),
  ];
  if (unseen.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `namespace ${name} holds Anvil objects kubectl does not show (${unseen.join(', ')}); delete them first (anvil delete snapshots|endpoints NAME -n ${name}), so that nothing goes unseen`,
    );
  for (const pod of [...state.pods.values()]) if (pod.namespace === name) cp.deletePod(name, pod.name);
  for (const volume of [...state.volumes.values()]) if (volume.namespace === name) cp.deleteVolume(name, volume.name);
  for (const r of WRITABLE) if (r.namespaced) for (const m of manifests.list(r.kind, name)) manifests.remove(r.kind, name, m.name);
  if (state.tenants.has(name)) cp.deleteTenant(name);
}
