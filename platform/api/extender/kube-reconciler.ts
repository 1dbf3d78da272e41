/**
 * Anvil hears of no pod Kubernetes deletes, so the reservations of pods the extender placed would outlive
 * them. With a Kubernetes API configured, `anvil serve` lists Kubernetes' pods every
 * `--kube-reconcile-seconds` and deletes the Anvil pods the extender placed (they carry `kube_uid`) whose UID
 * Kubernetes no longer holds. Pods made in Anvil itself (apply, CLI) are never touched, and a pod placed
 * after the list was taken waits for the next round (it may be too new to be listed).
 */
import { isAnvilError } from '../../errors.js';
import { wallClock, type Clock } from '../../domain/clock.js';
import type { Pod } from '../../domain/pod.js';
import type { Store } from '../../state/store.js';
import { KUBE_SCHEDULER } from './assess.js';
import { kubernetesPodUids, type KubeApi } from './kube-binder.js';

/** The extender's pods Kubernetes no longer holds, placed before `listedAt` (ISO time). */
function gone(pods: Iterable<Pod>, uids: ReadonlySet<string>, listedAt: string): Pod[] {
  return [...pods].filter((p) => p.kube_uid !== undefined && !uids.has(p.kube_uid) && p.created_at < listedAt);
}

/** One round: returns the pods deleted (namespace/name). A failed list deletes nothing and throws ANVIL_ERR_KUBE_API. */
export async function reconcileWithKubernetes(kube: KubeApi, store: Store, clock: Clock): Promise<string[]> {
  const listedAt = clock().toISOString();
  const uids = await kubernetesPodUids(kube);
  // Most rounds find nothing: look first, so they leave no audit row.
  if (store.read((s) => gone(s.pods.values(), uids, listedAt).length) === 0) return [];
  // Committed without blocking the event loop for its fsync; reported once on disk.
  const removed = store.changeHeld(KUBE_SCHEDULER, 'reconcile pods', 'pods', (cp) => {
    const stale = gone(cp.state.pods.values(), uids, listedAt);
    for (const p of stale) {
      cp.deletePod(p.namespace, p.name);
      cp.ctx.event(
        'info',
        'PodGoneInKubernetes',
        `pod/${p.namespace}/${p.name}`,
        `Kubernetes no longer holds pod uid ${p.kube_uid}: its reservations are freed`,
      );
    }
    return stale.map((p) => `${p.namespace}/${p.name}`);
  });
  await store.whenDurable();
  return removed;
}

/**
 * Runs a round every `seconds` until the returned stop is called; rounds never overlap. `report` gets what each
 * round removed or why it failed (a failure is reported once until a round succeeds again).
 */
export function startReconciling(
  kube: KubeApi,
  store: Store,
  seconds: number,
  report: (line: string, failed: boolean) => void,
): () => void {
  let running = false;
  let lastFailure = '';
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    reconcileWithKubernetes(kube, store, wallClock)
      .then((removed) => {
        lastFailure = '';
        if (removed.length > 0)
          report(
            `reconciled with Kubernetes: ${removed.length} pods gone there, removed from Anvil (${removed.slice(0, 10).join(', ')}${removed.length > 10 ? ', ...' : ''})`,
            false,
          );
      })
      .catch((e: Error) => {
        const why = isAnvilError(e) ? e.format() : e.message;
        if (why !== lastFailure) report(`reconciling with Kubernetes failed (will retry every ${seconds} s): ${why}`, true);
        lastFailure = why;
      })
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
