/**
 * Plexes as their nodes fail, recover and are removed. A plex is resynced only from an in-sync plex on
 * a live node, and the copy takes time (`resync.ts`): it is `resyncing` meanwhile, the volume degraded;
 * the last current copy of a volume whose node fails goes offline (not out of sync: nothing can write the
 * volume meanwhile) and is in sync again when the node recovers; a removed node's plexes go with it. The
 * volume's state follows its plexes, and every change of state is an event.
 */
import type { ChangeContext } from './change-context.js';
import type { Severity } from './event.js';
import { plexReachable } from './links.js';
import { resyncRateBytesPerS, startResync, type DirtyFraction } from './resync.js';
import { keyOf, volumeStateOf, withPlexState, type Plex, type Volume, type VolumeState } from './volume.js';

const STATE_EVENTS: Record<VolumeState, { severity: Severity; reason: string }> = {
  'in-sync': { severity: 'info', reason: 'VolumeInSync' },
  degraded: { severity: 'warning', reason: 'VolumeDegraded' },
  unavailable: { severity: 'error', reason: 'VolumeUnavailable' },
  lost: { severity: 'error', reason: 'VolumeLost' },
};

function inSyncCount(plexes: readonly Plex[]): number {
  return plexes.filter((p) => p.state === 'in-sync').length;
}

/** What an event says of a volume's state. */
function stateMessage(v: Volume): string {
  const inSync = inSyncCount(v.plexes);
  switch (v.state) {
    case 'in-sync':
      return `all ${v.mirrors} mirrors in sync`;
    case 'degraded': {
      const resyncing = v.plexes.filter((p) => p.state === 'resyncing').map((p) => p.node);
      return `${inSync} of ${v.mirrors} mirrors in sync; it runs on ${v.plexes
        .filter((p) => p.state === 'in-sync')
        .map((p) => p.node)
        .join(', ')}${resyncing.length > 0 ? `; resyncing on ${resyncing.join(', ')}` : ''}`;
    }
    case 'unavailable':
      return `no in-sync copy on a live node: its current copy is on ${v.plexes
        .filter((p) => p.state === 'offline')
        .map((p) => p.node)
        .join(', ')}, which is down; pods using it wait until it recovers`;
    case 'lost':
      return `no current copy of the volume is left on any node (${v.plexes.length} stale plexes of ${v.mirrors}); delete it, or restore a snapshot to a new volume`;
  }
}

/**
 * Stores `v` with these plexes (and mirror count), its state worked out again; a change of state is an
 * event. Returns the volume as stored.
 */
export function putPlexes(ctx: ChangeContext, v: Volume, given: readonly Plex[], mirrors = v.mirrors): Volume {
  const plexes = withLiveSources(ctx, v, given);
  const next: Volume = { ...v, mirrors, plexes, state: volumeStateOf({ mirrors, plexes }) };
  ctx.state.volumes.set(keyOf(v.namespace, v.name), next);
  if (next.state !== v.state) {
    const e = STATE_EVENTS[next.state];
    ctx.event(e.severity, e.reason, `volume/${v.namespace}/${v.name}`, stateMessage(next));
  }
  return next;
}

/**
 * A resyncing plex copies from an in-sync plex: when its source is no longer one (its node failed or was
 * removed), the copy starts again from another in-sync plex, or stops (out of sync) when there is none.
 */
function withLiveSources(ctx: ChangeContext, v: Volume, plexes: readonly Plex[]): readonly Plex[] {
  const sources = plexes.filter((p) => p.state === 'in-sync');
  if (!plexes.some((p) => p.state === 'resyncing' && !sources.some((s) => s.node === p.resync.source))) return plexes;
  const object = `volume/${v.namespace}/${v.name}`;
  return plexes.map((p) => {
    if (p.state !== 'resyncing' || sources.some((s) => s.node === p.resync.source)) return p;
    const other = sources[0];
    if (other === undefined) {
      ctx.event(
        'warning',
        'PlexResyncStopped',
        object,
        `plex on ${p.node} stays out of sync: its source on ${p.resync.source} is gone and no other plex is in sync`,
      );
      return withPlexState(p, 'out-of-sync');
    }
    return startResync(ctx, { ...v, plexes }, p, other, p.resync.rate_bytes_per_s);
  });
}

function volumesOn(ctx: ChangeContext, node: string): Volume[] {
  return [...ctx.state.volumes.values()].filter((v) => v.plexes.some((p) => p.node === node));
}

