/**
 * The summary's per-drive rows, on both stacks, for the drives that hold a plex (hci) or a copy (diy):
 * the host I/Os a second the drive completed and how busy it was (the fraction of the run it had at least
 * one I/O in service: iostat's %util, from the device model's busy time), both over the whole run,
 * warm-up included; on hci also what its storage QoS sent it (4K-equivalent cost units a second, in all
 * and per client). The diy block store has no storage QoS: its drives serve every copy first come, first served.
 */
import { formatRate } from '../../sim/core/units.js';
import type { AssembledCluster } from './assemble.js';
import { shareOfRun } from './share-of-run.js';

/** One drive with plexes or copies, as the summary gives it. */
export interface DriveUsage {
  /** Model device name, `NODE/nvmeN`. */
  readonly drive: string;
  /** The node it sits in. */
  readonly node: string;
  /** Host I/Os a second the drive completed over the run (every client, resync and replica copies too). */
  readonly ios_per_s: number;
  /** hci: 4K-equivalent units a second its QoS dispatched over the run, every client (absent on diy: no QoS). */
  readonly units_per_s?: number;
  /** hci: the same per client (volume, or resync). */
  readonly clients?: Readonly<Record<string, number>>;
  /** Fraction of the run (0..1, 4 decimals) the drive had at least one I/O in service; absent for a device model that does not count it. */
  readonly busy_fraction?: number;
}

/** The model devices that hold a plex or copy of a built volume. */
function drivesWithPlexes(built: AssembledCluster): Set<string> {
  const held = new Set<string>(built.qos.keys());
  for (const v of built.volumes.values())
    v.plexNodes.forEach((node, i) => {
      const name = built.drives.get(node)?.[v.plexDrives[i]!];
      if (name !== undefined) held.add(name);
    });
  return held;
}

/** The rows of the drives that hold plexes or copies, in node and drive order, at the end of a run at `now_ns`. */
export function driveUsage(built: AssembledCluster, now_ns: number): DriveUsage[] {
  const seconds = now_ns / 1e9;
  const held = drivesWithPlexes(built);
  const rows: DriveUsage[] = [];
  for (const [node, names] of built.drives)
    for (const drive of names) {
      if (!held.has(drive)) continue;
      const device = built.model.device(drive).instance;
      const busy = device.busyTime_ns && now_ns > 0 ? shareOfRun(device.busyTime_ns(now_ns), now_ns) : undefined;
      const qos = built.qos.get(drive);
      const perClient = qos?.clientNames.map((name, i) => [name, Math.round(qos.scheduler.unitsDispatched[i]! / seconds)] as const);
      rows.push({
        drive,
        node,
        ios_per_s: seconds > 0 ? Math.round((device.completedIos ?? 0) / seconds) : 0,
        ...(perClient ? { units_per_s: perClient.reduce((sum, [, u]) => sum + u, 0), clients: Object.fromEntries(perClient) } : {}),
        ...(busy !== undefined ? { busy_fraction: busy } : {}),
      });
    }
  return rows;
}

/** A drive's line in the text summary; `onHost`: a host run's loop device (its caps are cgroup throttles, no QoS). */
export function driveLine(d: DriveUsage, onHost = false): string {
  const busy = d.busy_fraction !== undefined ? `, busy ${(d.busy_fraction * 100).toFixed(1)}% of the run` : '';
  if (onHost)
    return `drive ${d.drive}: ${formatRate(d.ios_per_s)} I/Os a second (a loop device; caps are its pods' cgroup throttles)${busy}`;
  if (d.units_per_s === undefined || d.clients === undefined)
    return `drive ${d.drive}: ${formatRate(d.ios_per_s)} I/Os a second, no storage QoS (diy: every copy first come, first served)${busy}`;
  const clients = Object.entries(d.clients)
    .map(([c, u]) => `${c} ${formatRate(u)}`)
    .join(', ');
  return `drive ${d.drive}: ${formatRate(d.units_per_s)} 4K-equivalent I/Os a second from its QoS (${clients})${busy}`;
}
