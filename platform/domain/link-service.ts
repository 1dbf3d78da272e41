/**
 * Link faults as operations of the control plane: a node's NIC port goes down and comes back. The node
 * keeps the ports whose link is down (`links_down`), with a `LinkDown` / `LinkUp` event as a node failure
 * has. A downed storage link cuts the remote plexes whose path crosses it (links.ts): each falls out of sync
 * while another plex of its volume stays in sync, or goes offline when the cut took the volume's last
 * in-sync copies (its pods then wait, pending, as on a node failure). When the link returns, those offline
 * copies are current again and the out-of-sync plexes it can reach resync (plex-sync.ts). A pod port's link
 * carries no plex: only its state and events change.
 */
import { AnvilError } from '../errors.js';
import type { ChangeContext } from './change-context.js';
import { notFound } from './context.js';
import { plexCutOff, plexReachable, storagePortName } from './links.js';
import type { Node } from './node.js';
import { pendPodsWithoutCopy, type Moves } from './node-service.js';
import { plexesCut, putPlexes, resyncStalePlexes } from './plex-sync.js';
import type { DirtyFraction } from './resync.js';
import { withPlexState, type Plex, type Volume } from './volume.js';

/** The node and its port, refused with what exists when either does not. */
function requirePort(ctx: ChangeContext, name: string, port: string): Node {
  const node = ctx.state.nodes.get(name);
  if (!node) throw notFound('node', name, `nodes: ${[...ctx.state.nodes.keys()].slice(0, 10).join(', ')}`);
  const ports = node.inventory.nic_ports.map((p) => p.name);
  if (!ports.includes(port))
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `node ${name} has no NIC port ${port}; its ports: ${ports.join(', ') || 'none'}`);
  return node;
}

/** `node` with `links_down` as given (in the profile's port order; the field left out when none is down). */
function withLinksDown(node: Node, down: ReadonlySet<string>): Node {
  const { links_down: _was, ...rest } = node;
  const ports = node.inventory.nic_ports.map((p) => p.name).filter((p) => down.has(p));
  return ports.length > 0 ? { ...rest, links_down: ports } : rest;
}

/**
 * The link of NIC port `port` of node `name` goes down (a fault to inject). On the node's storage port, the
 * remote plexes whose path crosses it are cut off; returns the pods left pending (no reachable copy).
 */
export function linkDown(ctx: ChangeContext, name: string, port: string): Moves {
  ctx.can('node', 'edit');
  const node = requirePort(ctx, name, port);
  const down = new Set(node.links_down ?? []);
  if (down.has(port))
    throw new AnvilError('ANVIL_ERR_IN_USE', `the link of node ${name} port ${port} is already down; bring it back with link-up first`);
  down.add(port);
  ctx.state.nodes.set(name, withLinksDown(node, down));
  const storage = port === storagePortName(node.inventory);
  ctx.event(
    'error',
    'LinkDown',
    `node/${name}`,
    `NIC port ${port} link is down${storage ? '; remote plexes whose path crosses it are cut off' : ''}`,
  );
  const moves: Moves = { moved: [], pending: [] };
  if (!storage) return moves;
  for (const v of [...ctx.state.volumes.values()])
    plexesCut(
      ctx,
      v,
      v.plexes.filter((p) => plexCutOff(ctx.state, v, p)),
      `the storage link of ${name} (${port}) is down on its path`,
      `the storage link of ${name} (${port}) is up`,
    );
  pendPodsWithoutCopy(ctx, moves);
  return moves;
}

/**
 * The link of NIC port `port` of node `name` is back. On the storage port, the offline copies it cut are
 * current again and every out-of-sync plex now reachable resyncs; pending pods are retried. `dirtyFraction`
 * (a model's) says per volume what fraction of a plex was written while it was behind (0-1); without it, all.
 */
export function linkUp(ctx: ChangeContext, name: string, port: string, dirtyFraction?: DirtyFraction): Node {
  ctx.can('node', 'edit');
  const node = requirePort(ctx, name, port);
  const down = new Set(node.links_down ?? []);
  if (!down.has(port))
    throw new AnvilError('ANVIL_ERR_IN_USE', `the link of node ${name} port ${port} is not down; only a downed link comes back`);
  down.delete(port);
  const up = withLinksDown(node, down);
  ctx.state.nodes.set(name, up);
  ctx.event('info', 'LinkUp', `node/${name}`, `NIC port ${port} link is up`);
  if (port !== storagePortName(node.inventory)) return up;
  // The plexes whose path starts or ends at this node: those this link's return concerns.
  const crosses = (v: Volume, p: Plex) =>
    v.attachment.state === 'attached' && v.attachment.node !== p.node && (p.node === name || v.attachment.node === name);
  for (const v of [...ctx.state.volumes.values()]) {
    // An offline plex on a live node was cut off by a link (a node's own offline plexes wait for the node).
    const back = v.plexes.filter((p) => p.state === 'offline' && plexReachable(ctx.state, v, p));
    if (back.length === 0) continue;
    for (const p of back)
      ctx.event('info', 'PlexOnline', `volume/${v.namespace}/${v.name}`, `plex on ${p.node} is back with the volume's current data`);
    putPlexes(
      ctx,
      v,
      v.plexes.map((p) => (back.includes(p) ? withPlexState(p, 'in-sync') : p)),
    );
  }
  resyncStalePlexes(ctx, (v, p) => crosses(v, p), dirtyFraction);
  ctx.resetScheduling();
  ctx.scheduling().schedulePending();
  return up;
}