/**
 * Node `node` went down: each in-sync plex there falls out of sync when another in-sync plex takes the
 * writes, else it goes offline as the volume's last current copy (the volume is unavailable).
 */
export function plexesOnNodeDown(ctx: ChangeContext, node: string): void {
  for (const v of volumesOn(ctx, node))
    plexesCut(
      ctx,
      v,
      v.plexes.filter((p) => p.node === node),
      'its node is down',
      `${node} recovers`,
    );
}

/**
 * The plexes `cut` of `v` can take no writes (a node or link fault; `cause` says which, `until` what
 * brings them back): a resyncing one stops, out of sync; an in-sync one falls out of sync while another
 * in-sync plex of `v` takes the writes, else goes offline as a current copy. Others are left as they are.
 */
export function plexesCut(ctx: ChangeContext, v: Volume, cut: readonly Plex[], cause: string, until: string): void {
  const hit = cut.filter((p) => p.state === 'in-sync' || p.state === 'resyncing');
  if (hit.length === 0) return;
  const left = v.plexes.filter((p) => p.state === 'in-sync' && !hit.includes(p)).length;
  const object = `volume/${v.namespace}/${v.name}`;
  const next = (p: Plex): Plex => {
    if (!hit.includes(p)) return p;
    if (p.state === 'resyncing') {
      ctx.event('warning', 'PlexResyncStopped', object, `plex on ${p.node} stopped resyncing: ${cause}; it stays out of sync`);
      return withPlexState(p, 'out-of-sync');
    }
    if (left > 0) {
      ctx.event('error', 'PlexOutOfSync', object, `plex on ${p.node} is out of sync: ${cause}; ${left} of ${v.mirrors} mirrors in sync`);
      return withPlexState(p, 'out-of-sync');
    }
    ctx.event('error', 'PlexOffline', object, `plex on ${p.node}, a current copy, is offline until ${until}`);
    return withPlexState(p, 'offline');
  };
  putPlexes(ctx, v, v.plexes.map(next));
}

/**
 * Node `node` is back: its offline plexes are current again, and every out-of-sync plex on a live node
 * starts resyncing from an in-sync plex of its volume, when the volume has one (otherwise it stays out of
 * sync); the resyncs onto one node share its resync bandwidth equally.
 */
export function plexesOnNodeUp(ctx: ChangeContext, node: string, dirtyFraction?: DirtyFraction): void {
  for (const v of volumesOn(ctx, node)) {
    if (!v.plexes.some((p) => p.node === node && p.state === 'offline')) continue;
    ctx.event('info', 'PlexOnline', `volume/${v.namespace}/${v.name}`, `plex on ${node} is back with the volume's current data`);
    putPlexes(
      ctx,
      v,
      v.plexes.map((p) => (p.node === node && p.state === 'offline' ? withPlexState(p, 'in-sync') : p)),
    );
  }
  resyncStalePlexes(ctx, (_v, p) => p.node === node, dirtyFraction);
}

/**
 * Every out-of-sync plex its volume can reach (its node live, no downed storage link on its path: links.ts)
 * starts resyncing from an in-sync plex of its volume, when the volume has one (otherwise it stays out of
 * sync, with an event for each plex `concerned` picks: those the change brought back); the resyncs onto
 * one node share its resync bandwidth equally.
 */
export function resyncStalePlexes(ctx: ChangeContext, concerned: (v: Volume, p: Plex) => boolean, dirtyFraction?: DirtyFraction): void {
  const stalePlexes = (v: Volume) => v.plexes.filter((p) => p.state === 'out-of-sync' && plexReachable(ctx.state, v, p));
  const starting = new Map<string, number>();
  for (const v of ctx.state.volumes.values())
    if (v.plexes.some((p) => p.state === 'in-sync')) for (const p of stalePlexes(v)) starting.set(p.node, (starting.get(p.node) ?? 0) + 1);
  for (const v of [...ctx.state.volumes.values()]) {
    const stale = stalePlexes(v);
    if (stale.length === 0) continue;
    const source = v.plexes.find((p) => p.state === 'in-sync');
    const object = `volume/${v.namespace}/${v.name}`;
    if (source === undefined) {
      for (const p of stale.filter((x) => concerned(v, x)))
        ctx.event('warning', 'PlexNotResynced', object, `plex on ${p.node} stays out of sync: the volume has no in-sync plex to copy from`);
      continue;
    }
    const plexes = v.plexes.map((p) =>
      stale.includes(p)
        ? startResync(
            ctx,
            v,
            p,
            source,
            resyncRateBytesPerS(ctx.state, p.node) / starting.get(p.node)!,
            dirtyFraction?.(keyOf(v.namespace, v.name)),
          )
        : p,
    );
    putPlexes(ctx, v, plexes);
  }
}

