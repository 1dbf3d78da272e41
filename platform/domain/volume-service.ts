/**
 * Volumes and snapshots, as operations of the control plane: plexes placed on distinct nodes, deletes
 * refused while attached or with dependent snapshots unless forced, at most 16 snapshots a volume, and
 * restores as linked clones. Each takes the change's context; `ControlPlane` exposes each as a method.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../errors.js';
import { notFound } from './context.js';
import type { ChangeContext } from './change-context.js';
import { labels, ObjectName, requireName } from './names.js';
import { allocateExtent, extentsInUse, largestHole } from './drive-extents.js';
import { checkRange, VOLUME_SIZE_RANGE } from './limits.js';
import { storageCapacityBytes } from './node-profile.js';
import { DEFAULT_PERF_TIER } from './perf-tier.js';
import { placePlexes } from './placement.js';
import { plexToDrop, putPlexes } from './plex-sync.js';
import type { Pod } from './pod.js';
import { volumeCharge } from './quota.js';
import { keyOf, MAX_MIRRORS, MAX_SNAPSHOTS_PER_VOLUME, type Plex, type PlexPlacement, type Snapshot, type Volume } from './volume.js';

/**
 * What a volume is made of, as a JSON schema: the API's request body is this schema, and `VolumeInput`
 * its type, so the two cannot drift apart.
 */
export const VolumeFields = Type.Object(
  {
    name: ObjectName,
    size_bytes: Type.Integer({
      minimum: VOLUME_SIZE_RANGE.min,
      maximum: VOLUME_SIZE_RANGE.max,
      description: 'size, bytes (1 MiB to 1 PiB)',
    }),
    mirrors: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_MIRRORS })),
    perf_tier: Type.Optional(ObjectName),
    node_selector: Type.Optional(labels('node labels every plex needs, key: value (as --selector k=v)')),
    spread_zones: Type.Optional(Type.Boolean({ description: 'put each mirror in a different zone' })),
  },
  { additionalProperties: false },
);

/** A volume to create: its fields and the namespace it goes in. */
export type VolumeInput = Static<typeof VolumeFields> & { namespace: string };

