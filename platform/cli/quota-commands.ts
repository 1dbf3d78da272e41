/**
 * `anvil quota set NS --pods N --volumes N --capacity 10T --iops N --bandwidth 10G` and `anvil quota
 * delete NS`: a namespace's quota (the domain's quota.ts), set by a cluster admin; `anvil get quotas`
 * shows each with its usage. On the embedded state or, with --server, through the API (server-mode.ts).
 */
import type { Command } from 'commander';
import { AnvilError } from '../errors.js';
import { bitRate, iopsCount, volumeSizeBytes } from '../domain/quantity.js';
import { formatQuotaFigure, QUOTA_RESOURCES, type Quota, type QuotaLimits } from '../domain/quota.js';
import { change, stateOption } from './control-plane-commands.js';

export interface QuotaOpts {
  pods?: string;
  volumes?: string;
  capacity?: string;
  iops?: string;
  bandwidth?: string;
}

function count(text: string, flag: string): number {
  if (!/^\d{1,15}$/.test(text)) throw new AnvilError('ANVIL_ERR_USAGE', `${flag} ${text} is not a count; write a whole number from 0 up`);
  return Number(text);
}

/** The limits the flags give (a flag left out is no limit); at least one is needed. */
export function quotaLimits(o: QuotaOpts): QuotaLimits {
  const limits: QuotaLimits = {
    ...(o.pods !== undefined ? { pods: count(o.pods, '--pods') } : {}),
    ...(o.volumes !== undefined ? { volumes: count(o.volumes, '--volumes') } : {}),
    ...(o.capacity !== undefined ? { capacity_bytes: o.capacity === '0' ? 0 : volumeSizeBytes(o.capacity, '--capacity') } : {}),
    ...(o.iops !== undefined ? { iops: iopsCount(o.iops, '--iops') } : {}),
    ...(o.bandwidth !== undefined ? { bandwidth_bits_per_s: o.bandwidth === '0' ? 0 : bitRate(o.bandwidth, '--bandwidth') } : {}),
  };
  if (Object.keys(limits).length === 0) throw new AnvilError('ANVIL_ERR_USAGE', 'quota set needs at least one of --pods, --volumes, --capacity, --iops, --bandwidth');
  return limits;
}

/** What `quota set` prints, on the embedded state and through a server alike. */
export function quotaSetLine(q: Quota): string {
  const limits = QUOTA_RESOURCES.filter((r) => q[r] !== undefined).map((r) => `${r} ${formatQuotaFigure(r, q[r])}`);
  return `quota of namespace ${q.namespace} set: ${limits.join(', ')}\n`;
}

export function registerQuotaCommands(cli: Command): void {
  const quota = cli.command('quota').description("namespace quotas (pods, volumes, capacity, guaranteed IOPS and bandwidth); see them with: anvil get quotas -A");
  stateOption(
    quota
      .command('set')
      .description("set (replace) a namespace's quota; limits left out are no limit; cluster admins only")
      .argument('<namespace>')
      .option('--pods <n>', 'pods the namespace may hold (running or pending)')
      .option('--volumes <n>', 'volumes the namespace may hold')
      .option('--capacity <size>', "bytes its volumes may take on the nodes, size × mirrors (e.g. 10T, 500G)")
      .option('--iops <n>', 'guaranteed storage IOPS of its pods, summed (e.g. 200k)')
      .option('--bandwidth <rate>', 'guaranteed network bandwidth of its pods, summed (e.g. 10G, bits per second)'),
  ).action((namespace: string, o: QuotaOpts & { state?: string }) => {
    const limits = quotaLimits(o);
    process.stdout.write(quotaSetLine(change(o, 'quota set', `quota/${namespace}`, (cp) => cp.setQuota(namespace, limits))));
  });
  stateOption(quota.command('delete').description("remove a namespace's quota; cluster admins only").argument('<namespace>')).action((namespace: string, o: { state?: string }) => {
    change(o, 'delete quotas', `quotas/${namespace}`, (cp) => cp.deleteQuota(namespace));
    process.stdout.write(`quota of namespace ${namespace} deleted\n`);
  });
}
