/** What the route tests build models from: a null device of a given latency and a counting pass-through station. */
import { parseProfile } from '../../../bench/profiles.js';
import type { Station } from '../../../sim/io/requests.js';
import type { Model } from '../../../sim/model/model.js';

/** A null device profile answering every I/O after `latency` (e.g. `10us`). */
export const nullDevice = (latency: string) => parseProfile(`kind: null\nlatency: ${latency}\ncapacity: 1G\n`, 'null.yaml');

/** A pass-through station counting what goes by, to see which route each I/O took. */
export function counter(model: Model): Station & { passed: number } {
  const station = {
    passed: 0,
    accept(req: number) {
      station.passed++;
      model.requests.forward(req);
    },
  };
  return station;
}
