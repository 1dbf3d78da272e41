/** IPv4 addresses as unsigned 32-bit integers, CIDR subnets, and the checks networks need. */
import { AnvilError } from '../errors.js';

/** Parses dotted-quad IPv4 text to an unsigned 32-bit integer, or undefined. */
export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export function formatIpv4(ip: number): string {
  return [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].join('.');
}

/** A subnet: its first address and prefix length. */
export interface Subnet {
  readonly base: number;
  readonly prefix: number;
}

/** Parses "10.0.0.0/24"; rejects host bits set ("10.0.0.1/24") since that is usually a typo. */
export function parseCidr(text: string): Subnet | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text.trim());
  if (!m) return undefined;
  const base = parseIpv4(m[1]!);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 32) return undefined;
  if ((base & ~maskOf(prefix)) >>> 0 !== 0) return undefined;
  return { base, prefix };
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function inSubnet(ip: number, subnet: Subnet): boolean {
  return (ip & maskOf(subnet.prefix)) >>> 0 === subnet.base;
}

export function formatCidr(subnet: Subnet): string {
  return `${formatIpv4(subnet.base)}/${subnet.prefix}`;
}

/** The last address of a subnet (its broadcast address when prefix < 31). */
export function subnetEnd(subnet: Subnet): number {
  return (subnet.base | ~maskOf(subnet.prefix)) >>> 0;
}

/** Do the inclusive ranges [a0, a1] and [b0, b1] share an address? */
export function rangesOverlap(a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 <= b1 && b0 <= a1;
}

/** Parses an IPv4 field or throws a coded error naming the field. */
export function requireIpv4(text: string, field: string): number {
  const ip = parseIpv4(text);
  if (ip === undefined)
    throw new AnvilError('ANVIL_ERR_FIELD_INVALID', `${field} "${text}" is not an IPv4 address; write it like 192.168.30.101`);
  return ip;
}
