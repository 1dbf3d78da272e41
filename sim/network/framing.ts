/**
 * Bytes on the wire for a message: the payload cut into MTU-sized packets, each with its headers and
 * Ethernet's per-frame cost (preamble, start delimiter and inter-frame gap occupy the line as much as
 * bytes do), and the time those bytes take to serialize at a line rate.
 */

/** IEEE 802.3 per-frame cost beyond the L3 packet: header 14 + FCS 4 + preamble 7 + SFD 1 + inter-frame gap 12. */
export const ETHERNET_FRAME_OVERHEAD_BYTES = 38;
/** IPv4 (20) + TCP (20) headers without options, inside every frame. */
export const IPV4_TCP_HEADER_BYTES = 40;
/** Standard Ethernet MTU (largest L3 packet), bytes. */
export const STANDARD_MTU_BYTES = 1500;

/** How messages are cut into frames on a link. */
export interface Framing {
  /** Largest L3 packet the link carries, bytes (1500, 9000). */
  readonly mtu_bytes: number;
  /** L3 and L4 headers per packet (IPv4 + TCP: 40), bytes. */
  readonly l3l4_header_bytes: number;
  /** L2 cost per frame on the line (38 on Ethernet), bytes. */
  readonly frame_overhead_bytes: number;
  /**
   * Encapsulation per packet (VXLAN: 50; SR-IOV or plain L2: 0), bytes. The inner MTU shrinks by as
   * much (as overlay CNIs set it), so each packet carries less payload and the outer frame stays at MTU.
   */
  readonly encap_bytes: number;
}

/** Plain L2 at the standard MTU with IPv4 and TCP (the appliance's pod traffic). */
export const DEFAULT_FRAMING: Framing = Object.freeze({
  mtu_bytes: STANDARD_MTU_BYTES,
  l3l4_header_bytes: IPV4_TCP_HEADER_BYTES,
  frame_overhead_bytes: ETHERNET_FRAME_OVERHEAD_BYTES,
  encap_bytes: 0,
});

/** Payload bytes one packet carries under `framing`; a framing that leaves none is refused. */
export function payloadPerPacket_bytes(framing: Framing): number {
  const payload = framing.mtu_bytes - framing.l3l4_header_bytes - framing.encap_bytes;
  if (!(payload >= 1)) {
    throw new RangeError(
      `an MTU of ${framing.mtu_bytes} bytes leaves no payload after ${framing.l3l4_header_bytes} header and ${framing.encap_bytes} encapsulation bytes; use a larger mtu_bytes`,
    );
  }
  return payload;
}

/** Packets a message of `message_bytes` takes at `payload_bytes` each (at least one: an empty message is still a frame). */
export function packetsFor(message_bytes: number, payload_bytes: number): number {
  return message_bytes <= payload_bytes ? 1 : Math.ceil(message_bytes / payload_bytes);
}

/** Packets a message of `size_bytes` takes under `framing`. */
export function packetsOf(size_bytes: number, framing: Framing): number {
  return packetsFor(size_bytes, payloadPerPacket_bytes(framing));
}

/** Bytes the message occupies on the line: payload plus every packet's headers, encapsulation and frame cost. */
export function wireBytes(size_bytes: number, framing: Framing): number {
  return wireBytesOf(size_bytes, payloadPerPacket_bytes(framing), perPacketOverhead_bytes(framing));
}

/**
 * `wireBytes` for a station's hot path, with the framing's figures taken out once (`payloadPerPacket_bytes`,
 * `perPacketOverhead_bytes`): the same sum, without re-deriving and re-checking them per message.
 */
export function wireBytesOf(size_bytes: number, payload_bytes: number, overhead_bytes: number): number {
  return size_bytes + packetsFor(size_bytes, payload_bytes) * overhead_bytes;
}

/** Bytes every packet adds on the line under `framing`: headers, encapsulation and frame cost. */
export function perPacketOverhead_bytes(framing: Framing): number {
  return framing.l3l4_header_bytes + framing.encap_bytes + framing.frame_overhead_bytes;
}

/** Time `wire_bytes` take to serialize at `rate_bits_per_s`, ns. */
export function serialization_ns(wire_bytes: number, rate_bits_per_s: number): number {
  return (wire_bytes * 8 * 1e9) / rate_bits_per_s;
}

/**
 * Payload rate a saturated link of `rate_bits_per_s` carries for messages of `size_bytes`, bits/s
 * (the line rate less headers and frame cost).
 */
export function goodput_bits_per_s(size_bytes: number, rate_bits_per_s: number, framing: Framing): number {
  return (rate_bits_per_s * size_bytes) / wireBytes(size_bytes, framing);
}

/** Checks a framing's fields are whole, non-negative byte counts that leave room for a payload. */
export function checkFraming(framing: Framing, owner: string): void {
  for (const [field, value] of Object.entries(framing)) {
    if (!(Number.isInteger(value) && value >= 0))
      throw new RangeError(`${owner}: ${field} must be a whole number of bytes >= 0, got ${String(value)}`);
  }
  payloadPerPacket_bytes(framing);
}

/**
 * A line's piece size (`NicPortParams.segment_bytes`, `SwitchPortParams.segment_bytes`), bytes of payload:
 * `segment_bytes`, or Infinity (whole messages) when not given; one below a byte is refused.
 */
export function checkSegment_bytes(segment_bytes: number | undefined, owner: string): number {
  const segment = segment_bytes ?? Infinity;
  if (!(segment >= 1)) throw new RangeError(`${owner}: segment_bytes must be >= 1 (Infinity for whole messages), got ${segment}`);
  return segment;
}

/** `Carry.rule`: the message is the request's `size_bytes` (a flow's message, a write's data). */
export const CARRY_SIZE = 0;
/** `Carry.rule`: the way to a storage target: a write carries its data, anything else only `header_bytes` (a command). */
export const CARRY_WRITE_DATA = 1;
/** `Carry.rule`: the way back from a storage target: a read carries its data, anything else only `header_bytes` (a completion). */
export const CARRY_READ_DATA = 2;

/**
 * What a network station charges for a request. A remote read goes out as a command and comes back as
 * data; a remote write the other way round: the route's network stations on each way say which.
 */
export interface Carry {
  readonly rule: typeof CARRY_SIZE | typeof CARRY_WRITE_DATA | typeof CARRY_READ_DATA;
  /** Payload of a message without data (an NVMe over TCP command or completion PDU), bytes. */
  readonly header_bytes: number;
}

/** Every request's whole size, every way. */
export const CARRY_ALL: Carry = Object.freeze({ rule: CARRY_SIZE, header_bytes: 0 });

/** Payload bytes a station carrying `carry` moves for a request of operation `op` and `size_bytes`. */
export function carriedBytes(carry: Carry, op: number, size_bytes: number): number {
  if (carry.rule === CARRY_SIZE) return size_bytes;
  return op === (carry.rule === CARRY_WRITE_DATA ? 1 : 0) ? size_bytes : carry.header_bytes;
}
