/**
 * What a host run leaves out of a scenario while the rest runs, each with a coded reason: a feature the
 * kernel lacks (ANVIL_ERR_HOST_KERNEL_FEATURE, naming the config options: 802.1Q for VLANs, nvmet for
 * remote plexes, md for mirrors, device-mapper for snapshots), or one the host does not realise yet even
 * where the kernel has it (ANVIL_ERR_HOST_UNREALISED), or a tool it needs that is not installed (mdadm for
 * mirrors: ANVIL_ERR_HOST_TOOL_MISSING). Printed before the run and listed in its summary.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import { KERNEL_FEATURES, type KernelFeature } from '../../bench/targets/host/realise/kernel-features.js';

/** One item left out and why. */
export interface HostShortfall {
  /** Where the scenario asks for it (`/networks/0/vlan`, `volume TENANT/NAME`, `/snapshots/1`). */
  readonly item: string;
  readonly code: 'ANVIL_ERR_HOST_KERNEL_FEATURE' | 'ANVIL_ERR_HOST_TOOL_MISSING' | 'ANVIL_ERR_HOST_UNREALISED';
  /** The kernel features it needs that this kernel lacks (KERNEL_FEATURES' `what`), or else the tools it needs that are not installed. */
  readonly missing: readonly string[];
  /** What the run does instead. */
  readonly effect: string;
}

/**
 * A shortfall for `item` needing `needs`: coded by the missing kernel features, else by the missing tools
 * (`missingTools`: "mdadm (apt-get install mdadm)"), else not realised yet.
 */
export function shortfall(
  item: string,
  needs: readonly KernelFeature[],
  kernel: ReadonlySet<KernelFeature>,
  effect: string,
  missingTools: readonly string[] = [],
): HostShortfall {
  const missing = needs.filter((f) => !kernel.has(f)).map((f) => KERNEL_FEATURES[f].what);
  if (missing.length > 0) return { item, code: 'ANVIL_ERR_HOST_KERNEL_FEATURE', missing, effect };
  if (missingTools.length > 0) return { item, code: 'ANVIL_ERR_HOST_TOOL_MISSING', missing: missingTools, effect };
  return { item, code: 'ANVIL_ERR_HOST_UNREALISED', missing, effect };
}

/** The line printed for a shortfall (stderr, and the summary's notes). */
export function shortfallLine(file: string, x: HostShortfall): string {
  const why =
    x.missing.length === 0
      ? 'is not realised on a host yet'
      : x.code === 'ANVIL_ERR_HOST_TOOL_MISSING'
        ? `needs ${x.missing.join(' and ')}, which is not installed here`
        : `needs ${x.missing.join(' and ')}, which this host's kernel lacks`;
  return `anvil: ${x.code}: ${file}: ${x.item} ${why}; ${x.effect}`;
}

/** VLANs are realised where the kernel has them; snapshots are left out (a host cannot take them yet). */
export function scenarioShortfalls(s: LoadedClusterScenario, kernel: ReadonlySet<KernelFeature>): HostShortfall[] {
  const out: HostShortfall[] = [];
  s.spec.networks.forEach((n, i) => {
    if (n.vlan !== undefined && !kernel.has('vlan'))
      out.push(shortfall(`/networks/${i}/vlan`, ['vlan'], kernel, `VLAN ${n.vlan} is left out: its pods share an untagged segment`));
  });
  s.snapshots.forEach((_, i) =>
    out.push(shortfall(`/snapshots/${i}`, ['dm-snapshot'], kernel, 'the snapshot is not taken: writes pay no copy-on-write')),
  );
  return out;
}
