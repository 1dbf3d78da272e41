/**
 * A scenario's snapshots on the model run: at each one's simulated time the control plane takes it (its
 * own `createSnapshot`, as faults.ts calls `failNode`), and where it did, the model's volume takes it too,
 * so from then on the first write to each of its blocks pays a copy (sim/storage/mirrored-volume.ts). Both
 * stacks build their volumes with `mirroredVolume`, so the same call serves diy: a Ceph RBD snapshot is
 * copy-on-write as well. A snapshot the platform refuses (no plex in sync, its limits) is recorded with
 * the platform's reason and the model takes none.
 */
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import { formatDuration } from '../../sim/core/units.js';
import { AnvilError } from '../errors.js';
import { localAdmin } from '../domain/tenancy.js';
import type { AssembledCluster } from './assemble.js';
import type { ScenarioPlacement } from './placement.js';

/** One snapshot as it was taken (or refused), for the summary. */
export interface SnapshotRecord {
  readonly at_ns: number;
  /** `TENANT/NAME` of the snapshot. */
  readonly snapshot: string;
  /** `TENANT/NAME` of the volume. */
  readonly volume: string;
  /** Nodes the platform holds it on (its volume's in-sync plexes then); absent where it refused it. */
  readonly nodes?: readonly string[];
  /** The platform's reason, where it refused the snapshot (`CODE: message`). */
  readonly refused?: string;
}

/** Per modelled volume with a snapshot: what its copy-on-write cost. */
export interface VolumeCopyOnWrite {
  /** `TENANT/NAME`. */
  readonly volume: string;
  /** Snapshots the model's volume took. */
  readonly snapshots: number;
  /** Blocks copied on their first write after a snapshot (on every plex that write went to). */
  readonly copies_on_write: number;
  /** Those blocks' bytes (block count times the volume's block size). */
  readonly copied_bytes: number;
}

/** The snapshots part of the summary. */
export interface SnapshotSummary {
  readonly taken: readonly SnapshotRecord[];
  readonly volumes: readonly VolumeCopyOnWrite[];
}

/**
 * Schedules the scenario's snapshots on the model's clock; returns the records, filled as they happen,
 * and `summary()` to call after the run.
 */
export function scheduleSnapshots(
  s: LoadedClusterScenario,
  placement: ScenarioPlacement,
  built: AssembledCluster,
): { readonly records: SnapshotRecord[]; summary(): SnapshotSummary } {
  const actor = localAdmin('scenario');
  const records: SnapshotRecord[] = [];
  for (const x of s.snapshots) {
    const tenant = x.volume.slice(0, x.volume.indexOf('/'));
    const volume = x.volume.slice(tenant.length + 1);
    const snapshot = `${tenant}/${x.name}`;
    built.model.at(x.at_ns, () => {
      try {
        const taken = placement.store.change(actor, 'create snapshots', `snapshots/${snapshot}`, (cp) =>
          cp.createSnapshot(tenant, x.name, volume),
        );
        built.volumes.get(x.volume)?.handle.snapshot();
        records.push({ at_ns: x.at_ns, snapshot, volume: x.volume, nodes: taken.nodes });
      } catch (e) {
        // The platform's coded refusal is the run's outcome for this entry, not a failure of the run.
        if (!(e instanceof AnvilError)) throw e;
        records.push({ at_ns: x.at_ns, snapshot, volume: x.volume, refused: `${e.code}: ${e.message}` });
      }
    });
  }
  return {
    records,
    summary() {
      const volumes: VolumeCopyOnWrite[] = [];
      for (const [key, v] of built.volumes) {
        const map = v.handle.volume.map;
        if (map.snapshotGeneration === 0) continue;
        volumes.push({
          volume: key,
          snapshots: map.snapshotGeneration,
          copies_on_write: map.copiesOnWrite,
          copied_bytes: map.copiesOnWrite * map.block_bytes,
        });
      }
      return { taken: records, volumes };
    },
  };
}

/** The summary's snapshot lines, as text. */
export function snapshotText(s: SnapshotSummary): string[] {
  const lines = s.taken.map((t) =>
    t.refused !== undefined
      ? `snapshot at ${formatDuration(t.at_ns)}: ${t.snapshot} of ${t.volume} refused by the platform (${t.refused})`
      : `snapshot at ${formatDuration(t.at_ns)}: ${t.snapshot} of ${t.volume} on ${(t.nodes ?? []).join(', ')}`,
  );
  for (const v of s.volumes)
    lines.push(
      `  volume ${v.volume}: ${v.copies_on_write} blocks copied on first write (${v.copied_bytes} bytes) after ${v.snapshots} snapshot(s)`,
    );
  return lines;
}
