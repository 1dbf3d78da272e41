/**
 * Kernel throughput: M/M/1 at rho 0.9 on the kernel's public API (JS) against the hand-written C++ loop
 * (`mm1-baseline.cpp`), in the same run, sides alternating, best of three each. Targets from the issue:
 * at least 4 million customers per second on one core, and at least half the rate of the C++ loop.
 * The same M/M/1 through `anvil run` (`mm1-anvil-run.ts`, the whole process) alternates with them: what
 * the job generator, recorders and output cost on top of the kernel; issue 12: at most 2x the C++ time.
 */
import { prepareCppBaseline, runCppMm1 } from './cpp-baseline.js';
import { runMm1ThroughAnvil } from './mm1-anvil-run.js';
import { runIsolated } from './isolated.js';
import type { Mm1Throughput } from './mm1-kernel.js';
import { MM1_RHO, MM1_THEORETICAL_SOJOURN_NS } from './mm1-kernel.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

const CUSTOMERS = 20_000_000;
const QUICK_CUSTOMERS = 1_000_000;
const REPETITIONS = 3;
const SEED = 1;
/**
 * At rho 0.9 the sample mean sojourn's relative standard error is about 19/sqrt(n) (0.4% at 20M customers,
 * 1.9% at 1M); four of them away from 1/(mu - lambda), something is wrong with the model.
 */
const sojournTolerance = (customers: number): number => (4 * 19) / Math.sqrt(customers);

const best = (runs: readonly Mm1Throughput[]): Mm1Throughput =>
  runs.reduce((a, b) => (b.customersPerSecond > a.customersPerSecond ? b : a));

const spread = (runs: readonly Mm1Throughput[]): string => {
  const rates = runs.map((r) => r.customersPerSecond / 1e6).sort((a, b) => a - b);
  return `${rates[0]!.toFixed(2)}-${rates[rates.length - 1]!.toFixed(2)}M`;
};

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  const customers = quick ? QUICK_CUSTOMERS : CUSTOMERS;
  const cpp = prepareCppBaseline(log);
  if (!cpp.available) log(cpp.reason);

  const js: Mm1Throughput[] = [];
  const native: Mm1Throughput[] = [];
  const anvil: Mm1Throughput[] = [];
  for (let i = 0; i < REPETITIONS; i++) {
    log(`M/M/1 ${i + 1}/${REPETITIONS}: JS kernel, ${grouped(customers)} customers`);
    // A fresh worker per run: one process per run on the C++ side, one isolate per run on this side.
    js.push(await runIsolated<Mm1Throughput>(new URL('./mm1-kernel.js', import.meta.url), 'runMm1Kernel', [customers, SEED]));
    if (cpp.available) {
      log(`M/M/1 ${i + 1}/${REPETITIONS}: C++ baseline`);
      native.push(runCppMm1(cpp.binary, customers, SEED));
    }
    log(`M/M/1 ${i + 1}/${REPETITIONS}: anvil run, about ${grouped(customers)} customers`);
    anvil.push(runMm1ThroughAnvil(customers, SEED));
  }

  const jsBest = best(js);
  const sojourn = jsBest.meanSojourn_ns;
  const deviation = sojourn / MM1_THEORETICAL_SOJOURN_NS - 1;
  const how = `best of ${REPETITIONS} (range ${spread(js)}), ${grouped(customers)} customers, = ${((2 * jsBest.customersPerSecond) / 1e6).toFixed(1)}M events/s`;
  const rows: Row[] = [
    {
      name: `M/M/1 rho ${MM1_RHO}, JS kernel`,
      value: jsBest.customersPerSecond,
      unit: 'customers/s',
      note: how,
      target: { min: 4e6, source: 'issue: >= 4M customers/s on one core' },
    },
  ];

  let sameWork = '';
  if (native.length > 0) {
    const cppBest = best(native);
    const identical = native.every((r) => r.meanSojourn_ns === sojourn) && js.every((r) => r.meanSojourn_ns === sojourn);
    sameWork = identical
      ? '; C++ gives the same mean to the last bit'
      : `; C++ mean ${grouped(cppBest.meanSojourn_ns, 3)} ns differs: not the same work!`;
    rows.push(
      {
        name: `M/M/1 rho ${MM1_RHO}, C++ baseline`,
        value: cppBest.customersPerSecond,
        unit: 'customers/s',
        note: `best of ${REPETITIONS} (range ${spread(native)}), ${cpp.available ? `g++ ${cpp.compiler.split(' ').pop()} -O2` : ''}`,
      },
      {
        name: 'JS kernel / C++ loop',
        value: jsBest.customersPerSecond / cppBest.customersPerSecond,
        unit: 'x',
        note: 'ratio of the two best runs above, measured alternately in this run',
        target: { min: 0.5, source: 'issue: >= 0.5x the C++ loop' },
      },
    );
  } else {
    const reason = cpp.available ? 'no C++ run' : cpp.reason;
    rows.push(
      { name: `M/M/1 rho ${MM1_RHO}, C++ baseline`, value: null, unit: 'customers/s', note: reason },
      { name: 'JS kernel / C++ loop', value: null, unit: 'x', note: reason, target: { min: 0.5, source: 'issue: >= 0.5x the C++ loop' } },
    );
  }

  rows.push(...anvilRows(anvil, native, customers, cpp.available ? 'no C++ run' : cpp.reason));
  rows.push({
    name: 'M/M/1 mean sojourn, JS kernel',
    value: sojourn,
    unit: 'ns',
    note:
      `1/(mu-lambda) = ${grouped(MM1_THEORETICAL_SOJOURN_NS)} ns, ${deviation >= 0 ? '+' : ''}${(100 * deviation).toFixed(2)}%` +
      ` (${Math.abs(deviation) <= sojournTolerance(customers) ? 'sane' : 'OFF by more than 4 standard errors: check the model'})${sameWork}`,
  });
  return rows;
}

