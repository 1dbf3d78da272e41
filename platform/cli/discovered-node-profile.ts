/**
 * A discovered node (bench/discovery/discovered-node.ts) written in the control plane's node-profile format
 * (platform/domain/node-profile.ts), so a measured node can be dropped into a simulated cluster with
 * `anvil cluster create --node-profile FILE`. What discovery measures is converted; what it cannot
 * measure comes from documented defaults, and every figure says which in a comment beside it. It lives in
 * the CLI, the one floor that may import both bench/discovery and platform/domain.
 */
import { Document, isMap, isScalar, type Pair } from 'yaml';
import type { NodeProfileFile } from '../domain/node-profile.js';
import type { Nic, NodeProfile } from '../../bench/discovery/discovered-node.js';

const NOT_MEASURED = 'default: not measured by host inspect';

/** Defaults for what discovery cannot measure: the built-in appliance-d10 figures (RN330 2021, BOOT 2020). */
export const UNMEASURED_DEFAULTS = {
  drive_profile: 'intel-p4510-4tb',
  max_pods: 110,
  local_controllers: 64,
  remote_controllers: 64,
  max_volumes: 2048,
  guaranteeable_storage_iops: 500000,
  guaranteeable_network_bandwidth: '36G',
  nic_speed: '10G',
} as const;

/** A link rate as the control plane writes it: whole Gbit/s as "25G", else "100M". */
function rateText(bits_per_s: number): string {
  return bits_per_s >= 1e9 && bits_per_s % 1e9 === 0 ? `${bits_per_s / 1e9}G` : `${Math.round(bits_per_s / 1e6)}M`;
}

/** Physical ports (no loopback, bridges or other virtual interfaces without a driver), up first. */
function physicalPorts(nics: readonly Nic[]): Nic[] {
  return nics.filter((n) => n.name !== 'lo' && n.driver !== null);
}

/** The control-plane profile and, per field path, where its figure comes from. */
export function controlPlaneProfile(p: NodeProfile): { profile: NodeProfileFile; sources: Map<string, string> } {
  const measured = `measured: ${p.source.replace(/^measured by /, '')}`;
  const sources = new Map<string, string>();
  // Kubernetes counts one logical CPU (hardware thread) as 1000 millicores.
  sources.set('cpu_millicores', `${measured} (${p.cpu.threads} threads x 1000; ${p.cpu.cores} cores, ${p.cpu.model})`);
  sources.set('memory', `${measured} (MemTotal)`);
  // NVMe drives are what the model simulates; a machine without them (a VM) gives its other disks.
  const nvme = p.drives.filter((d) => d.kind === 'nvme');
  const real = p.drives.filter((d) => d.kind !== 'virtual');
  const drives = nvme.length > 0 ? nvme : real.length > 0 ? real : p.drives;
  sources.set(
    'drives',
    `${measured}: capacities of ${drives.map((d) => d.name).join(', ') || 'no drive'}; device profile ${NOT_MEASURED} unless the drive names one (${UNMEASURED_DEFAULTS.drive_profile})`,
  );
  // The port with the most VFs carries pods (they each get a VF); the others carry storage.
  const ports = physicalPorts(p.nics);
  const podPort = [...ports].sort(
    (a, b) => (b.sriov?.total_vfs ?? 0) - (a.sriov?.total_vfs ?? 0) || (b.speed_bps ?? 0) - (a.speed_bps ?? 0),
  )[0];
  const nicPorts = ports.map((n) => ({
    name: n.name,
    role: n === podPort ? ('pods' as const) : ('storage' as const),
    speed: n.speed_bps ? rateText(n.speed_bps) : UNMEASURED_DEFAULTS.nic_speed,
    vfs: n.sriov?.total_vfs ?? 0,
  }));
  if (nicPorts.length === 0) nicPorts.push({ name: 'pod0', role: 'pods', speed: UNMEASURED_DEFAULTS.nic_speed, vfs: 0 });
  sources.set(
    'nic_ports',
    `${measured}: link speed and SR-IOV sriov_totalvfs from sysfs (${NOT_MEASURED} where the driver reports no speed: ${UNMEASURED_DEFAULTS.nic_speed}); role is a judgement: the port with the most VFs carries pods`,
  );
  const d10 = `${NOT_MEASURED} (appliance-d10 figure)`;
  sources.set('max_pods', d10);
  sources.set('storage_controllers', d10);
  sources.set('max_volumes', d10);
  sources.set('guaranteeable', d10);
  const profile: NodeProfileFile = {
    name: p.name,
    description: `${p.name} (${p.source}); unmeasured figures are defaults, see the comments`,
    cpu_millicores: p.cpu.threads * 1000,
    memory: p.memory_bytes,
    max_pods: UNMEASURED_DEFAULTS.max_pods,
    drives: drives.map((d) => ({ profile: d.profile ?? UNMEASURED_DEFAULTS.drive_profile, capacity: d.capacity_bytes })),
    nic_ports: nicPorts,
    storage_controllers: { local: UNMEASURED_DEFAULTS.local_controllers, remote: UNMEASURED_DEFAULTS.remote_controllers },
    max_volumes: UNMEASURED_DEFAULTS.max_volumes,
    guaranteeable: {
      storage_iops: UNMEASURED_DEFAULTS.guaranteeable_storage_iops,
      network_bandwidth: UNMEASURED_DEFAULTS.guaranteeable_network_bandwidth,
    },
  };
  return { profile, sources };
}

/** The control-plane profile as YAML, each top-level field preceded by a comment naming its source. */
export function controlPlaneProfileYaml(p: NodeProfile): string {
  const { profile, sources } = controlPlaneProfile(p);
  const doc = new Document(profile);
  doc.commentBefore = ` Node profile for anvil cluster create --node-profile, written by anvil host inspect.\n Discovered: ${p.source}.`;
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items as Pair[]) {
      const key = pair.key;
      if (isScalar(key)) {
        const source = sources.get(String(key.value));
        if (source) key.commentBefore = ` ${source}`;
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}
