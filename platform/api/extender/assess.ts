/**
 * The Anvil scheduler's verdict on a Kubernetes Pod for candidate nodes, matched to Anvil nodes by name:
 * the same filters and scores as `anvil apply` (SchedulingSession + Scheduler), read-only.
 */
import { AnvilError } from '../../errors.js';
import { ControlPlane } from '../../domain/control-plane.js';
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Pod } from '../../domain/pod.js';
import { checkPodReferences } from '../../domain/scheduling-session.js';
import type { Actor } from '../../domain/tenancy.js';
import { keyOf, unusableReason } from '../../domain/volume.js';
import { parseManifestText } from '../../manifests/documents.js';
import { planApply, podInput } from '../../manifests/apply.js';

/** The extender acts as this user: it may place pods in any namespace and read what placement needs. */
export const KUBE_SCHEDULER: Actor = {
  user: 'kube-scheduler',
  roles: ['container-edit', 'volume-view', 'network-view', 'perftier-view', 'node-view'],
};

export type NodeVerdict =
  | { readonly state: 'fits'; readonly score: number }
  | { readonly state: 'fails'; readonly reason: string }
  | { readonly state: 'unknown'; readonly reason: string };

/** The Anvil pod a Kubernetes Pod object stands for (requests, perf-tier annotations, claims, selectors). */
export function anvilPodInput(cp: ControlPlane, k8sPod: unknown): Parameters<ControlPlane['createPod']>[0] {
  const doc = { apiVersion: 'v1', kind: 'Pod', ...(k8sPod as object) };
  const namespace = (k8sPod as { metadata?: { namespace?: string } }).metadata?.namespace || 'default';
  const plan = planApply(parseManifestText(JSON.stringify(doc), 'ExtenderArgs.Pod'), namespace, false);
  const draft = plan.workloads[0]?.pods[0];
  if (!draft) throw new AnvilError('ANVIL_ERR_MANIFEST', 'ExtenderArgs.Pod is not a Pod Anvil can read');
  return podInput(cp, draft);
}

/** Per candidate node name: fits with a raw score, fails with the reason, or is not an Anvil node. */
export function assessNodes(state: ClusterState, actor: Actor, k8sPod: unknown, nodeNames: readonly string[]): Map<string, NodeVerdict> {
  const cp = new ControlPlane(state, actor, () => new Date(0));
  const input = anvilPodInput(cp, k8sPod);
  const pod: Pod = {
    kind: 'Pod',
    ...input,
    status: { state: 'pending', failure: { summary: 'assessing', nodes: [] } },
    created_at: '',
    seq: 0,
  };
  checkPodReferences(cp.ctx, pod);
  const session = cp.scheduling();
  const demand = session.demandOf(pod);
  const perVolume = session.volumeReservationsOf(pod);
  // A volume with no in-sync copy on a live node fails the pod on every node, as it keeps an Anvil pod pending.
  const unusable = pod.volumes
    .map((v) => state.volumes.get(keyOf(pod.namespace, v)))
    .map((v) => (v ? unusableReason(v) : undefined))
    .find((r) => r !== undefined);
  const out = new Map<string, NodeVerdict>();
  for (const name of nodeNames) {
    const i = session.table.indexOf(name);
    if (i === undefined) {
      out.set(name, { state: 'unknown', reason: `no Anvil node is named ${name}; add it with anvil node add ${name}` });
      continue;
    }
    if (unusable !== undefined) {
      out.set(name, { state: 'fails', reason: unusable });
      continue;
    }
    const v = session.scheduler.assess(i, demand);
    // The other nodes holding plexes of its volumes take their writes wherever it goes (storage-admission.ts).
    const plexBlock = v.fits ? session.plexBlock(pod, perVolume, name) : undefined;
    if (plexBlock !== undefined) out.set(name, { state: 'fails', reason: plexBlock });
    else out.set(name, v.fits ? { state: 'fits', score: v.score } : { state: 'fails', reason: v.reason });
  }
  return out;
}

/** Raw scores scaled to 0..max over the fitting nodes (the best gets max); nodes that do not fit get 0. */
export function scaledScores(verdicts: ReadonlyMap<string, NodeVerdict>, max: number): { Host: string; Score: number }[] {
  const fits = [...verdicts.values()].filter((v): v is { state: 'fits'; score: number } => v.state === 'fits').map((v) => v.score);
  const lo = Math.min(...fits);
  const hi = Math.max(...fits);
  return [...verdicts].map(([Host, v]) => ({
    Host,
    Score: v.state !== 'fits' ? 0 : hi === lo ? max : Math.round(((v.score - lo) / (hi - lo)) * max),
  }));
}