/** The M/M/1 through `anvil run`, and its rate against the C++ loop's (the inverse of its time ratio). */
function anvilRows(anvil: readonly Mm1Throughput[], native: readonly Mm1Throughput[], customers: number, noCpp: string): Row[] {
  const anvilBest = best(anvil);
  const sojourn = anvilBest.meanSojourn_ns / MM1_THEORETICAL_SOJOURN_NS - 1;
  const target = { min: 0.5, source: "issue 12: at most 2x the C++ loop's time" };
  const rows: Row[] = [
    {
      name: `M/M/1 rho ${MM1_RHO}, anvil run`,
      value: anvilBest.customersPerSecond,
      unit: 'customers/s',
      note:
        `best of ${anvil.length} (range ${spread(anvil)}), ${grouped(anvilBest.customers)} customers in ${anvilBest.seconds.toFixed(2)} s, ` +
        `whole process (start-up, job file, recorders, JSON); mean sojourn ${(100 * sojourn).toFixed(2)}% from 1/(mu-lambda)` +
        (Math.abs(sojourn) <= sojournTolerance(customers) ? '' : ' (OFF: check the model)'),
    },
  ];
  if (native.length === 0) return [...rows, { name: 'anvil run / C++ loop', value: null, unit: 'x', note: noCpp, target }];
  const ratio = anvilBest.customersPerSecond / best(native).customersPerSecond;
  rows.push({
    name: 'anvil run / C++ loop',
    value: ratio,
    unit: 'x',
    note: `customers/s of the two best runs, measured alternately in this run: anvil run takes ${(1 / ratio).toFixed(2)}x the C++ loop's time per customer`,
    target,
  });
  return rows;
}

export const kernelMm1Section: BenchSection = {
  name: 'kernel',
  description: 'M/M/1 customers per second on the kernel, against a C++ event loop in the same run',
  run,
};
