/**
 * Nodes leaving and coming back, as operations of the control plane: drain, fail (a fault injected),
 * recover and remove. Pods move where they fit; a pod whose volume has no in-sync copy on a live node
 * waits, pending with that reason, until a copy comes back. `ControlPlane` exposes each as a method.
 */
import { AnvilError } from '../errors.js';
import { notFound } from './context.js';
import type { ControlPlane } from './control-plane.js';
import type { Node } from './node.js';
import { dropPlexesOfNode, plexesOnNodeDown, plexesOnNodeUp } from './plex-sync.js';
import { keyOf, unusableReason } from './volume.js';

/** Pods moved elsewhere and pods left pending by a node leaving (`namespace/name`). */
export interface Moves {
  moved: string[];
  pending: string[];
}

function requireNode(cp: ControlPlane, name: string): Node {
  const node = cp.ctx.state.nodes.get(name);
  if (!node) throw notFound('node', name, `nodes: ${[...cp.ctx.state.nodes.keys()].slice(0, 10).join(', ')}`);
  return node;
}

/** Takes every pod off `name` and places each elsewhere if it fits. */
function evict(cp: ControlPlane, name: string, why: string): Moves {
  cp.resetScheduling();
  const s = cp.scheduling();
  const state = cp.ctx.state;
  const evicted = [...state.pods.values()].filter((p) => p.status.state === 'running' && p.status.node === name);
  for (const pod of evicted) {
    s.unbind(pod);
    state.pods.set(keyOf(pod.namespace, pod.name), { ...pod, status: { state: 'pending', failure: { summary: `evicted from ${name} (${why})`, nodes: [] } } });
  }
  const moves: Moves = { moved: [], pending: [] };
  for (const pod of evicted) {
    const now = s.place(state.pods.get(keyOf(pod.namespace, pod.name))!);
    (now.status.state === 'running' ? moves.moved : moves.pending).push(`${pod.namespace}/${pod.name}`);
  }
  return moves;
}

/**
 * Stops the running pods (on any node) whose volume has no in-sync copy on a live node any more: each
 * goes back to pending with the reason, and is placed again when a copy comes back.
 */
function pendPodsWithoutCopy(cp: ControlPlane, moves: Moves): void {
  const state = cp.ctx.state;
  const s = cp.scheduling();
  for (const pod of [...state.pods.values()]) {
    if (pod.status.state !== 'running') continue;
    const unusable = pod.volumes.some((n) => {
      const v = state.volumes.get(keyOf(pod.namespace, n));
      return v !== undefined && unusableReason(v) !== undefined;
    });
    if (!unusable) continue;
    s.unbind(pod);
    // place() finds the same reason and keeps the pod pending with it, saying so in a FailedScheduling event.
    s.place({ ...pod, status: { state: 'pending', failure: { summary: `stopped on ${pod.status.node}`, nodes: [] } } });
    moves.pending.push(`${pod.namespace}/${pod.name}`);
  }
}

/** Cordons the node and moves its pods: each goes back to pending and is placed elsewhere if it fits. */
export function drainNode(cp: ControlPlane, name: string): Moves {
  cp.ctx.can('node', 'edit');
  const node = requireNode(cp, name);
  if (node.status.state === 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is down and its pods have moved already; bring it back with anvil node recover ${name}`);
  cp.ctx.state.nodes.set(name, { ...node, status: { state: 'drained' } });
  const r = evict(cp, name, 'drain');
  cp.ctx.event('info', 'NodeDrained', `node/${name}`, `${r.moved.length} pods moved, ${r.pending.length} pending`);
  return r;
}

/**
 * A node fails (a fault to inject, as the appliance would see it): it goes down, its plexes fall out of
 * sync (or go offline, for a volume's last current copy), its pods move to other nodes where they fit,
 * and pods whose volume is left with no in-sync copy on a live node wait, pending.
 */
export function failNode(cp: ControlPlane, name: string): Moves {
  const ctx = cp.ctx;
  ctx.can('node', 'edit');
  const node = requireNode(cp, name);
  if (node.status.state === 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is already down (since ${node.status.since})`);
  ctx.state.nodes.set(name, { ...node, status: { state: 'down', since: ctx.now() } });
  ctx.event('error', 'NodeDown', `node/${name}`, 'node is down');
  plexesOnNodeDown(cp, name);
  const moves = evict(cp, name, 'node down');
  pendPodsWithoutCopy(cp, moves);
  return moves;
}

/** A failed node is back: ready again, its plexes current again or resynced from an in-sync plex, pending pods retried. */
export function recoverNode(cp: ControlPlane, name: string): Node {
  const ctx = cp.ctx;
  ctx.can('node', 'edit');
  const node = requireNode(cp, name);
  if (node.status.state !== 'down') throw new AnvilError('ANVIL_ERR_IN_USE', `node ${name} is ${node.status.state}, not down; only a failed node recovers`);
  const ready: Node = { ...node, status: { state: 'ready' } };
  ctx.state.nodes.set(name, ready);
  ctx.event('info', 'NodeUp', `node/${name}`, 'node recovered');
  plexesOnNodeUp(cp, name);
  cp.resetScheduling();
  cp.scheduling().schedulePending();
  return ready;
}

/**
 * Removes a node. Refused while pods run there or current plexes (in sync or offline) live there; with
 * `force` its plexes are dropped with it (the volume runs degraded on its other mirrors, or is lost when
 * that was its last copy) and its pods are evicted.
 */
export function removeNode(cp: ControlPlane, name: string, force = false): void {
  const ctx = cp.ctx;
  ctx.can('node', 'edit');
  const node = requireNode(cp, name);
  const pods = [...ctx.state.pods.values()].filter((p) => p.status.state === 'running' && p.status.node === name);
  const volumes = [...ctx.state.volumes.values()].filter((v) => v.plexes.some((p) => p.node === name && p.state !== 'out-of-sync'));
  const snapshots = [...ctx.state.snapshots.values()].filter((s) => s.nodes.includes(name));
  if (!force && (pods.length > 0 || volumes.length > 0 || snapshots.length > 0)) {
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `node ${name} hosts ${pods.length} pods, ${volumes.length} volume plexes and ${snapshots.length} snapshots; drain it (anvil node drain ${name}) and move its data, or remove it with --force`,
    );
  }
  // The plexes go first, so that no evicted pod is placed against a copy that is leaving.
  if (node.status.state !== 'down') ctx.state.nodes.set(name, { ...node, status: { state: 'drained' } });
  dropPlexesOfNode(cp, name);
  const moves = evict(cp, name, 'node removed');
  pendPodsWithoutCopy(cp, moves);
  for (const s of snapshots) ctx.state.snapshots.set(keyOf(s.namespace, s.name), { ...s, nodes: s.nodes.filter((n) => n !== name) });
  ctx.state.nodes.delete(name);
  ctx.event('warning', 'NodeRemoved', `node/${name}`, force ? 'removed with --force' : 'removed');
  cp.resetScheduling();
}
