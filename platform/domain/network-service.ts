/**
 * Networks and persistent endpoints, as operations of the control plane: L2 networks that share no
 * address, one of them the default, and endpoints (an IP, pinned or the lowest free, and a MAC) that a
 * pod asks for by name. Each takes the change's context; `ControlPlane` exposes each as a method.
 */
import { AnvilError } from '../errors.js';
import type { ChangeContext } from './change-context.js';
import { notFound } from './context.js';
import type { Endpoint } from './endpoint.js';
import { requireIpv4 } from './ip.js';
import { requireName } from './names.js';
import { checkNetwork, overlappingNetwork, type Network, type NetworkInput } from './network.js';
import { macFromCounter } from './scheduling-session.js';
import { keyOf } from './volume.js';

export function createNetwork(ctx: ChangeContext, input: NetworkInput): Network {
  ctx.can('network', 'edit');
  ctx.requireCluster();
  requireName(input.name, 'network');
  if (ctx.state.networks.has(input.name)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `network ${input.name} already exists`);
  const net = checkNetwork({ ...input, is_default: input.is_default ?? ctx.state.networks.size === 0 });
  const other = overlappingNetwork(net, ctx.state.networks.values());
  if (other)
    throw new AnvilError(
      'ANVIL_ERR_IP_RANGE_OVERLAP',
      `network ${net.name}'s subnet ${net.subnet} overlaps network ${other.name}'s ${other.subnet}; L2 networks may share no address`,
    );
  if (net.is_default)
    for (const [name, n] of ctx.state.networks) if (n.is_default) ctx.state.networks.set(name, { ...n, is_default: false });
  ctx.state.networks.set(net.name, net);
  ctx.event(
    'info',
    'NetworkCreated',
    `network/${net.name}`,
    `${net.subnet} range ${net.start}-${net.end}${net.vlan !== undefined ? ` vlan ${net.vlan}` : ''}`,
  );
  ctx.resetScheduling();
  ctx.scheduling().schedulePending();
  return net;
}

export function deleteNetwork(ctx: ChangeContext, name: string): void {
  ctx.can('network', 'edit');
  if (!ctx.state.networks.has(name)) throw notFound('network', name, `networks: ${[...ctx.state.networks.keys()].join(', ')}`);
  const pods = [...ctx.state.pods.values()].filter((p) => p.endpoints.some((e) => e.network === name));
  if (pods.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `network ${name} has endpoints of ${pods.length} pods${ctx.nameIfVisible('container', pods[0]!.namespace, ` (e.g. ${pods[0]!.namespace}/${pods[0]!.name})`, '')}; delete them first`,
    );
  const eps = [...ctx.state.endpoints.values()].filter((e) => e.network === name);
  if (eps.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_IN_USE',
      `network ${name} has ${eps.length} persistent endpoints${ctx.nameIfVisible('container', eps[0]!.namespace, ` (e.g. ${eps[0]!.namespace}/${eps[0]!.name})`, '')}; delete them first`,
    );
  ctx.state.networks.delete(name);
  ctx.event('info', 'NetworkDeleted', `network/${name}`, 'deleted');
}

/** A persistent endpoint: an IP (pinned, or the lowest free) and a MAC, ready for a pod to ask for by name. */
export function createEndpoint(ctx: ChangeContext, namespace: string, name: string, network: string, ip?: string): Endpoint {
  const key = ctx.requireNewObject({
    cls: 'network',
    kind: 'endpoint',
    namespace,
    name,
    existing: ctx.state.endpoints,
    needsCluster: false,
  });
  const net = ctx.state.networks.get(network);
  if (!net) throw notFound('network', network, `networks: ${[...ctx.state.networks.keys()].join(', ') || 'none'}`);
  const pool = ctx.scheduling().pool(network)!;
  let address = ip;
  if (address !== undefined) {
    requireIpv4(address, '--ip');
    if (!pool.has(address))
      throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--ip ${address} is outside network ${network}'s range ${net.start}-${net.end}`);
    if (pool.isTaken(address))
      throw new AnvilError('ANVIL_ERR_IN_USE', `--ip ${address} on network ${network} is already held by a pod or endpoint`);
    pool.take(address);
  } else {
    address = pool.allocate();
    if (address === undefined)
      throw new AnvilError('ANVIL_ERR_LIMIT_REACHED', `network ${network} has no free IP in its range ${net.start}-${net.end}`);
  }
  const endpoint: Endpoint = {
    kind: 'Endpoint',
    namespace,
    name,
    network,
    ip: address,
    mac: macFromCounter(ctx.state.counters.next_mac++),
    binding: { state: 'free' },
    created_at: ctx.now(),
  };
  ctx.state.endpoints.set(key, endpoint);
  ctx.event('info', 'EndpointCreated', `endpoint/${key}`, `${network} ${endpoint.ip} ${endpoint.mac}`);
  return endpoint;
}

export function deleteEndpoint(ctx: ChangeContext, namespace: string, name: string): void {
  ctx.can('network', 'edit', namespace);
  const key = keyOf(namespace, name);
  const ep = ctx.state.endpoints.get(key);
  if (!ep) throw notFound('endpoint', key, 'list them with: anvil get endpoints');
  if (ep.binding.state === 'bound')
    throw new AnvilError('ANVIL_ERR_IN_USE', `endpoint ${key} is bound to pod ${ep.binding.pod}; delete the pod first`);
  const askedBy = [...ctx.state.pods.values()].filter((p) => p.namespace === namespace && p.endpoints.some((e) => e.endpoint === name));
  if (askedBy.length > 0)
    throw new AnvilError('ANVIL_ERR_IN_USE', `endpoint ${key} is asked for by pod ${askedBy[0]!.name}; delete the pod first`);
  ctx.state.endpoints.delete(key);
}

/** The network pods get when they name none: the one marked default, else the first created. */
export function defaultNetwork(ctx: ChangeContext): Network | undefined {
  const nets = [...ctx.state.networks.values()];
  return nets.find((n) => n.is_default) ?? nets[0];
}
