/**
 * Node profiles: what one node has (cores, memory, drives, NIC ports and their VFs, storage controllers,
 * limits, and how much IOPS and bandwidth it can guarantee). Built-ins live in `platform/node-profiles/`
 * as YAML with sources; a path to a YAML file of the same shape also works. One schema gives the type,
 * the validation and the help.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { packageRoot } from '../../bench/package-root.js';
import { AnvilError } from '../errors.js';
import { parseYamlData } from '../yaml-input.js';
import {
  BANDWIDTH_RANGE,
  CPU_MILLICORES_RANGE,
  DRIVE_CAPACITY_RANGE,
  IOPS_RANGE,
  MEMORY_RANGE,
  NODE_COUNT_RANGE,
  rangeText,
  type NumericRange,
} from './limits.js';
import { parseQuantity } from '../../sim/core/units.js';
import { DEFAULT_TIER_LOAD, driveGuaranteedIops, type TierLoad } from './drive-guarantee.js';
import { bitRate } from './quantity.js';

/** The profile `anvil cluster create` uses when none is named. */
export const DEFAULT_NODE_PROFILE = 'appliance-d10';

const Quantity = Type.Union([Type.String(), Type.Number()], { description: 'a Kubernetes-style quantity: 128Gi, 3.05T, 40000' });

export const NodeProfileFile = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'the profile name' }),
    description: Type.Optional(Type.String({ description: 'what node the profile describes' })),
    cpu_millicores: Type.Integer({ minimum: 1, maximum: CPU_MILLICORES_RANGE.max, description: 'allocatable CPU in millicores' }),
    memory: Quantity,
    max_pods: Type.Integer({ minimum: 1, maximum: NODE_COUNT_RANGE.max, description: 'pods the node runs at most' }),
    drives: Type.Array(
      Type.Object(
        { profile: Type.String({ minLength: 1, description: 'the device profile of the drive (anvil profiles)' }), capacity: Quantity },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 256, description: 'the NVMe drives of the node' },
    ),
    nic_ports: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, description: 'the port name, e.g. storage0' }),
          role: Type.Union([Type.Literal('pods'), Type.Literal('storage')], {
            description: 'pods: pod endpoints (VFs); storage: traffic to plexes on other nodes',
          }),
          speed: Type.String({ description: 'link rate, e.g. 20G' }),
          vfs: Type.Integer({ minimum: 0, maximum: 4096, description: 'SR-IOV virtual functions the port offers' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 256, description: 'the NIC ports of the node' },
    ),
    storage_controllers: Type.Object(
      {
        local: Type.Integer({
          minimum: 0,
          maximum: NODE_COUNT_RANGE.max,
          description: 'volumes attached to pods on the node through a local plex, at most',
        }),
        remote: Type.Integer({
          minimum: 0,
          maximum: NODE_COUNT_RANGE.max,
          description: 'volumes attached to pods on the node through a plex on another node, at most',
        }),
      },
      { additionalProperties: false, description: 'storage controllers: one per volume attached on the node' },
    ),
    max_volumes: Type.Integer({
      minimum: 1,
      maximum: NODE_COUNT_RANGE.max,
      description: 'volumes the node holds at most, counting mirrors, snapshots and clones',
    }),
    guaranteeable: Type.Object(
      {
        storage_iops: Type.Optional(
          Type.Integer({
            minimum: IOPS_RANGE.min,
            maximum: IOPS_RANGE.max,
            description:
              "the node's rated storage IOPS: an upper bound on what admission counts (the drives' guarantees from their device profiles count below it); required when a drive's kind gives no guarantee",
          }),
        ),
        network_bandwidth: Type.String({ description: 'the network bandwidth the node can guarantee, e.g. 36G' }),
      },
      { additionalProperties: false, description: 'what admission may guarantee on the node' },
    ),
  },
  { additionalProperties: false },
);
export type NodeProfileFile = Static<typeof NodeProfileFile>;

/** A NIC port of a node. */
export interface NicPort {
  readonly name: string;
  readonly role: 'pods' | 'storage';
  readonly speed_bits_per_s: number;
  readonly vfs: number;
}

