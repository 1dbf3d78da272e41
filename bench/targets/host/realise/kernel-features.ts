/**
 * Which optional kernel features a host run can use, read from the running kernel's configuration
 * (/proc/config.gz, or /boot/config-RELEASE) where it is exposed, else from what the feature shows in
 * procfs/sysfs once present. Built in (=y) or a module (=m) both count: a module loads on first use.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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
    what: 'an NVMe/TCP target and initiator (CONFIG_NVME_TARGET, CONFIG_NVME_TARGET_TCP, CONFIG_NVME_TCP, CONFIG_CONFIGFS_FS)',
    config: ['CONFIG_NVME_TARGET', 'CONFIG_NVME_TARGET_TCP', 'CONFIG_NVME_TCP', 'CONFIG_CONFIGFS_FS'],
    markers: ['/sys/module/nvmet_tcp', '/sys/module/nvme_tcp', '/sys/kernel/config'],
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

/** A NIC that offers SR-IOV: its name and the VFs it can have (sysfs `device/sriov_totalvfs`). */
export interface SriovPort {
  readonly name: string;
  readonly total_vfs: number;
}

/** The NICs under `sysClassNet` that offer SR-IOV VFs (none where no NIC does, or sysfs is not there). */
export function sriovPorts(sysClassNet = '/sys/class/net'): SriovPort[] {
  if (!existsSync(sysClassNet)) return [];
  const out: SriovPort[] = [];
  for (const name of readdirSync(sysClassNet).sort()) {
    const file = join(sysClassNet, name, 'device', 'sriov_totalvfs');
    if (!existsSync(file)) continue;
    const total_vfs = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(total_vfs) && total_vfs > 0) out.push({ name, total_vfs });
  }
  return out;
}

/**
 * What a host run says about SR-IOV: with `--sriov-pf` (`chosen`: the PFs named), that pods are on VFs and
 * what that changes; else whether a NIC here offers VFs, and that pods get veth ports.
 */
export function sriovNote(ports: readonly SriovPort[], chosen: readonly string[] = []): string {
  if (chosen.length > 0)
    return `pods are on SR-IOV VFs of ${[...new Set(chosen)].join(', ')} (--sriov-pf), each with its MAC set through the PF and moved into its namespace as eth0: their traffic goes through the NIC's embedded switch (and the wire between PFs), not the bridges, so no HTB class shapes it; each pod's tier is its VF's max_tx_rate (its maximum) and min_tx_rate (its guarantee) where the driver takes them`;
  const endpoints = "pods get veth ports on their node's bridge";
  if (ports.length === 0) return `no NIC here offers SR-IOV (no /sys/class/net/*/device/sriov_totalvfs above 0): ${endpoints}`;
  const list = ports.map((p) => `${p.name} (${p.total_vfs} VFs)`).join(', ');
  return `${list} offer${ports.length === 1 ? 's' : ''} SR-IOV: ${endpoints}; --sriov-pf ${ports[0]!.name} puts them on its VFs instead`;
}
