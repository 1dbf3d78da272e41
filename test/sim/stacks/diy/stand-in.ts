/**
 * Test stand-ins for what other pieces build: a primary-copy fan-out (helper C's storage fan-out station
 * is the real one) and null devices. The fan-out sends a write down every leg and a read down the first
 * (the primary's local copy), and hands the parent on when every child is back.
 */
import { parseProfile } from '../../../../bench/profiles.js';
import { OP_READ, type Station } from '../../../../sim/io/requests.js';
import type { Model } from '../../../../sim/model/model.js';

export function nullDevice(model: Model, name: string, latency: string) {
  const profile = parseProfile(`kind: null\nlatency: ${latency}\ncapacity: 1G\n`, 'null.yaml');
  return model.addDevice(name, profile.kind, profile.params).instance;
}

/** A fan-out over legs (each a list of stations ending at a device and what follows it). */
export function standInFanOut(model: Model, legs: Station[][]): Station {
  const requests = model.requests;
  const join: Station = {
    accept(child: number) {
      const parent = requests.parent[child]!;
      if (requests.childDone(child) === 0) requests.forward(parent);
    },
  };
  const fanOut: Station & { flows: number[] } = {
    flows: [],
    accept(parent: number) {
      const count = requests.op[parent] === OP_READ ? 1 : fanOut.flows.length;
      for (let leg = 0; leg < count; leg++) {
        const child = requests.allocChild(
          parent,
          fanOut.flows[leg]!,
          requests.offset_bytes[parent]!,
          requests.size_bytes[parent]!,
          model.sim.now,
        );
        requests.forward(child);
      }
    },
  };
  for (const leg of legs) fanOut.flows.push(requests.addRoute([fanOut, ...leg, join]));
  return fanOut;
}
