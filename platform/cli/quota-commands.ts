/**
 * `anvil quota set NS --pods N --volumes N --capacity 10T --iops N --bandwidth 10G` and `anvil quota
 * delete NS`: a namespace's quota (the domain's quota.ts), set by a cluster admin; `anvil get quotas`
 * shows each with its usage. On the embedded state or, with --server, through the API (server-mode.ts).
 */
import type { Command } from 'commander';
import { AnvilError } from '../errors.js';
import { bitRate, iopsCount, volumeSizeBytes } from '../domain/quantity.js';
import { formatQuotaFigure, QUOTA_RESOURCES, type Quota, type QuotaLimits } from '../domain/quota.js';
import { change, stateOption } from './embedded-state.js';
import { checkedQuantity, wholeNumber } from './arguments.js';
import { cliOut } from './cli-io.js';

export interface QuotaOpts {
  pods?: number;
  volumes?: number;
  capacity?: string;
  iops?: string;
  bandwidth?: string;
}

/** A count of pods or volumes in a quota: far above any cluster, far below 2^53. */
const quotaCount = wholeNumber(0, 1_000_000_000, '200');

/** The limits the flags give (a flag left out is no limit); at least one is needed. */
export function quotaLimits(o: QuotaOpts): QuotaLimits {
  const limits: QuotaLimits = {
    ...(o.pods !== undefined ? { pods: o.pods } : {}),
    ...(o.volumes !== undefined ? { volumes: o.volumes } : {}),
    ...(o.capacity !== undefined ? { capacity_bytes: o.capacity === '0' ? 0 : volumeSizeBytes(o.capacity, '--capacity') } : {}),
    ...(o.iops !== undefined ? { iops: iopsCount(o.iops, '--iops') } : {}),
    ...(o.bandwidth !== undefined ? { bandwidth_bits_per_s: o.bandwidth === '0' ? 0 : bitRate(o.bandwidth, '--bandwidth') } : {}),
  };
  if (Object.keys(limits).length === 0)
    throw new AnvilError('ANVIL_ERR_USAGE', 'quota set needs at least one of --pods, --volumes, --capacity, --iops, --bandwidth');
  return limits;
}

/** What `quota set` prints, on the embedded state and through a server alike. */
export function quotaSetLine(q: Quota): string {
  const limits = QUOTA_RESOURCES.filter((r) => q[r] !== undefined).map((r) => `${r} ${formatQuotaFigure(r, q[r])}`);
  return `quota of namespace ${q.namespace} set: ${limits.join(', ')}\n`;
}

export function registerQuotaCommands(cli: Command): void {
  const quota = cli
    .command('quota')
    .description('namespace quotas (pods, volumes, capacity, guaranteed IOPS and bandwidth); see them with: anvil get quotas -A');
  stateOption(
    quota
      .command('set')
      .description("set (replace) a namespace's quota; limits left out are no limit; cluster admins only")
      .argument('<namespace>')
      .option('--pods <n>', 'pods the namespace may hold (running or pending)', quotaCount)
      .option('--volumes <n>', 'volumes the namespace may hold', quotaCount)
      .option('--capacity <size>', 'bytes its volumes may take on the nodes, size × mirrors (e.g. 10T, 500G)')
      .option('--iops <n>', 'guaranteed storage IOPS of its pods, summed (e.g. 200k)', checkedQuantity(iopsCount, '--iops'))
      .option('--bandwidth <rate>', 'guaranteed network bandwidth of its pods, summed (e.g. 10G, bits per second)'),
  ).action((namespace: string, o: QuotaOpts & { state?: string }) => {
    const limits = quotaLimits(o);
    cliOut(quotaSetLine(change(o, 'set quotas', `quotas/${namespace}`, (cp) => cp.setQuota(namespace, limits))));
  });
  stateOption(quota.command('delete').description("remove a namespace's quota; cluster admins only").argument('<namespace>')).action(
    (namespace: string, o: { state?: string }) => {
      change(o, 'delete quotas', `quotas/${namespace}`, (cp) => cp.deleteQuota(namespace));
      cliOut(`quota of namespace ${namespace} deleted\n`);
    },
  );
}
