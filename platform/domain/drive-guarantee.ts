/**
 * What a node's drives can guarantee, for admission: per drive, the 4K-equivalent IOPS (the storage QoS's
 * cost units, in which tiers reserve) its device profile keeps at a tier's I/O size and read/write mix
 * behind the storage QoS (`DeviceKind.guaranteedIops`: sim/devices/nvme/guarantee.ts has the rule), so
 * that a reservation the control plane admits is one the model keeps.
 *
 * The control plane may import the model (ARCHITECTURE.md) but not bench, where device profiles are read
 * for runs (bench/profiles.ts); it reads the drive's profile itself, as the kind's schema describes it,
 * and counts on a guarantee only from a profile that passes that schema.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { packageRoot } from '../../bench/package-root.js';
import { deviceKind } from '../../sim/devices/index.js';
import { ioCostUnits, LINEAR_4K } from '../../sim/qos/io-cost.js';
import { DEFAULT_DISPATCH_DEPTH, GUARANTEE_UTILISATION } from '../../sim/qos/storage-qos.js';
import { parseYamlData } from '../yaml-input.js';

/** The I/O a guarantee is priced at: a tier's own, or the default (`DEFAULT_TIER_LOAD`). */
export interface TierLoad {
  /** Size of the tier's I/Os, bytes. */
  readonly io_size_bytes: number;
  /** Fraction of its I/Os that are reads, 0..1. */
  readonly read_fraction: number;
}

/** A tier that names no I/O is priced at 4 KiB random, 70% reads (the OLTP mix of bench/scenarios/noisy-neighbour.yaml). */
export const DEFAULT_TIER_LOAD: TierLoad = Object.freeze({ io_size_bytes: 4096, read_fraction: 0.7 });

const cache = new Map<string, number | undefined>();
/** Per drive profile, its parameters (`driveParams`): read and checked once, however many loads are priced from it. */
const paramsCache = new Map<string, ReturnType<typeof readDriveParams>>();

/** The device profile's parameters with its kind's defaults (read once per profile), or undefined as `readDriveParams` says. */
function driveParams(profile: string): ReturnType<typeof readDriveParams> {
  if (!paramsCache.has(profile)) paramsCache.set(profile, readDriveParams(profile));
  return paramsCache.get(profile);
}

/** The device profile's parameters with its kind's defaults, or undefined when it is unknown or fails the schema. */
function readDriveParams(profile: string): { kind: NonNullable<ReturnType<typeof deviceKind>>; params: unknown } | undefined {
  const builtIn = join(packageRoot(), 'sim', 'profiles', `${profile}.yaml`);
  const path = !profile.includes('/') && existsSync(builtIn) ? builtIn : profile;
  if (!existsSync(path)) return undefined;
  let doc: unknown;
  try {
    doc = parseYamlData(readFileSync(path, 'utf8'), path, 'ANVIL_ERR_NODE_PROFILE');
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const record = doc as Record<string, unknown>;
  const kind = typeof record.kind === 'string' ? deviceKind(record.kind) : undefined;
  if (!kind?.guaranteedIops) return undefined;
  // Descriptive keys every profile may carry, as bench/profiles.ts drops them; the schema checks the rest.
  const { name: _name, description: _description, sources: _sources, datasheet: _datasheet, ...rest } = record;
  const params: unknown = Value.Default(kind.schema, Value.Clone(rest));
  return Value.Check(kind.schema, params) ? { kind, params } : undefined;
}

/**
 * 4K-equivalent IOPS (reservation units) drive profile `profile` guarantees at `load`, behind the storage
 * QoS at its default dispatch depth and cost model (hci.qos_* in sim/stacks/stack-coefficients.yaml hold the
 * same values; a test keeps them equal); undefined when the profile's kind gives no guarantee
 * (then the node profile's own figure stands alone).
 */
export function driveGuaranteedIops(profile: string, load: TierLoad = DEFAULT_TIER_LOAD): number | undefined {
  const key = `${profile}\u0000${load.io_size_bytes}\u0000${load.read_fraction}`;
  if (cache.has(key)) return cache.get(key);
  let answer: number | undefined;
  const drive = driveParams(profile);
  if (drive) {
    try {
      // Reservations are in the QoS's cost units: an I/O of the tier's size and mix costs this many.
      const r = load.read_fraction;
      const units = r * ioCostUnits(LINEAR_4K, load.io_size_bytes) + (1 - r) * ioCostUnits(LINEAR_4K, load.io_size_bytes, true);
      // The cluster's QoS keeps as many cost units outstanding as requests (platform/cluster/assemble.ts:
      // dispatch_units = depth), so I/Os of several units each have fewer of them at the drive at once.
      const depth = Math.max(1, Math.floor(DEFAULT_DISPATCH_DEPTH / Math.max(1, units)));
      const iops = drive.kind.guaranteedIops!(drive.params as never, {
        size_bytes: load.io_size_bytes,
        readFraction: load.read_fraction,
        depth,
        utilisation: GUARANTEE_UTILISATION,
      });
      answer = Math.floor(iops * units);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  cache.set(key, answer);
  return answer;
}
