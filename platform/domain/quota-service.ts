/**
 * Namespace quotas as operations of the control plane: what a namespace uses, counted from the state;
 * the check every create and grow makes (`QuotaLedger`); setting and deleting a quota. The objects are
 * in quota.ts.
 */
import { AnvilError } from '../errors.js';
import type { ClusterState } from './cluster-state.js';
import { notFound, type Context } from './context.js';
import type { Pod } from './pod.js';
import {
  addUsage,
  QUOTA_FORMAT,
  QUOTA_RESOURCES,
  volumeCharge,
  zeroUsage,
  type Quota,
  type QuotaLimits,
  type QuotaUsage,
  type QuotaView,
} from './quota.js';
import { keyOf } from './volume.js';

/** What one pod counts against its namespace's quota (pods, guaranteed IOPS and bandwidth). */
export function podCharge(state: ClusterState, pod: Pick<Pod, 'namespace' | 'perf_tier' | 'endpoints' | 'volumes'>): QuotaUsage {
  const iopsOf = (tier: string) => state.perfTiers.get(tier)?.storage_iops ?? 0;
  let iops = iopsOf(pod.perf_tier);
  for (const v of pod.volumes) iops += iopsOf(state.volumes.get(keyOf(pod.namespace, v))?.perf_tier ?? '');
  let bandwidth = 0;
  for (const e of pod.endpoints) bandwidth += state.perfTiers.get(e.perf_tier)?.network_bandwidth_bits_per_s ?? 0;
  return { ...zeroUsage(), pods: 1, iops, bandwidth_bits_per_s: bandwidth };
}

/** What `namespace` uses now, counted from the state. */
export function namespaceUsage(state: ClusterState, namespace: string): QuotaUsage {
  const used = zeroUsage();
  for (const p of state.pods.values()) if (p.namespace === namespace) addUsage(used, podCharge(state, p));
  for (const v of state.volumes.values()) if (v.namespace === namespace) addUsage(used, volumeCharge(v.size_bytes, v.plexes.length));
  return used;
}

/**
 * The quota check of one change: what each namespace with a quota uses, counted once per change and kept
 * up to date as objects are created, so a large apply checks each pod in constant time. Deletes drop the
 * count (it is counted again when next needed).
 */
export class QuotaLedger {
  private readonly used = new Map<string, QuotaUsage>();

  constructor(private readonly ctx: Context) {}

  /** Throws ANVIL_ERR_QUOTA_EXCEEDED if `charge` would take `namespace` past a limit; else counts it. */
  charge(namespace: string, charge: Partial<QuotaUsage>, what: string): void {
    const quota = this.ctx.state.quotas.get(namespace);
    if (!quota) return;
    let used = this.used.get(namespace);
    if (!used) this.used.set(namespace, (used = namespaceUsage(this.ctx.state, namespace)));
    for (const r of QUOTA_RESOURCES) {
      const limit = quota[r];
      const more = charge[r] ?? 0;
      if (limit === undefined || more <= 0 || used[r] + more <= limit) continue;
      throw new AnvilError(
        'ANVIL_ERR_QUOTA_EXCEEDED',
        `${what}: namespace ${namespace}'s quota of ${r} is ${QUOTA_FORMAT[r](limit)}; ${QUOTA_FORMAT[r](used[r])} is used and this needs ${QUOTA_FORMAT[r](more)} more; delete something in ${namespace} or ask a cluster admin to raise it (anvil quota set ${namespace} ...)`,
      );
    }
    addUsage(used, charge);
  }

  /** Something in `namespace` was deleted or shrunk: count it again when next needed. */
  forget(namespace: string): void {
    this.used.delete(namespace);
  }
}

/** Sets (replaces) a namespace's quota; cluster admins only (tenant-edit cluster-wide). */
export function setQuota(ctx: Context, namespace: string, limits: QuotaLimits): Quota {
  ctx.can('tenant', 'edit');
  ctx.requireTenant(namespace);
  for (const r of QUOTA_RESOURCES) {
    const n = limits[r];
    if (n !== undefined && (!Number.isSafeInteger(n) || n < 0))
      throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `quota ${r} ${n} is not allowed; a limit is a whole number from 0 up`);
  }
  const quota: Quota = { kind: 'Quota', namespace, name: namespace, ...pick(limits), set_at: ctx.now() };
  ctx.state.quotas.set(namespace, quota);
  ctx.event(
    'info',
    'QuotaSet',
    `quota/${namespace}/${namespace}`,
    QUOTA_RESOURCES.filter((r) => quota[r] !== undefined)
      .map((r) => `${r} ${QUOTA_FORMAT[r](quota[r]!)}`)
      .join(', ') || 'no limits',
  );
  return quota;
}

export function deleteQuota(ctx: Context, namespace: string): void {
  ctx.can('tenant', 'edit');
  if (!ctx.state.quotas.delete(namespace)) throw notFound('quota', namespace, 'list them with: anvil get quotas -A');
}

function pick(limits: QuotaLimits): QuotaLimits {
  const out: Record<string, number> = {};
  for (const r of QUOTA_RESOURCES) if (limits[r] !== undefined) out[r] = limits[r]!;
  return out;
}

/** Every quota with its namespace's usage. */
export function quotaViews(state: ClusterState): QuotaView[] {
  return [...state.quotas.values()].map((q) => ({ ...q, used: namespaceUsage(state, q.namespace) }));
}
