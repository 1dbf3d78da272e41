/**
 * Resyncs that take time: a plex copied from an in-sync plex is `resyncing` for bytes / rate, on the
 * control plane's clock (wall, or the model's simulated one), and in sync only once that time has passed
 * (`advanceResyncs`, run by the server's loop and by the model). The rate is the node's resync bandwidth:
 * its storage ports' line rate times the cluster's resync share (the rest stays for foreground I/O), split
 * equally between the plexes that start resyncing onto that node at once. (`advanceResyncs` is in
 * plex-sync.ts, with the other changes of plex state.)
 */
import type { ChangeContext } from './change-context.js';
import type { ClusterState } from './cluster-state.js';
import { keyOf, plexBytes, withPlexState, type Plex, type Volume } from './volume.js';

/**
 * Share of a node's storage-port bandwidth a resync may take when the cluster sets none: a quarter, so
 * foreground I/O keeps three quarters of the storage ports while a plex catches up (judgement: the
 * appliance's documents give no figure; Ceph's default recovery throttles are of the same order).
 */
export const DEFAULT_RESYNC_SHARE = 0.25;

/** Per volume (`namespace/name`), the fraction 0-1 of its plex written while the plex was behind: what a resync copies. */
export type DirtyFraction = (volume: string) => number;

/** Milliseconds per second (timestamps are whole milliseconds). */
const MS_PER_S = 1000;

/** Resync bandwidth onto `node`, bytes per second: its storage ports' line rate times the resync share. */
export function resyncRateBytesPerS(state: ClusterState, node: string): number {
  const inv = state.nodes.get(node)!.inventory;
  const storageBits = inv.nic_ports.filter((p) => p.role === 'storage').reduce((sum, p) => sum + p.speed_bits_per_s, 0);
  // A node without storage ports copies over its pod ports.
  const bits = storageBits > 0 ? storageBits : inv.nic_ports.reduce((sum, p) => sum + p.speed_bits_per_s, 0);
  return (bits / 8) * (state.cluster?.resync_share ?? DEFAULT_RESYNC_SHARE);
}

/**
 * Bytes a resync of `v`'s plex copies: the plex's size times the fraction of it written while the plex was
 * behind (`dirtyFraction`, 0 to 1; the control plane does not track writes, so 1 until the model says).
 */
export function resyncBytes(v: Volume, dirtyFraction = 1): number {
  return Math.ceil(plexBytes(v) * Math.min(1, Math.max(0, dirtyFraction)));
}

/**
 * The plex `p` of `v` starts resyncing from `source` at `rate_bytes_per_s`; it finishes at the start plus
 * bytes / rate, rounded up to the millisecond. A plex with nothing to copy is in sync at once.
 */
export function startResync(ctx: ChangeContext, v: Volume, p: Plex, source: Plex, rate_bytes_per_s: number, dirtyFraction = 1): Plex {
  const bytes = resyncBytes(v, dirtyFraction);
  if (bytes === 0) {
    ctx.event(
      'info',
      'PlexResynced',
      `volume/${keyOf(v.namespace, v.name)}`,
      `plex on ${p.node} is in sync: nothing was written to the volume while it was behind`,
    );
    return withPlexState(p, 'in-sync');
  }
  const startMs = Date.parse(ctx.now());
  const finishMs = startMs + Math.ceil((bytes / rate_bytes_per_s) * MS_PER_S);
  const resync = {
    source: source.node,
    bytes,
    rate_bytes_per_s,
    started_at: new Date(startMs).toISOString(),
    finishes_at: new Date(finishMs).toISOString(),
  };
  ctx.event(
    'info',
    'PlexResyncStarted',
    `volume/${keyOf(v.namespace, v.name)}`,
    `plex on ${p.node} resyncing from the plex on ${source.node}: ${bytes} bytes at ${Math.round(rate_bytes_per_s)} bytes/s, done at ${resync.finishes_at}`,
  );
  return { node: p.node, drive: p.drive, offset_bytes: p.offset_bytes, state: 'resyncing', resync };
}

/** The earliest time a resync finishes, ms since the epoch, or undefined when none runs (for a loop's next wake-up). */
export function nextResyncDoneMs(state: ClusterState): number | undefined {
  let next: number | undefined;
  for (const v of state.volumes.values()) {
    for (const p of v.plexes) {
      if (p.state !== 'resyncing') continue;
      const at = Date.parse(p.resync.finishes_at);
      if (next === undefined || at < next) next = at;
    }
  }
  return next;
}
