/**
 * Micro-benchmarks of the kernel's pieces with tinybench: the cost of one draw, of one event through
 * `schedule` + `run`, and of one event among many pending (exponential delays, or a fixed delay per target
 * as stations have), its targets of one class or of eight (the kernel's `fire` call site megamorphic, as it
 * will be once network and storage stations exist). Each tinybench iteration makes BATCH calls, so the timer's resolution and overhead stay small against what is measured; the figure is the
 * median iteration time divided by BATCH.
 */
import { Bench } from 'tinybench';
import { Exponential } from '../../sim/core/distributions.js';
import type { EventHandler } from '../../sim/core/kernel.js';
import { Simulator } from '../../sim/core/kernel.js';
import { RandomStream } from '../../sim/core/random.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

const BATCH = 1000;
const HOLD_PENDING = 1000;
/** Target classes in the megamorphic hold: V8 keeps at most four shapes per call site before going megamorphic. */
const MEGAMORPHIC_CLASSES = 8;

/** Results land here so the optimiser cannot drop the work. */
export let blackhole = 0;

class Sink implements EventHandler {
  fire(arg: number): void {
    blackhole += arg;
  }
}

/** Events fired by a hold model's targets, and when to stop. */
class HoldCount {
  fired = 0;
  stopAt = 0;
}

/** The classic "hold" model: each firing reschedules itself an exponential delay later, so the heap keeps its size. */
class Holder implements EventHandler {
  constructor(
    private readonly sim: Simulator,
    private readonly delay: Exponential,
    private readonly count: HoldCount,
  ) {}
  fire(arg: number): void {
    this.sim.after(this.delay.sample(), this, arg);
    if (++this.count.fired === this.count.stopAt) this.sim.stop();
  }
}

/**
 * A hold model whose targets each wait a fixed delay of their own, one of `FIXED_DELAYS` (as stations with
 * service and wire times do): the case the kernel's lanes are for, where the exponential hold has none.
 */
class FixedHolder implements EventHandler {
  constructor(
    private readonly sim: Simulator,
    private readonly delay_ns: number,
    private readonly count: HoldCount,
  ) {}
  fire(arg: number): void {
    this.sim.postAfter(this.delay_ns, this, arg);
    if (++this.count.fired === this.count.stopAt) this.sim.stop();
  }
}

/** Fixed delays of the fixed hold, nanoseconds: a few service and wire times of the 1M-IOPS case. */
const FIXED_DELAYS = [1137.6, 7684.8, 27_600, 50_000, 70_600, 96_900, 132_500, 2_621_440];

function fixedHoldModel(seedName: string): { sim: Simulator; count: HoldCount } {
  const sim = new Simulator();
  const start = new RandomStream(1, seedName);
  const count = new HoldCount();
  for (let i = 0; i < HOLD_PENDING; i++) {
    const delay_ns = FIXED_DELAYS[i % FIXED_DELAYS.length]!;
    sim.schedule(start.next() * delay_ns, new FixedHolder(sim, delay_ns, count), i);
  }
  return { sim, count };
}

/** A hold model whose `HOLD_PENDING` events go to targets of `classes` classes (alike but for their hidden class). */
function holdModel(classes: number, seedName: string): { sim: Simulator; count: HoldCount } {
  const sim = new Simulator();
  const delay = new Exponential(1000, new RandomStream(1, seedName));
  const count = new HoldCount();
  const kinds = Array.from({ length: classes }, () => class extends Holder {});
  const targets = kinds.map((Kind) => new Kind(sim, delay, count));
  for (let i = 0; i < HOLD_PENDING; i++) sim.schedule(delay.sample(), targets[i % classes]!, i);
  return { sim, count };
}

async function run({ quick }: SectionOptions): Promise<Row[]> {
  const bench = new Bench({ time: quick ? 100 : 500, warmupTime: quick ? 20 : 100, throws: true });

  const uniform = new RandomStream(1, 'micro/uniform');
  const exponential = new Exponential(1000, new RandomStream(1, 'micro/exponential'));
  const pairSim = new Simulator();
  const sink = new Sink();
  const hold = holdModel(1, 'micro/hold');
  const megamorphic = holdModel(MEGAMORPHIC_CLASSES, 'micro/hold-megamorphic');
  const fixed = fixedHoldModel('micro/hold-fixed');

  const tasks: { name: string; note: string; fn: () => void }[] = [
    {
      name: 'RandomStream.next()',
      note: 'xoshiro128**, 53-bit double',
      fn: () => {
        let s = 0;
        for (let i = 0; i < BATCH; i++) s += uniform.next();
        blackhole += s;
      },
    },
    {
      name: 'Exponential.sample()',
      note: 'one next() and one Math.log',
      fn: () => {
        let s = 0;
        for (let i = 0; i < BATCH; i++) s += exponential.sample();
        blackhole += s;
      },
    },
    {
      name: 'schedule + run, 1 event',
      note: 'schedule(now, target, i) then run() on an empty heap',
      fn: () => {
        for (let i = 0; i < BATCH; i++) {
          pairSim.schedule(pairSim.now, sink, i);
          pairSim.run();
        }
      },
    },
    {
      name: `event, ${grouped(HOLD_PENDING)} pending (hold)`,
      note: 'fire + after(Exponential) + heap pop/push at depth 10',
      fn: () => {
        hold.count.stopAt = hold.count.fired + BATCH;
        hold.sim.run();
      },
    },
    {
      name: `event, ${grouped(HOLD_PENDING)} pending, ${FIXED_DELAYS.length} fixed delays`,
      note: `as the hold above, each target rescheduling itself a fixed delay later (${FIXED_DELAYS.length} delays, 1 us to 2.6 ms): the kernel's lanes take them`,
      fn: () => {
        fixed.count.stopAt = fixed.count.fired + BATCH;
        fixed.sim.run();
      },
    },
    // Last: once it has run, the kernel's fire site is megamorphic for every simulator in this isolate.
    {
      name: `event, ${grouped(HOLD_PENDING)} pending, ${MEGAMORPHIC_CLASSES} target classes`,
      note: `as the hold above, its targets of ${MEGAMORPHIC_CLASSES} classes: the kernel's fire call site megamorphic`,
      fn: () => {
        megamorphic.count.stopAt = megamorphic.count.fired + BATCH;
        megamorphic.sim.run();
      },
    },
  ];
  for (const task of tasks) bench.add(task.name, task.fn);
  await bench.run();

  return tasks.map((task): Row => {
    const result = bench.getTask(task.name)?.result;
    if (!result || !('latency' in result)) {
      const state = result?.state ?? 'missing';
      const error = result && 'error' in result ? `: ${result.error.message}` : '';
      return { name: task.name, value: null, unit: 'ns/op', note: `tinybench task ${state}${error}` };
    }
    const perOp_ns = (result.latency.p50 * 1e6) / BATCH;
    return {
      name: task.name,
      value: perOp_ns,
      unit: 'ns/op',
      note: `${task.note}; median of ${grouped(result.latency.samplesCount)} x ${grouped(BATCH)} calls, ±${result.latency.rme.toFixed(1)}%`,
    };
  });
}

export const kernelMicroSection: BenchSection = {
  name: 'micro',
  description:
    'tinybench: one random draw, one schedule+run, one event among 1,000 pending (exponential delays, fixed delays, eight target classes)',
  run,
};
