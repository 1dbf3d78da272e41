/** A small rack for the network tests: one ToR switch, nodes with 25 GbE ports, and a sink that notes arrival times. */
import type { Station } from '../../../sim/io/requests.js';
import { OP_WRITE } from '../../../sim/io/requests.js';
import { Model } from '../../../sim/model/model.js';
import { cableLatency_ns, nicPort, torSwitch, type RackPort } from '../../../sim/network/build.js';
import type { VfRates } from '../../../sim/network/nic-port.js';
import type { TorSwitch } from '../../../sim/network/tor-switch.js';

/** Coefficients of the tests: the stack coefficient file's fabric defaults, 2 m cables. */
export const GBIT = 1e9;
export const SWITCH_LATENCY_NS = 600; // fabric.switch_latency_us 0.6
export const CABLE_NS = cableLatency_ns(2, 5, 300); // fabric.propagation_ns_per_m 5, fabric.phy_latency_us_per_link 0.3
export const ESWITCH_LATENCY_NS = 1000;

export interface Rack {
  model: Model;
  tor: TorSwitch;
  port(name: string, vfs: readonly VfRates[] | number, rate_bits_per_s?: number): RackPort;
}

export function rack(seed = 1): Rack {
  const model = new Model(seed, 1e6);
  const tor = torSwitch(model, { name: 'tor', switch_latency_ns: SWITCH_LATENCY_NS });
  return {
    model,
    tor,
    port: (name, vfs, rate_bits_per_s = 25 * GBIT) =>
      nicPort(model, tor, { name, rate_bits_per_s, cable_ns: CABLE_NS, vfs, eswitch_latency_ns: ESWITCH_LATENCY_NS }),
  };
}

/** The head and sink of a hand-made route: `send` starts a message now, `arrivals` lists (request, time). */
export function probe(model: Model, stations: Station[]): { send(size_bytes: number): number; arrivals: Array<[number, number]> } {
  const arrivals: Array<[number, number]> = [];
  const head: Station = { accept: () => undefined };
  const sink: Station = {
    accept(req) {
      arrivals.push([req, model.sim.now]);
    },
  };
  const flow = model.requests.addRoute([head, ...stations, sink]);
  return {
    arrivals,
    send(size_bytes) {
      const req = model.requests.alloc(flow, OP_WRITE, 0, size_bytes, model.sim.now);
      model.requests.forward(req);
      return req;
    },
  };
}
