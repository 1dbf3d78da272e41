/**
 * The block store's path folds its fixed delays into its CPU charges: the hop to a daemon, the daemon's
 * CPU and its software time are one station and cost one kernel event per I/O (a FIFO stage with nothing
 * in the way needs no event of its own), with the same latency as the three stages one after the other.
 */
import { describe, expect, it } from 'vitest';
import { loadStackCoefficients } from '../../../../bench/stack-coefficients.js';
import type { Station } from '../../../../sim/io/requests.js';
import { Model } from '../../../../sim/model/model.js';
import { sdsSoftwareLatency } from '../../../../sim/stacks/diy/sds.js';
import { StackBuilder, stackTerms } from '../../../../sim/stacks/diy/stack.js';
import { workload } from '../../../bench/spec-factory.js';
import { nullDevice } from './stand-in.js';

const diy = stackTerms(loadStackCoefficients(), 'diy');
const sds = diy.sds!;
const IOS = 200;

/** QD1 I/Os of `readFraction` straight to a 10 us null device, through `path(stack)` before it: events per I/O and the latency. */
function run(readFraction: number, path: (stack: StackBuilder) => Station[]) {
  const model = new Model(1, 1e8);
  const stack = new StackBuilder(model, diy);
  stack.hostCpu('node-a', 16);
  nullDevice(model, 'dev', '10us');
  const job = model.addJob({
    spec: workload({ readFraction, iodepth: 1, timeBased: false, runtime_ns: 0, size_bytes: IOS * 4096 }),
    device: 'dev',
    via: path(stack),
  });
  model.run(1e6);
  const clat = readFraction === 1 ? job.recorder.read.clat : job.recorder.write.clat;
  expect(clat.n).toBe(IOS);
  return { eventsPerIo: model.sim.eventsFired / IOS, clat_ns: clat.max_ns };
}

describe('the block store path in events', () => {
  it("costs one event per I/O for the hop to the primary, its CPU and its software time, and the three stages' latency", () => {
    for (const readFraction of [1, 0]) {
      const bare = run(readFraction, () => []);
      const front = run(readFraction, (stack) => stack.sdsPath('node-a').front);
      expect(front.eventsPerIo - bare.eventsPerIo).toBe(1);
      const software = sdsSoftwareLatency(sds);
      const added = sds.hop_ns + (readFraction === 1 ? software.primaryRead_ns : software.primaryWrite_ns);
      expect(front.clat_ns).toBe(bare.clat_ns + added);
    }
  });

  it('costs one event per replica write for the hop to the replica, its CPU and its software time', () => {
    const bare = run(0, () => []);
    const leg = run(0, (stack) => stack.sdsPath('node-a').replicaLeg(stack.cpuOf('node-a')).out);
    expect(leg.eventsPerIo - bare.eventsPerIo).toBe(1);
    expect(leg.clat_ns).toBe(bare.clat_ns + sds.hop_ns + sdsSoftwareLatency(sds).replicaWrite_ns);
  });
});