export function createVolume(ctx: ChangeContext, input: VolumeInput): Volume {
  const key = ctx.requireNewObject({
    cls: 'volume',
    kind: 'volume',
    namespace: input.namespace,
    name: input.name,
    existing: ctx.state.volumes,
    needsCluster: true,
  });
  const mirrors = input.mirrors ?? 1;
  if (!Number.isInteger(mirrors) || mirrors < 1 || mirrors > MAX_MIRRORS)
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--mirrors ${mirrors} is not allowed; a volume has 1 to ${MAX_MIRRORS} mirrors`);
  checkRange(input.size_bytes, `volume ${key}: size_bytes (--size)`, VOLUME_SIZE_RANGE);
  const tier = input.perf_tier ?? DEFAULT_PERF_TIER;
  if (!ctx.state.perfTiers.has(tier)) throw notFound('perf tier', tier, `tiers: ${[...ctx.state.perfTiers.keys()].join(', ')}`);
  ctx.quota.charge(input.namespace, volumeCharge(input.size_bytes, mirrors), `volume ${key}`);
  const nodeSelector = input.node_selector ?? {};
  const placed = placePlexes(
    ctx.state,
    { volume: key, size_bytes: input.size_bytes, mirrors, node_selector: nodeSelector, spread_zones: input.spread_zones ?? false },
    `volume ${key}`,
  );
  const nodes = placed.map((p) => p.node);
  const volume: Volume = {
    kind: 'Volume',
    namespace: input.namespace,
    name: input.name,
    size_bytes: input.size_bytes,
    perf_tier: tier,
    mirrors,
    plexes: placed.map((p) => ({ ...p, state: 'in-sync' })),
    state: 'in-sync',
    node_selector: nodeSelector,
    attachment: { state: 'detached' },
    created_at: ctx.now(),
  };
  ctx.state.volumes.set(key, volume);
  ctx.event('info', 'VolumeCreated', `volume/${key}`, `${input.size_bytes} bytes, ${mirrors} plexes on ${nodes.join(', ')}`);
  return volume;
}

function requireVolume(ctx: ChangeContext, namespace: string, name: string): Volume {
  const v = ctx.state.volumes.get(keyOf(namespace, name));
  if (!v) throw notFound('volume', keyOf(namespace, name), 'list volumes with: anvil get volumes');
  return v;
}

/** Refused while attached or while snapshots depend on it, unless `force` (which detaches and deletes those snapshots). */
export function deleteVolume(ctx: ChangeContext, namespace: string, name: string, force = false): void {
  ctx.can('volume', 'edit', namespace);
  const v = requireVolume(ctx, namespace, name);
  const snaps = [...ctx.state.snapshots.values()].filter((s) => s.namespace === namespace && s.volume === name);
  if (!force && v.attachment.state === 'attached')
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `volume ${namespace}/${name} is attached to ${ctx.nameIfVisible('container', namespace, `pod ${v.attachment.pod} on ${v.attachment.node}`, 'a pod')}; delete the pod first, or use --force`,
    );
  if (!force && snaps.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `volume ${namespace}/${name} has ${snaps.length} snapshots (${snaps.map((s) => s.name).join(', ')}); delete them first, or use --force`,
    );
  for (const s of snaps) deleteSnapshot(ctx, namespace, s.name);
  if (v.attachment.state === 'attached') {
    const podKey = keyOf(namespace, v.attachment.pod);
    const pod = ctx.state.pods.get(podKey);
    if (pod) {
      ctx.scheduling().unbind(pod);
      // The pod keeps running without the volume, and is rebound so its resources stay accounted.
      const without: Pod = { ...pod, volumes: pod.volumes.filter((n) => n !== name) };
      ctx.state.volumes.delete(keyOf(namespace, name));
      ctx.resetScheduling();
      ctx.state.pods.set(podKey, {
        ...without,
        status: { state: 'pending', failure: { summary: `volume ${name} was deleted`, nodes: [] } },
      });
      ctx.scheduling().place(ctx.state.pods.get(podKey)!);
    }
  }
  ctx.state.volumes.delete(keyOf(namespace, name));
  ctx.quota.forget(namespace);
  ctx.event('info', 'VolumeDeleted', `volume/${namespace}/${name}`, force ? 'deleted with --force' : 'deleted');
}

export function createSnapshot(ctx: ChangeContext, namespace: string, name: string, volume: string): Snapshot {
  ctx.can('volume', 'edit', namespace);
  requireName(name, 'snapshot');
  const v = requireVolume(ctx, namespace, volume);
  const key = keyOf(namespace, name);
  if (ctx.state.snapshots.has(key)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `snapshot ${key} already exists`);
  const count = [...ctx.state.snapshots.values()].filter((s) => s.namespace === namespace && s.volume === volume).length;
  if (count >= MAX_SNAPSHOTS_PER_VOLUME)
    throw new AnvilError(
      'ANVIL_ERR_LIMIT_REACHED',
      `volume ${namespace}/${volume} already has ${count} snapshots, the most a volume may have; delete one first`,
    );
  const nodes = v.plexes.filter((p) => p.state === 'in-sync').map((p) => p.node);
  if (nodes.length === 0) throw noSource(v, 'take a snapshot of it');
  checkVolumeCount(ctx, nodes, `snapshot ${key}`);
  const snap: Snapshot = { kind: 'Snapshot', namespace, name, volume, size_bytes: v.size_bytes, nodes, created_at: ctx.now() };
  ctx.state.snapshots.set(key, snap);
  ctx.event('info', 'SnapshotCreated', `snapshot/${key}`, `of volume ${volume} on ${nodes.join(', ')}`);
  return snap;
}

function checkVolumeCount(ctx: ChangeContext, nodes: readonly string[], what: string): void {
  const use = ctx.state.placementUse();
  for (const node of nodes) {
    const n = ctx.state.nodes.get(node)!;
    // Plexes and snapshots on the node (a snapshot names each node once: its volume's in-sync plexes' nodes).
    const count = use.storageOf(node).volumes;
    if (count >= n.inventory.max_volumes)
      throw new AnvilError(
        'ANVIL_ERR_LIMIT_REACHED',
        `${what}: node ${node} already holds ${count} of ${n.inventory.max_volumes} volumes (mirrors, snapshots and clones count)`,
      );
  }
}

/** Restores a snapshot to a new volume: a linked clone on the snapshot's nodes that shares its blocks. */
export function restoreSnapshot(ctx: ChangeContext, namespace: string, snapshot: string, volume: string, perfTier?: string): Volume {
  ctx.can('volume', 'edit', namespace);
  requireName(volume, 'volume');
  const snap = ctx.state.snapshots.get(keyOf(namespace, snapshot));
  if (!snap) throw notFound('snapshot', keyOf(namespace, snapshot), 'list snapshots with: anvil get snapshots');
  const key = keyOf(namespace, volume);
  if (ctx.state.volumes.has(key)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `volume ${key} already exists; restore to a new name`);
  if (snap.nodes.length === 0) throw new AnvilError('ANVIL_ERR_NO_CAPACITY', `snapshot ${snapshot} has no copy left on any node`);
  // A clone's plexes are the snapshot's blocks: only those on live nodes can serve it.
  const nodes = snap.nodes.filter((n) => ctx.state.nodes.get(n)?.status.state !== 'down');
  if (nodes.length === 0)
    throw new AnvilError(
      'ANVIL_ERR_VOLUME_UNAVAILABLE',
      `snapshot ${snapshot}'s copies are on ${snap.nodes.join(', ')}, which ${snap.nodes.length === 1 ? 'is' : 'are'} down; restore it when one recovers`,
    );
  const tier = perfTier ?? ctx.state.volumes.get(keyOf(namespace, snap.volume))?.perf_tier ?? DEFAULT_PERF_TIER;
  if (!ctx.state.perfTiers.has(tier)) throw notFound('perf tier', tier, `tiers: ${[...ctx.state.perfTiers.keys()].join(', ')}`);
  checkVolumeCount(ctx, nodes, `volume ${key}`);
  ctx.quota.charge(namespace, volumeCharge(snap.size_bytes, nodes.length), `volume ${key}`);
  const clone: Volume = {
    kind: 'Volume',
    namespace,
    name: volume,
    size_bytes: snap.size_bytes,
    perf_tier: tier,
    mirrors: nodes.length,
    plexes: nodes.map((node) => ({ ...clonePlace(ctx, snap, node, key), state: 'in-sync' })),
    state: 'in-sync',
    node_selector: {},
    source_snapshot: keyOf(namespace, snapshot),
    attachment: { state: 'detached' },
    created_at: ctx.now(),
  };
  ctx.state.volumes.set(key, clone);
  ctx.event('info', 'SnapshotRestored', `volume/${key}`, `linked clone of snapshot ${snapshot}`);
  return clone;
}

