/** What a job issues, seen from the device: the tests of job-file patterns and trim modes share it. */
import { parseProfile } from '../../bench/profiles.js';
import { Model } from '../../sim/model/model.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';

/** A null device with a fixed latency and 1 GiB. */
export const nullDevice = (latency: string) => parseProfile(`kind: null\nlatency: ${latency}\ncapacity: 1G\n`, 'null.yaml');

/** Every I/O a job issues on a null device, as [op, offset, size]. */
export function issuedIos(spec: WorkloadSpec): [number, number, number][] {
  const profile = nullDevice('1us');
  const model = new Model(1, 1e9);
  model.addDevice('d', profile.kind, profile.params);
  const seen: [number, number, number][] = [];
  const tap = {
    accept(req: number) {
      seen.push([model.requests.op[req]!, model.requests.offset_bytes[req]!, model.requests.size_bytes[req]!]);
      model.requests.forward(req);
    },
  };
  model.addJob({ spec, device: 'd', via: [tap] });
  model.run(1e9);
  return seen;
}