/** A node's inventory in base units: what the scheduler and `cluster status` count against. */
export interface NodeInventory {
  readonly profile: string;
  readonly cpu_millicores: number;
  readonly memory_bytes: number;
  readonly max_pods: number;
  readonly drives: readonly {
    readonly profile: string;
    readonly capacity_bytes: number;
    /** 4K-equivalent IOPS the drive guarantees at the default tier load (4K 70/30, `driveGuaranteedIops`); absent when its kind gives none. */
    readonly guaranteed_iops?: number;
  }[];
  readonly nic_ports: readonly NicPort[];
  readonly local_controllers: number;
  readonly remote_controllers: number;
  readonly max_volumes: number;
  /**
   * 4K-equivalent IOPS admission counts reservations against (at the default tier load, 4K 70/30): the sum
   * of the drives' guarantees, at most the profile's rated `guaranteeable.storage_iops` (`nodeGuaranteeableIops`).
   */
  readonly guaranteeable_iops: number;
  /** The profile's rated `guaranteeable.storage_iops`, when it states one: the bound on every tier's capacity. */
  readonly rated_iops?: number;
  readonly guaranteeable_bandwidth_bits_per_s: number;
}

function builtInDir(): string {
  return join(packageRoot(), 'platform', 'node-profiles');
}

