/**
 * Pods, as operations of the control plane: a pod is stored and placed at once if it fits, else it stays
 * pending with every node's reason; deleting one frees its node's share and retries the pending pods.
 * Each takes the change's context; `ControlPlane` exposes each as a method.
 */
import type { ChangeContext } from './change-context.js';
import { notFound } from './context.js';
import { checkRange, CPU_MILLICORES_RANGE, MEMORY_RANGE } from './limits.js';
import type { Pod } from './pod.js';
import { podCharge } from './quota-service.js';
import { checkPodReferences } from './scheduling-session.js';
import { keyOf } from './volume.js';

/** What a caller gives to create a pod: all but what the control plane fills in. */
export type PodInput = Omit<Pod, 'kind' | 'status' | 'created_at' | 'seq'>;

/** Why a pending pod fits nowhere now, every node's reason (a read: it changes nothing). */
export function explainPending(ctx: ChangeContext, namespace: string, name: string): Pod['status'] {
  ctx.can('container', 'view', namespace);
  const pod = ctx.state.pods.get(keyOf(namespace, name));
  if (!pod) throw notFound('pod', keyOf(namespace, name), 'list pods with: anvil get pods');
  if (pod.status.state !== 'pending') return pod.status;
  return { state: 'pending', failure: ctx.scheduling().explain(pod) };
}

/** Stores a pod and places it now if it fits; otherwise it stays pending with the reasons. */
export function createPod(ctx: ChangeContext, input: PodInput): Pod {
  const key = ctx.requireNewObject({
    cls: 'container',
    kind: 'pod',
    namespace: input.namespace,
    name: input.name,
    existing: ctx.state.pods,
    needsCluster: true,
    existsHint: '; delete it first to change it',
  });
  checkRange(input.cpu_millicores, `pod ${key}: cpu request (millicores)`, CPU_MILLICORES_RANGE);
  checkRange(input.memory_bytes, `pod ${key}: memory request (bytes)`, MEMORY_RANGE);
  // A request for a persistent endpoint may leave its network to the endpoint.
  const endpoints = input.endpoints.map((e) =>
    e.endpoint !== undefined && e.network === ''
      ? { ...e, network: ctx.state.endpoints.get(keyOf(input.namespace, e.endpoint))?.network ?? '' }
      : e,
  );
  const seq = ctx.state.counters.next_pod_seq++;
  const pod: Pod = {
    kind: 'Pod',
    ...input,
    endpoints,
    status: { state: 'pending', failure: { summary: 'not scheduled yet', nodes: [] } },
    created_at: ctx.now(),
    seq,
  };
  checkPodReferences(ctx, pod);
  ctx.quota.charge(input.namespace, podCharge(ctx.state, pod), `pod ${key}`);
  ctx.state.pods.set(key, pod);
  return ctx.scheduling().place(pod);
}

/** Deletes the pods a Deployment or StatefulSet made; a StatefulSet's claimed volumes stay, as in Kubernetes. */
export function deleteWorkload(ctx: ChangeContext, namespace: string, kind: 'Deployment' | 'StatefulSet', name: string): number {
  ctx.can('container', 'edit', namespace);
  const pods = [...ctx.state.pods.values()].filter((p) => p.namespace === namespace && p.owner?.kind === kind && p.owner.name === name);
  if (pods.length === 0) throw notFound(kind.toLowerCase(), keyOf(namespace, name), `list them with: anvil get ${kind.toLowerCase()}s`);
  for (const p of pods) deletePod(ctx, namespace, p.name);
  return pods.length;
}

export function deletePod(ctx: ChangeContext, namespace: string, name: string): void {
  ctx.can('container', 'edit', namespace);
  const key = keyOf(namespace, name);
  const pod = ctx.state.pods.get(key);
  if (!pod) throw notFound('pod', key, 'list pods with: anvil get pods');
  ctx.scheduling().unbind(pod);
  ctx.scheduling().forget(pod);
  ctx.state.pods.delete(key);
  ctx.quota.forget(namespace);
  ctx.event('info', 'PodDeleted', `pod/${key}`, 'deleted');
  ctx.scheduling().schedulePending();
}
