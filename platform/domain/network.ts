/**
 * L2 networks: a subnet, the range pods take addresses from, a gateway and a VLAN; no overlay. Networks
 * may not overlap one another, so an IP names one pod interface in the whole cluster.
 */
import { AnvilError } from '../errors.js';
import { formatCidr, formatIpv4, inSubnet, parseCidr, rangesOverlap, requireIpv4, subnetEnd } from './ip.js';

export interface Network {
  readonly kind: 'Network';
  readonly name: string;
  readonly subnet: string;
  readonly start: string;
  readonly end: string;
  readonly gateway: string;
  readonly vlan?: number;
  /** When set, only nodes of this zone reach the network. */
  readonly zone?: string;
  /** Pods that name no network get an endpoint here. */
  readonly is_default: boolean;
}

export interface NetworkInput {
  name: string;
  subnet: string;
  start: string;
  end: string;
  gateway: string;
  vlan?: number;
  zone?: string;
  is_default?: boolean;
}

/** Validates a network on its own (addresses inside the subnet, start <= end, gateway outside the range). */
export function checkNetwork(input: NetworkInput): Network {
  const subnet = parseCidr(input.subnet);
  if (!subnet)
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `--subnet "${input.subnet}" is not a CIDR subnet with no host bits set; write it like 192.168.30.0/24`,
    );
  const start = requireIpv4(input.start, '--start');
  const end = requireIpv4(input.end, '--end');
  const gateway = requireIpv4(input.gateway, '--gateway');
  for (const [field, ip] of [
    ['--start', start],
    ['--end', end],
    ['--gateway', gateway],
  ] as const) {
    if (!inSubnet(ip, subnet))
      throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} ${formatIpv4(ip)} is outside the subnet ${formatCidr(subnet)}`);
  }
  if (start > end) throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--start ${input.start} is after --end ${input.end}`);
  if (subnet.prefix < 31 && (start === subnet.base || end === subnetEnd(subnet))) {
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `the range ${input.start}-${input.end} includes the network or broadcast address of ${formatCidr(subnet)}`,
    );
  }
  if (gateway >= start && gateway <= end)
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `--gateway ${input.gateway} lies inside the range ${input.start}-${input.end}; pods would be given it`,
    );
  if (input.vlan !== undefined && (!Number.isInteger(input.vlan) || input.vlan < 1 || input.vlan > 4094)) {
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `--vlan ${input.vlan} is not a VLAN id; use 1 to 4094`);
  }
  return {
    kind: 'Network',
    name: input.name,
    subnet: formatCidr(subnet),
    start: formatIpv4(start),
    end: formatIpv4(end),
    gateway: formatIpv4(gateway),
    ...(input.vlan !== undefined ? { vlan: input.vlan } : {}),
    ...(input.zone !== undefined ? { zone: input.zone } : {}),
    is_default: input.is_default ?? false,
  };
}

/** The first existing network whose subnet overlaps `net`'s (L2 networks share no addresses), if any. */
export function overlappingNetwork(net: Network, others: Iterable<Network>): Network | undefined {
  const a = parseCidr(net.subnet)!;
  for (const other of others) {
    if (other.name === net.name) continue;
    const b = parseCidr(other.subnet)!;
    if (rangesOverlap(a.base, subnetEnd(a), b.base, subnetEnd(b))) return other;
  }
  return undefined;
}