/** Node `node` is removed: its plexes go with it (the volume keeps its mirror count, to be brought back elsewhere). */
export function dropPlexesOfNode(ctx: ChangeContext, node: string): void {
  for (const v of volumesOn(ctx, node)) {
    const plexes = v.plexes.filter((p) => p.node !== node);
    const hint = plexes.some((p) => p.state === 'in-sync' || p.state === 'offline')
      ? ` (add one back with: anvil volume update ${v.name} -n ${v.namespace} --mirrors ${plexes.length + 1})`
      : '';
    ctx.event(
      'warning',
      'PlexDropped',
      `volume/${v.namespace}/${v.name}`,
      `plex on ${node} was removed with its node; ${plexes.length} of ${v.mirrors} plexes left${hint}`,
    );
    putPlexes(ctx, v, plexes);
  }
}

/** Drive `drive` of node `node` failed: the plexes on it go (their data with the drive), the volumes keep their mirror count. */
export function dropPlexesOfDrive(ctx: ChangeContext, node: string, drive: number): void {
  for (const v of volumesOn(ctx, node)) {
    const gone = v.plexes.filter((p) => p.node === node && p.drive === drive);
    if (gone.length === 0) continue;
    const plexes = v.plexes.filter((p) => !gone.includes(p));
    ctx.event(
      'error',
      'PlexLost',
      `volume/${v.namespace}/${v.name}`,
      `plex on ${node} drive ${drive} is lost with its drive; ${plexes.filter((p) => p.state === 'in-sync').length} of ${v.mirrors} mirrors in sync`,
    );
    putPlexes(ctx, v, plexes);
  }
}

/**
 * The plex to drop when a volume loses a mirror: an out-of-sync one first, then a resyncing one, never
 * the one its pod reads locally, else the last listed (the newest).
 */
export function plexToDrop(v: Volume): Plex {
  const rank = (p: Plex): number => {
    if (p.state === 'out-of-sync') return 0;
    if (p.state === 'resyncing') return 1;
    if (v.attachment.state === 'attached' && v.attachment.via === 'local' && v.attachment.node === p.node) return 4;
    return p.state === 'in-sync' ? 2 : 3;
  };
  let pick = v.plexes[0]!;
  for (const p of v.plexes) if (rank(p) <= rank(pick)) pick = p;
  return pick;
}

/**
 * Every resyncing plex whose copy time has passed on the control plane's clock is in sync now (a
 * `PlexResynced` event each); returns how many. Idempotent: run it as often as wished.
 */
export function advanceResyncs(ctx: ChangeContext): number {
  const nowMs = Date.parse(ctx.now());
  let done = 0;
  for (const v of [...ctx.state.volumes.values()]) done += finishResyncs(ctx, v, (p) => Date.parse(p.resync.finishes_at) <= nowMs);
  return done;
}

/**
 * The resyncing plex of volume `volume` (`namespace/name`) on `node` is in sync now, whatever its
 * estimated finish (a model that copies the blocks itself says when the copy is done); true if it was
 * resyncing, false (nothing changes) otherwise, e.g. already in sync because nothing was there to copy.
 */
export function completeResync(ctx: ChangeContext, volume: string, node: string): boolean {
  const v = ctx.state.volumes.get(volume);
  return v !== undefined && finishResyncs(ctx, v, (p) => p.node === node) > 0;
}

type ResyncingPlex = Extract<Plex, { state: 'resyncing' }>;

/** The resyncing plexes of `v` that `done` picks are in sync (a `PlexResynced` event each); returns how many. */
function finishResyncs(ctx: ChangeContext, v: Volume, done: (p: ResyncingPlex) => boolean): number {
  const finished = v.plexes.filter((p): p is ResyncingPlex => p.state === 'resyncing' && done(p));
  if (finished.length === 0) return 0;
  const plexes = v.plexes.map((p) => (finished.some((f) => f === p) ? withPlexState(p, 'in-sync') : p));
  const inSync = plexes.filter((p) => p.state === 'in-sync').length;
  for (const p of finished) {
    ctx.event(
      'info',
      'PlexResynced',
      `volume/${keyOf(v.namespace, v.name)}`,
      `plex on ${p.node} resynced from the plex on ${p.resync.source} (${p.resync.bytes} bytes); ${inSync} of ${v.mirrors} mirrors in sync`,
    );
  }
  putPlexes(ctx, v, plexes);
  return finished.length;
}