/**
 * Where a linked clone's plex on `node` reads its blocks: those of the snapshot's volume's plex there
 * (a clone writes nothing of its own yet), or a zero-length extent when that plex is gone.
 */
function clonePlace(ctx: ChangeContext, snap: Snapshot, node: string, key: string): PlexPlacement {
  const source = ctx.state.volumes.get(keyOf(snap.namespace, snap.volume))?.plexes.find((p) => p.node === node);
  if (source !== undefined) return { node, drive: source.drive, offset_bytes: source.offset_bytes };
  return allocateExtent(extentsInUse(ctx.state), ctx.state.nodes.get(node)!, 0, key)!;
}

/**
 * The plexes of `v` with extents of `size_bytes`: each grows in place when the bytes after it are free,
 * else moves to another hole of its node (the volume is detached, so the appliance copies it offline), or
 * the grow is refused when its node has no hole that large. A linked clone's plexes stay where they are.
 */
function growExtents(ctx: ChangeContext, v: Volume, size_bytes: number): Plex[] {
  if (v.source_snapshot !== undefined) return [...v.plexes];
  const key = keyOf(v.namespace, v.name);
  const use = extentsInUse(ctx.state, key);
  return v.plexes.map((p) => {
    const node = ctx.state.nodes.get(p.node);
    if (node === undefined) return p;
    const others = use.get(p.node)?.[p.drive] ?? [];
    const end = p.offset_bytes + size_bytes;
    const inPlace =
      end <= node.inventory.drives[p.drive]!.capacity_bytes &&
      others.every((e) => e.offset_bytes >= end || e.offset_bytes + e.length_bytes <= p.offset_bytes);
    if (inPlace) {
      others.push({ offset_bytes: p.offset_bytes, length_bytes: size_bytes, volume: key });
      others.sort((a, b) => a.offset_bytes - b.offset_bytes);
      return p;
    }
    const moved = allocateExtent(use, node, size_bytes, key);
    if (moved === undefined) {
      const hole = largestHole(use, node);
      throw new AnvilError(
        'ANVIL_ERR_NO_CAPACITY',
        `volume ${key}: node ${p.node} has no drive with ${size_bytes} bytes in one piece for its plex (the largest hole is ${hole.bytes} bytes, on drive ${hole.drive}); free space there or create a new volume elsewhere`,
      );
    }
    return { ...p, drive: moved.drive, offset_bytes: moved.offset_bytes };
  });
}

