/**
 * Builders that put the network on a `Model`, one call per piece: `torSwitch` (the rack's switch),
 * `nicPort` (a node's port with its VFs and embedded switch, cabled to the switch), `networkPath` (the
 * stations between two pods' VFs: the embedded switch on one port, else VF, cable, switch, cable) and
 * `networkFlow` (a flow generator on such a path). A node with separate storage and pod ports gets two
 * `nicPort`s; their traffic shares nothing but the switch's fabric, which is never the bottleneck here.
 */
import type { Station } from '../io/requests.js';
import type { Model } from '../model/model.js';
import type { StackCoefficients } from '../stacks/coefficient-schema.js';
import { EmbeddedSwitch } from './embedded-switch.js';
import { CARRY_ALL, CARRY_READ_DATA, CARRY_WRITE_DATA, type Carry, type Framing } from './framing.js';
import { NetworkFlow, type FlowMode } from './network-flow.js';
import { NicPort, type VfRates } from './nic-port.js';
import { TorSwitch, type SwitchEgress } from './tor-switch.js';

/** The fabric's latencies in ns, from the stack coefficient file's entries. */
export interface FabricLatencies {
  /** Cut-through port-to-port latency of the ToR switch, ns. */
  readonly switch_latency_ns: number;
  /** One-way latency of a node's cable to the switch, ns. */
  readonly cable_ns: number;
  /** VF to VF through a port's embedded switch, ns. */
  readonly eswitch_latency_ns: number;
}

/**
 * What the network builders take, from the coefficient file (`fabric.switch_latency_us`,
 * `fabric.propagation_ns_per_m`, `fabric.phy_latency_us_per_link`, `hci.eswitch_latency_us`) and the
 * cable length in the rack, m.
 */
export function fabricLatencies(coefficients: Pick<StackCoefficients, 'fabric' | 'hci'>, cable_m: number): FabricLatencies {
  const { fabric, hci } = coefficients;
  return {
    switch_latency_ns: fabric.switch_latency_us.value * 1000,
    cable_ns: cableLatency_ns(cable_m, fabric.propagation_ns_per_m.value, fabric.phy_latency_us_per_link.value * 1000),
    eswitch_latency_ns: hci.eswitch_latency_us.value * 1000,
  };
}

/** One-way latency of a cable: `length_m` at `propagation_ns_per_m` plus the PHYs at both ends, ns. */
export function cableLatency_ns(length_m: number, propagation_ns_per_m: number, phy_ns_per_link: number): number {
  return length_m * propagation_ns_per_m + phy_ns_per_link;
}

/** The top-of-rack switch (coefficient `fabric.switch_latency_us`, in ns here). */
export function torSwitch(model: Model, params: { name: string; switch_latency_ns: number }): TorSwitch {
  return new TorSwitch(params, model.sim, model.requests);
}

export interface NicPortSpec {
  /** Unique name ("node1/pod", "node1/storage"); also the switch port's name. */
  readonly name: string;
  /** Line rate of the port and its link, bits/s. */
  readonly rate_bits_per_s: number;
  /** One-way cable latency to the switch (see `cableLatency_ns`), ns. */
  readonly cable_ns: number;
  /** The VFs: their rates, or a count of VFs with none (the appliance's pod port has 63). */
  readonly vfs: readonly VfRates[] | number;
  /** VF-to-VF latency through the embedded switch, ns. */
  readonly eswitch_latency_ns: number;
  /** Internal rate of the embedded switch, bits/s; Infinity (default) for latency only. */
  readonly eswitch_rate_bits_per_s?: number;
  readonly framing?: Framing;
  /** See `NicPortParams.guarantee_horizon_ns`. */
  readonly guarantee_horizon_ns?: number;
  /** See `NicPortParams.segment_bytes`; the switch's egress toward the port is told the same. */
  readonly segment_bytes?: number;
}

/** A node's NIC port on the rack: its VFs, its embedded switch, and the switch port that sends to it. */
export interface RackPort {
  readonly port: NicPort;
  readonly eswitch: EmbeddedSwitch;
  /** The switch's egress toward this port: the last network station of every message to it. */
  readonly ingress: SwitchEgress;
  readonly tor: TorSwitch;
}

