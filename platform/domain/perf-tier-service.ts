/**
 * Perf tiers, as operations of the control plane: a cluster admin adds tiers beside the built-in ones,
 * up to `MAX_PERF_TIERS`, and deletes those no pod or volume uses. Each takes the change's context;
 * `ControlPlane` exposes each as a method.
 */
import { AnvilError } from '../errors.js';
import type { ChangeContext } from './change-context.js';
import { notFound } from './context.js';
import { requireName } from './names.js';
import { checkPerfTier, MAX_PERF_TIERS, type PerfTier } from './perf-tier.js';

export interface PerfTierInput {
  name: string;
  storage_iops: number;
  network_bandwidth_bits_per_s: number;
  max_storage_iops?: number;
  max_network_bandwidth_bits_per_s?: number;
  /** The I/O the guarantee is priced at (`PerfTier.io_size_bytes`, `read_fraction`); absent: 4K 70/30. */
  io_size_bytes?: number;
  read_fraction?: number;
  /** Shares of spare drive capacity (`PerfTier.storage_weight`); absent: `DEFAULT_STORAGE_WEIGHT`. */
  storage_weight?: number;
}

export function createPerfTier(ctx: ChangeContext, input: PerfTierInput): PerfTier {
  ctx.can('perftier', 'edit');
  ctx.requireCluster();
  requireName(input.name, 'perf tier');
  if (ctx.state.perfTiers.has(input.name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `perf tier ${input.name} already exists`);
  if (ctx.state.perfTiers.size >= MAX_PERF_TIERS)
    throw new AnvilError('ANVIL_ERR_LIMIT_REACHED', `a cluster has at most ${MAX_PERF_TIERS} perf tiers; delete an unused one first`);
  const tier: PerfTier = { kind: 'PerfTier', ...input, builtin: false };
  checkPerfTier(tier);
  ctx.state.perfTiers.set(tier.name, tier);
  ctx.event(
    'info',
    'PerfTierCreated',
    `perftier/${tier.name}`,
    `${tier.storage_iops} IOPS, ${tier.network_bandwidth_bits_per_s} bit/s guaranteed`,
  );
  return tier;
}

export function deletePerfTier(ctx: ChangeContext, name: string): void {
  ctx.can('perftier', 'edit');
  const tier = ctx.state.perfTiers.get(name);
  if (!tier) throw notFound('perf tier', name, `tiers: ${[...ctx.state.perfTiers.keys()].join(', ')}`);
  if (tier.builtin) throw new AnvilError('ANVIL_ERR_IN_USE', `perf tier ${name} is built in and cannot be deleted`);
  const used =
    [...ctx.state.pods.values()].some((p) => p.perf_tier === name || p.endpoints.some((e) => e.perf_tier === name)) ||
    [...ctx.state.volumes.values()].some((v) => v.perf_tier === name);
  if (used) throw new AnvilError('ANVIL_ERR_IN_USE', `perf tier ${name} is used by pods or volumes; delete them first`);
  ctx.state.perfTiers.delete(name);
}