export function builtInNodeProfiles(): string[] {
  return readdirSync(builtInDir())
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** Loads a node profile by built-in name or YAML path and returns the inventory of one such node. */
export function loadNodeProfile(nameOrPath: string): NodeInventory {
  const builtIn = join(builtInDir(), `${nameOrPath}.yaml`);
  const path = !nameOrPath.includes('/') && existsSync(builtIn) ? builtIn : nameOrPath;
  if (!existsSync(path)) {
    throw new AnvilError(
      'ANVIL_ERR_NODE_PROFILE',
      `node profile "${nameOrPath}" is neither built in nor a file; built-in node profiles: ${builtInNodeProfiles().join(', ')}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_NODE_PROFILE', `cannot read node profile ${path}: ${(e as Error).message.split('\n')[0]}`);
  }
  return inventoryOf(parseYamlData(text, path, 'ANVIL_ERR_NODE_PROFILE'), path);
}

/** Validates a parsed profile document and converts it to base units. */
export function inventoryOf(doc: unknown, path: string): NodeInventory {
  // `anvil host inspect -o yaml|json` prints what it found, not a profile: say which command writes one.
  const found = doc as { kind?: unknown; nics?: unknown; cpu?: unknown } | null;
  if (found !== null && typeof found === 'object' && found.kind === 'node' && 'nics' in found && 'cpu' in found) {
    throw new AnvilError(
      'ANVIL_ERR_NODE_PROFILE',
      `${path} is a host inspect report (what anvil host inspect -o yaml|json prints), not a node profile; write the profile with: anvil host inspect --out PROFILE.yaml (on the node, or --from CAPTURE.json)`,
    );
  }
  const problems = [...Value.Errors(NodeProfileFile, doc)].map((e) => `${path}: ${e.path || '/'}: ${e.message}`);
  if (problems.length > 0) throw new AnvilError('ANVIL_ERR_NODE_PROFILE', `node profile ${path} fails its schema`, problems.slice(0, 20));
  const p = doc as NodeProfileFile;
  const inRange = (v: number, field: string, range: NumericRange): number => {
    if (!(v >= range.min && v <= range.max))
      throw new AnvilError('ANVIL_ERR_NODE_PROFILE', `${path}: ${field}: ${v} is out of range, allowed: ${rangeText(range)}`);
    return v;
  };
  const num = (q: string | number, field: string, range: NumericRange): number => {
    const v = parseQuantity(q);
    if (v === undefined)
      throw new AnvilError('ANVIL_ERR_NODE_PROFILE', `${path}: ${field} "${q}" is not a quantity; write e.g. 128Gi or 3.05T`);
    return inRange(Math.round(v), field, range);
  };
  const rate = (text: string, field: string): number => {
    let v: number;
    try {
      v = bitRate(text, field);
    } catch {
      throw new AnvilError('ANVIL_ERR_NODE_PROFILE', `${path}: ${field} "${text}" is not a rate; write e.g. 20G`);
    }
    return inRange(v, field, BANDWIDTH_RANGE);
  };
  if (!p.nic_ports.some((port) => port.role === 'pods'))
    throw new AnvilError('ANVIL_ERR_NODE_PROFILE', `${path}: nic_ports has no port with role: pods, so no pod could get a VF`);
  const drives = p.drives.map((d, i) => {
    const guaranteed = driveGuaranteedIops(d.profile);
    return {
      profile: d.profile,
      capacity_bytes: num(d.capacity, `/drives/${i}/capacity`, DRIVE_CAPACITY_RANGE),
      ...(guaranteed !== undefined ? { guaranteed_iops: guaranteed } : {}),
    };
  });
  const rated = p.guaranteeable.storage_iops;
  const unknown = drives.findIndex((d) => d.guaranteed_iops === undefined);
  if (rated === undefined && unknown >= 0)
    throw new AnvilError(
      'ANVIL_ERR_NODE_PROFILE',
      `${path}: /guaranteeable/storage_iops is required: drive ${unknown}'s profile ${drives[unknown]!.profile} gives no guarantee the control plane can count (not a device profile of a kind that computes one: anvil profiles lists them)`,
    );
  return {
    profile: p.name,
    cpu_millicores: p.cpu_millicores,
    memory_bytes: num(p.memory, '/memory', MEMORY_RANGE),
    max_pods: p.max_pods,
    drives,
    nic_ports: p.nic_ports.map((port, i) => ({
      name: port.name,
      role: port.role,
      vfs: port.vfs,
      speed_bits_per_s: rate(port.speed, `/nic_ports/${i}/speed`),
    })),
    local_controllers: p.storage_controllers.local,
    remote_controllers: p.storage_controllers.remote,
    max_volumes: p.max_volumes,
    guaranteeable_iops: nodeGuaranteeableIops(
      drives.map((d) => d.guaranteed_iops),
      rated,
    ),
    ...(rated !== undefined ? { rated_iops: rated } : {}),
    guaranteeable_bandwidth_bits_per_s: rate(p.guaranteeable.network_bandwidth, '/guaranteeable/network_bandwidth'),
  };
}

/**
 * What a node can guarantee, 4K-equivalent IOPS: the sum of its drives' guarantees, bounded by the profile's
 * rated figure when it states one (a vendor's rating may bound what the model does not see, such as the
 * storage software's own path); the rated figure alone when a drive has no guarantee.
 */
export function nodeGuaranteeableIops(driveGuarantees: readonly (number | undefined)[], rated: number | undefined): number {
  const known = driveGuarantees.every((g) => g !== undefined);
  const sum = known ? driveGuarantees.reduce<number>((s, g) => s + g!, 0) : Infinity;
  return Math.min(sum, rated ?? Infinity);
}

/**
 * What a node can guarantee to a tier of I/O `load`, 4K-equivalent IOPS: `guaranteeable_iops` at the default
 * load, else its drives' guarantees at `load` under the rated figure (a node stored before drives had
 * guarantees, or with a drive of a kind that gives none, has only `guaranteeable_iops`).
 */
export function nodeCapacityAt(inv: NodeInventory, load: TierLoad): number {
  if (load.io_size_bytes === DEFAULT_TIER_LOAD.io_size_bytes && load.read_fraction === DEFAULT_TIER_LOAD.read_fraction)
    return inv.guaranteeable_iops;
  if (inv.drives.some((d) => d.guaranteed_iops === undefined)) return inv.guaranteeable_iops;
  const atLoad = inv.drives.map((d) => driveGuaranteedIops(d.profile, load));
  return atLoad.some((g) => g === undefined) ? inv.guaranteeable_iops : nodeGuaranteeableIops(atLoad, inv.rated_iops);
}

/** Total raw NVMe capacity of a node, bytes. */
export function storageCapacityBytes(inv: NodeInventory): number {
  return inv.drives.reduce((sum, d) => sum + d.capacity_bytes, 0);
}

/** VFs on the ports that carry pod traffic. */
export function podVfCount(inv: NodeInventory): number {
  return inv.nic_ports.filter((p) => p.role === 'pods').reduce((sum, p) => sum + p.vfs, 0);
}
