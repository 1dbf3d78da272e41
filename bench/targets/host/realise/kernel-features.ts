/**
 * Which optional kernel features a host run can use, read from the running kernel's configuration
 * (/proc/config.gz, or /boot/config-RELEASE) where it is exposed, else from what the feature shows in
 * procfs/sysfs once present. Built in (=y) or a module (=m) both count: a module loads on first use.
 */
import type { HostActions } from './host-actions.js';

export type KernelFeature = 'vlan' | 'nvmet-tcp' | 'md-raid1' | 'dm-snapshot';

interface FeatureSigns {
  /** What a user reads: the feature and the config options that give it. */
  readonly what: string;
  /** Every one of these options must be y or m. */
  readonly config: readonly string[];
  /** Without a readable config: every one of these paths must exist. */
  readonly markers: readonly string[];
}

export const KERNEL_FEATURES: Readonly<Record<KernelFeature, FeatureSigns>> = {
  vlan: {
    what: '802.1Q VLANs on a bridge (CONFIG_VLAN_8021Q, CONFIG_BRIDGE_VLAN_FILTERING)',
    config: ['CONFIG_VLAN_8021Q', 'CONFIG_BRIDGE_VLAN_FILTERING'],
    markers: ['/proc/net/vlan'],
  },
  'nvmet-tcp': {
    what: 'an NVMe/TCP target and initiator (CONFIG_NVME_TARGET_TCP, CONFIG_NVME_TCP)',
    config: ['CONFIG_NVME_TARGET_TCP', 'CONFIG_NVME_TCP'],
    markers: ['/sys/module/nvmet_tcp', '/sys/module/nvme_tcp'],
  },
  'md-raid1': {
    what: 'md RAID1 (CONFIG_MD_RAID1)',
    config: ['CONFIG_MD_RAID1'],
    markers: ['/proc/mdstat'],
  },
  'dm-snapshot': {
    what: 'device-mapper snapshots (CONFIG_DM_SNAPSHOT)',
    config: ['CONFIG_DM_SNAPSHOT'],
    markers: ['/dev/mapper/control'],
  },
};

/** The features this kernel has. */
export function probeKernel(actions: HostActions): ReadonlySet<KernelFeature> {
  const config = actions.kernelConfig();
  const set = new Set<KernelFeature>();
  for (const [name, signs] of Object.entries(KERNEL_FEATURES) as [KernelFeature, FeatureSigns][]) {
    const present =
      config !== undefined
        ? signs.config.every((option) => new RegExp(`^${option}=[ym]$`, 'm').test(config))
        : signs.markers.every((path) => actions.exists(path));
    if (present) set.add(name);
  }
  return set;
}