export function deleteSnapshot(ctx: ChangeContext, namespace: string, name: string): void {
  ctx.can('volume', 'edit', namespace);
  const key = keyOf(namespace, name);
  if (!ctx.state.snapshots.has(key)) throw notFound('snapshot', key, 'list snapshots with: anvil get snapshots');
  const clones = [...ctx.state.volumes.values()].filter((v) => v.source_snapshot === key);
  if (clones.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `snapshot ${key} has linked clones sharing its blocks (${clones.map((c) => c.name).join(', ')}); delete them first`,
    );
  ctx.state.snapshots.delete(key);
}

/**
 * Changes the mirror count by one (see `changeMirrors`) or grows a volume (only while detached, and never
 * smaller).
 */
export function updateVolume(
  ctx: ChangeContext,
  namespace: string,
  name: string,
  change: { mirrors?: number; size_bytes?: number },
): Volume {
  ctx.can('volume', 'edit', namespace);
  const old = requireVolume(ctx, namespace, name);
  let v = old;
  const key = keyOf(namespace, name);
  if (change.size_bytes !== undefined && change.size_bytes !== v.size_bytes) {
    checkRange(change.size_bytes, `volume ${key}: size_bytes (--size)`, VOLUME_SIZE_RANGE);
    if (change.size_bytes < v.size_bytes)
      throw new AnvilError(
        'ANVIL_ERR_FIELD_INVALID',
        `--size ${change.size_bytes} bytes is smaller than volume ${key}'s ${v.size_bytes}; volumes only grow`,
      );
    if (v.attachment.state === 'attached')
      throw new AnvilError(
        'ANVIL_ERR_IN_USE',
        `volume ${key} is attached to ${ctx.nameIfVisible('container', namespace, `pod ${v.attachment.pod}`, 'a pod')}; a volume must be detached (its pod deleted) before it is resized`,
      );
    const grow = change.size_bytes - v.size_bytes;
    const use = ctx.state.placementUse();
    for (const p of v.plexes) {
      const node = ctx.state.nodes.get(p.node);
      if (!node) continue;
      const free = storageCapacityBytes(node.inventory) - use.storageOf(p.node).bytes;
      if (v.source_snapshot === undefined && free < grow)
        throw new AnvilError(
          'ANVIL_ERR_NO_CAPACITY',
          `volume ${key}: node ${p.node} has ${free} bytes free, growing its plex needs ${grow}`,
        );
    }
    v = { ...v, size_bytes: change.size_bytes, plexes: growExtents(ctx, v, change.size_bytes) };
    ctx.event('info', 'VolumeResized', `volume/${key}`, `now ${change.size_bytes} bytes`);
  }
  if (change.mirrors !== undefined) v = changeMirrors(ctx, v, change.mirrors);
  const grown = v.size_bytes * v.plexes.length - old.size_bytes * old.plexes.length;
  if (grown > 0) ctx.quota.charge(namespace, { capacity_bytes: grown }, `volume ${key}`);
  ctx.state.volumes.set(key, v);
  return v;
}