/** A NIC port with its VFs, cabled to `tor` (both directions: its transmit line and the switch's egress toward it). */
export function nicPort(model: Model, tor: TorSwitch, spec: NicPortSpec): RackPort {
  const framing = spec.framing ? { framing: spec.framing } : {};
  const horizon = spec.guarantee_horizon_ns !== undefined ? { guarantee_horizon_ns: spec.guarantee_horizon_ns } : {};
  const segment = spec.segment_bytes !== undefined ? { segment_bytes: spec.segment_bytes } : {};
  const port = new NicPort(
    { name: spec.name, rate_bits_per_s: spec.rate_bits_per_s, propagation_ns: spec.cable_ns, ...framing, ...horizon, ...segment },
    model.sim,
    model.requests,
  );
  const vfs = typeof spec.vfs === 'number' ? Array.from({ length: spec.vfs }, () => ({})) : spec.vfs;
  for (const rates of vfs) port.addVf(rates);
  const eswitch = new EmbeddedSwitch(
    {
      name: `${spec.name}/eswitch`,
      latency_ns: spec.eswitch_latency_ns,
      ...(spec.eswitch_rate_bits_per_s !== undefined ? { rate_bits_per_s: spec.eswitch_rate_bits_per_s } : {}),
    },
    model.sim,
    model.requests,
  );
  const ingress = tor.addPort({
    name: spec.name,
    rate_bits_per_s: spec.rate_bits_per_s,
    propagation_ns: spec.cable_ns,
    ...framing,
    ...segment,
  });
  return { port, eswitch, ingress, tor };
}

/** A pod's end of a path: a VF on a rack port. */
export interface VfEnd {
  readonly rack: RackPort;
  readonly vf: number;
}

/**
 * The stations a message from `from` to `to` passes: the sending VF's transmit scheduler (its minimum,
 * maximum and the port's speed hold) and the embedded switch when both VFs are on one port (nothing
 * touches the wire: see `NicPort.hairpinEntry`), else the sending VF (its port's scheduler and cable) and the
 * switch's egress toward the receiver. Usable as a fio job's `via` (storage traffic over the fabric);
 * `carry` says what each request weighs on this way (default: its size).
 */
export function networkPath(from: VfEnd, to: VfEnd, carry: Carry = CARRY_ALL): Station[] {
  to.rack.port.vf(to.vf);
  if (from.rack === to.rack) return [from.rack.port.hairpinEntry(from.vf, carry), from.rack.eswitch];
  if (from.rack.tor !== to.rack.tor)
    throw new RangeError(
      `ports ${from.rack.port.name} and ${to.rack.port.name} are on different switches; one rack has one top-of-rack switch`,
    );
  if (carry === CARRY_ALL) return [from.rack.port.vf(from.vf), to.rack.ingress];
  return [from.rack.port.vfEntry(from.vf, carry), to.rack.ingress.entry(carry)];
}

/**
 * A remote storage I/O's two ways over the fabric: commands and write data out to the target, read data
 * and completions back, each message `header_bytes` when it carries no data. Route: job, ...`out`,
 * target device, ...`back`, job.
 */
export function storagePaths(client: VfEnd, target: VfEnd, header_bytes: number): { out: Station[]; back: Station[] } {
  return {
    out: networkPath(client, target, { rule: CARRY_WRITE_DATA, header_bytes }),
    back: networkPath(target, client, { rule: CARRY_READ_DATA, header_bytes }),
  };
}

export interface NetworkFlowSpec {
  readonly name: string;
  readonly from: VfEnd;
  readonly to: VfEnd;
  /** Payload per message, bytes. */
  readonly size_bytes: number;
  readonly mode: FlowMode;
  readonly start_ns?: number;
  readonly end_ns: number;
  readonly measureFrom_ns?: number;
  /** Interval series row length, ns; default the model's. */
  readonly interval_ns?: number;
}

/**
 * A flow generator from one pod's VF to another's, started on the model. It runs on its own clock
 * (`end_ns`): `model.run` ends with the model's fio jobs unless `model.holdUntil(end_ns)` registers the
 * flow too; a model of flows alone may also run `model.sim.run(until)`.
 */
export function networkFlow(model: Model, spec: NetworkFlowSpec): NetworkFlow {
  const flow = new NetworkFlow(
    {
      name: spec.name,
      size_bytes: spec.size_bytes,
      mode: spec.mode,
      end_ns: spec.end_ns,
      interval_ns: spec.interval_ns ?? model.interval_ns,
      ...(spec.start_ns !== undefined ? { start_ns: spec.start_ns } : {}),
      ...(spec.measureFrom_ns !== undefined ? { measureFrom_ns: spec.measureFrom_ns } : {}),
    },
    model.sim,
    model.requests,
    model.streams.get(`flow/${spec.name}`),
  );
  flow.attach(model.requests.addRoute([flow, ...networkPath(spec.from, spec.to), flow]));
  return flow;
}
