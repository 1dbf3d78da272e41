/**
 * The summary's per-drive rows: what each drive's storage QoS sent it (4K-equivalent cost units a second,
 * in all and per client) and how busy the drive was: the fraction of the run it had at least one I/O in
 * service (iostat's %util, from the device model's busy time), both over the whole run, warm-up included.
 */
import { formatRate } from '../../sim/core/units.js';
import type { AssembledCluster } from './assemble.js';

/** One drive with plexes, as the summary gives it. */
export interface DriveUsage {
  readonly drive: string;
  /** 4K-equivalent units a second its QoS dispatched over the run, every client. */
  readonly units_per_s: number;
  /** The same per client (volume, or resync). */
  readonly clients: Readonly<Record<string, number>>;
  /** Fraction of the run (0..1, 4 decimals) the drive had at least one I/O in service; absent for a device model that does not count it. */
  readonly busy_fraction?: number;
}

/** The rows of the drives that hold plexes, at the end of a run at `now_ns`. */
export function driveUsage(built: AssembledCluster, now_ns: number): DriveUsage[] {
  const seconds = now_ns / 1e9;
  return [...built.qos].map(([drive, qos]) => {
    const perClient = qos.clientNames.map((name, i) => [name, Math.round(qos.scheduler.unitsDispatched[i]! / seconds)] as const);
    const device = built.model.device(drive).instance;
    const busy = device.busyTime_ns && now_ns > 0 ? Math.round((device.busyTime_ns(now_ns) / now_ns) * 1e4) / 1e4 : undefined;
    return {
      drive,
      units_per_s: perClient.reduce((sum, [, u]) => sum + u, 0),
      clients: Object.fromEntries(perClient),
      ...(busy !== undefined ? { busy_fraction: busy } : {}),
    };
  });
}

/** A drive's line in the text summary. */
export function driveLine(d: DriveUsage): string {
  const clients = Object.entries(d.clients)
    .map(([c, u]) => `${c} ${formatRate(u)}`)
    .join(', ');
  const busy = d.busy_fraction !== undefined ? `, busy ${(d.busy_fraction * 100).toFixed(1)}% of the run` : '';
  return `drive ${d.drive}: ${formatRate(d.units_per_s)} 4K-equivalent I/Os a second from its QoS (${clients})${busy}`;
}