/** The refusal for a change that needs a current copy of `v` to copy from, and it has none on a live node. */
function noSource(v: Volume, what: string): AnvilError {
  const key = keyOf(v.namespace, v.name);
  const offline = v.plexes.filter((p) => p.state === 'offline').map((p) => p.node);
  const hint =
    offline.length > 0
      ? `its current copy is on ${offline.join(', ')}, which is down; recover it first (anvil node recover ${offline[0]})`
      : 'no current copy is left; restore a snapshot to a new volume instead';
  return new AnvilError(
    'ANVIL_ERR_VOLUME_UNAVAILABLE',
    `volume ${key} is ${v.state}: no in-sync plex on a live node to copy from, so Anvil cannot ${what}; ${hint}`,
  );
}

/**
 * Sets the number of plexes to `mirrors`, one step at a time as the appliance does: N may be one more than
 * the plexes the volume has (a new plex on a node holding none yet, copied from an in-sync plex), one
 * fewer (an out-of-sync plex goes first, never the one its pod reads locally), or equal (after a node was
 * removed with its plex: the volume settles at the plexes it has).
 */
function changeMirrors(ctx: ChangeContext, v: Volume, mirrors: number): Volume {
  const key = keyOf(v.namespace, v.name);
  const have = v.plexes.length;
  if (mirrors === have && mirrors === v.mirrors) return v;
  const allowed = [have - 1, have, have + 1].filter((n) => n >= 1 && n <= MAX_MIRRORS);
  if (!Number.isInteger(mirrors) || !allowed.includes(mirrors)) {
    const lost =
      have < v.mirrors
        ? ` of ${v.mirrors} mirrors (${v.mirrors - have} lost with ${v.mirrors - have === 1 ? 'its node' : 'their nodes'})`
        : '';
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `--mirrors ${mirrors}: mirrors are added or dropped one at a time, so volume ${key} (${have} plexes${lost}) can go to ${allowed.filter((n) => n !== have || have !== v.mirrors).join(' or ')}; a volume has 1 to ${MAX_MIRRORS} mirrors`,
    );
  }
  const object = `volume/${key}`;
  if (mirrors === have + 1) {
    if (v.source_snapshot !== undefined)
      throw new AnvilError(
        'ANVIL_ERR_IN_USE',
        `volume ${key} is a linked clone of ${v.source_snapshot}; its plexes stay with the snapshot's blocks`,
      );
    const source = v.plexes.find((p) => p.state === 'in-sync');
    if (source === undefined) throw noSource(v, 'add a plex');
    const [placed] = placePlexes(
      ctx.state,
      {
        volume: key,
        size_bytes: v.size_bytes,
        mirrors: 1,
        node_selector: v.node_selector,
        spread_zones: false,
        exclude: v.plexes.map((p) => p.node),
      },
      `volume ${key}`,
    );
    const node = placed!.node;
    const plexes = [...v.plexes, { ...placed!, state: 'in-sync' as const }];
    ctx.event(
      'info',
      'PlexAdded',
      object,
      `new plex on ${node}, copied from the plex on ${source.node}; ${plexes.filter((p) => p.state === 'in-sync').length} of ${mirrors} mirrors in sync`,
    );
    return putPlexes(ctx, v, plexes, mirrors);
  }
  if (mirrors === have - 1) {
    const drop = plexToDrop(v);
    const plexes = v.plexes.filter((p) => p !== drop);
    ctx.event('info', 'PlexRemoved', object, `plex on ${drop.node} (${drop.state}) removed; ${mirrors} mirrors`);
    return putPlexes(ctx, v, plexes, mirrors);
  }
  ctx.event('info', 'MirrorsChanged', object, `${mirrors} mirrors, the plexes it has`);
  return putPlexes(ctx, v, v.plexes, mirrors);
}
