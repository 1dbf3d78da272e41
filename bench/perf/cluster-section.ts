/**
 * Speed of the cluster model as a user runs it: `anvil run SCENARIO --stack STACK` on the issue's two speed
 * cases (`bench/perf/scenarios/`: one node at 1M IOPS across its drives, a 3-node mirrored cluster at full
 * load) and the reference scenarios of `bench/scenarios/`, each in a child process timed from spawn to exit,
 * so placement by the control plane, model assembly, the run and the output are all in the figure. The
 * issue's goal is real time or better on one core: simulated seconds per wall second >= 1, also measured
 * with the speed cases pinned to one CPU (`taskset`, where installed). The same per CPU second of the child
 * (Linux) is printed too: on a shared machine it is the figure others' load skews least.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pinnableCore, runAnvilTimed, type AnvilRunOptions } from './anvil-child.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

/** A scenario timed: its row name and its file (relative to the package root). */
interface ClusterCase {
  readonly name: string;
  readonly file: string;
  /** Stacks it runs on, where not every stack. */
  readonly stacks?: readonly string[];
  /** One of the speed cases: also timed pinned to one core. */
  readonly speedCase?: true;
}

/** The cases timed, the speed cases first; `quick` runs the first only (the first is also split; see `splitRows`). */
const CASES: readonly ClusterCase[] = [
  { name: '1 node at 1M IOPS, QoS', file: join('bench', 'perf', 'scenarios', 'node-1m-iops.yaml'), speedCase: true },
  { name: '3 nodes mirrored, full load', file: join('bench', 'perf', 'scenarios', 'cluster-3-mirrored.yaml'), speedCase: true },
  ...['noisy-neighbour', 'full-node'].map((name) => ({ name, file: join('bench', 'scenarios', `${name}.yaml`) })),
  // On diy too: its copies go through the failure and recover beside the client's I/O.
  { name: 'mirror-node-failure', file: join('bench', 'scenarios', 'mirror-node-failure.yaml') },
];

/** The stacks each case runs on (`anvil run --stack`), one at a time: compare mode would put both in one figure. */
export const CLUSTER_BENCH_STACKS: readonly string[] = ['hci', 'diy'];
const REPETITIONS = 2;

/** What one timed run measured. */
interface ClusterRunSpeed {
  /** Wall time of the whole child process, s. */
  wall_s: number;
  /** CPU time (user + system) of the whole child process, s; null where the system does not tell. */
  cpu_s: number | null;
  /** Simulated time the run reached, ns. */
  simulated_ns: number;
  events: number;
  /** I/Os completed in the measurement window (after the warm-up), every job and direction. */
  windowIos: number;
  /** Per node, cores and the cores the applications and the infrastructure kept busy on average. */
  nodes: { node: string; cores: number; application_cores: number; infrastructure_cores: number }[];
}

interface ScenarioJson {
  jobs: { read: { total_ios: number }; write: { total_ios: number } }[];
}

interface SummaryJson {
  anvil: { simulated_ns: number; events: number; scenario: { nodes: ClusterRunSpeed['nodes'] } };
}

/**
 * One `anvil run FILE --stack STACK` (FILE absolute or relative to the package root) in a child process,
 * timed; `options.pinToCore`: on that one CPU, every thread of it (`taskset`).
 */
export function timeScenario(file: string, stack: string, options: AnvilRunOptions = {}): ClusterRunSpeed {
  const out = mkdtempSync(join(tmpdir(), 'anvil-cluster-bench-'));
  try {
    const {
      stdout,
      seconds: wall_s,
      cpu_seconds: cpu_s,
    } = runAnvilTimed('cluster bench', ['run', file, '--stack', stack, '--output-format', 'json', '--out', join(out, 'run')], options);
    const jobs = (JSON.parse(stdout) as ScenarioJson).jobs;
    const summary = JSON.parse(readFileSync(join(out, 'run', 'summary.json'), 'utf8')) as SummaryJson;
    return {
      wall_s,
      cpu_s,
      simulated_ns: summary.anvil.simulated_ns,
      events: summary.anvil.events,
      windowIos: jobs.reduce((sum, j) => sum + j.read.total_ios + j.write.total_ios, 0),
      nodes: summary.anvil.scenario.nodes,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The run of least wall time. */
function fastestByWall(runs: readonly ClusterRunSpeed[]): ClusterRunSpeed {
  return runs.reduce((a, b) => (b.wall_s < a.wall_s ? b : a));
}

/** The rows of one case on one stack: the best of its repetitions (by wall time, and by CPU time where known). */
function caseRows(c: ClusterCase, stack: string, runs: readonly ClusterRunSpeed[]): Row[] {
  const best = fastestByWall(runs);
  const simulated_s = best.simulated_ns / 1e9;
  const cpuTimes = runs.map((r) => r.cpu_s).filter((s): s is number => s !== null && s > 0);
  const cpuRows: Row[] =
    cpuTimes.length === 0
      ? []
      : [
          {
            name: `${c.name} (${stack}), simulated s per CPU s`,
            value: simulated_s / Math.min(...cpuTimes),
            unit: 'x',
            target: { min: 1, source: 'issue 13: at or above real time on one core' },
            note: `best of ${cpuTimes.length}: ${Math.min(...cpuTimes).toFixed(2)} CPU s (user + system) of the whole process`,
          },
        ];
  return [
    ...cpuRows,
    {
      name: `${c.name} (${stack}), simulated s per wall s`,
      value: simulated_s / best.wall_s,
      unit: 'x',
      target: { min: 1, source: 'issue 13: at or above real time on one core' },
      note: `${c.file}, best of ${runs.length}: ${simulated_s.toFixed(1)} s simulated in ${best.wall_s.toFixed(2)} s, whole process (placement, assembly, run, output)`,
    },
    {
      name: `${c.name} (${stack}), simulated I/Os per wall s`,
      value: best.windowIos / best.wall_s,
      unit: 'IOs/s',
      note: `${grouped(best.windowIos)} I/Os in the measurement window (after the warm-up); ${grouped(best.events)} events in the whole run, warm-up included`,
    },
  ];
}

/** Simulated time of the short copy `splitRows` times beside the case: long enough to reach steady state, s. */
const SHORT_SIMULATED = '300ms';

/**
 * `file` shortened to SHORT_SIMULATED (its warm-up to a third of it), written beside copies of the files in
 * its folder (its node profile is one of them) in a new temporary folder, which the caller removes.
 */
function shortCopy(file: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-cluster-bench-short-'));
  cpSync(dirname(file), dir, { recursive: true });
  const yaml = readFileSync(file, 'utf8')
    .replace(/^duration: .*$/m, `duration: ${SHORT_SIMULATED}`)
    .replace(/^warmup: .*$/m, 'warmup: 100ms')
    .replace(/runtime=\S+/g, `runtime=${SHORT_SIMULATED}`);
  writeFileSync(join(dir, basename(file)), yaml);
  return { dir, file: join(dir, basename(file)) };
}

/**
 * The run's fixed cost and the model's own speed, from the case at its length and a short copy: the CPU a
 * run costs beyond its simulated seconds' share (node start, module loading and V8 compiling them, reading
 * and placing, writing outputs) and simulated seconds per CPU second at the margin (the model alone, as a
 * long run approaches it). Best CPU time of each length; Linux only (the CPU time comes from /proc).
 */
function splitRows(c: ClusterCase, stack: string, long: readonly ClusterRunSpeed[], short: readonly ClusterRunSpeed[]): Row[] {
  const best = (runs: readonly ClusterRunSpeed[]) => {
    const cpu = runs.map((r) => r.cpu_s).filter((s): s is number => s !== null && s > 0);
    return cpu.length === 0 ? undefined : { cpu_s: Math.min(...cpu), simulated_s: runs[0]!.simulated_ns / 1e9 };
  };
  const a = best(short);
  const b = best(long);
  if (a === undefined || b === undefined || b.cpu_s <= a.cpu_s) return [];
  const marginal = (b.simulated_s - a.simulated_s) / (b.cpu_s - a.cpu_s);
  const fixed_s = a.cpu_s - a.simulated_s / marginal;
  const how = `from the best CPU times (user + system, every thread) of ${b.simulated_s.toFixed(1)} s simulated (${b.cpu_s.toFixed(2)} s) and ${a.simulated_s.toFixed(2)} s (${a.cpu_s.toFixed(2)} s)`;
  return [
    {
      name: `${c.name} (${stack}), the model alone: simulated s per CPU s`,
      value: marginal,
      unit: 'x',
      note: `at the margin, ${how}; what a long run approaches`,
    },
    {
      name: `${c.name} (${stack}), fixed cost of a run`,
      value: fixed_s,
      unit: 's',
      note: `CPU beyond the simulated seconds' share (node start, modules and V8 compiling them, placement, outputs), ${how}`,
    },
  ];
}

/** The row of a speed case pinned to CPU `core`: the goal measured as it is written. */
function pinnedRow(c: ClusterCase, stack: string, core: number, runs: readonly ClusterRunSpeed[]): Row {
  const best = fastestByWall(runs);
  const simulated_s = best.simulated_ns / 1e9;
  return {
    name: `${c.name} (${stack}), pinned to one core: simulated s per wall s`,
    value: simulated_s / best.wall_s,
    unit: 'x',
    target: { min: 1, source: 'issue 13: at or above real time on one core' },
    note: `taskset -c ${core}, every thread of the process on that core; best of ${runs.length}: ${simulated_s.toFixed(1)} s simulated in ${best.wall_s.toFixed(2)} s`,
  };
}

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  const rows: Row[] = [];
  // Any one core shows the goal: the first this process may use.
  const pinCore = pinnableCore();
  if (pinCore === null) log('cannot pin a run to one core (no taskset, or not Linux): the speed cases are not also timed pinned');
  for (const c of quick ? CASES.slice(0, 1) : CASES) {
    for (const stack of c.stacks ?? CLUSTER_BENCH_STACKS) {
      const runs: ClusterRunSpeed[] = [];
      const repetitions = quick ? 1 : REPETITIONS;
      for (let i = 0; i < repetitions; i++) {
        log(`${c.name} ${i + 1}/${repetitions}: anvil run ${c.file} --stack ${stack}`);
        runs.push(timeScenario(c.file, stack));
      }
      rows.push(...caseRows(c, stack, runs));
      if (c.speedCase === true && pinCore !== null) {
        const pinned: ClusterRunSpeed[] = [];
        for (let i = 0; i < repetitions; i++) {
          log(`${c.name} ${i + 1}/${repetitions}, pinned to CPU ${pinCore}: anvil run ${c.file} --stack ${stack}`);
          pinned.push(timeScenario(c.file, stack, { pinToCore: pinCore }));
        }
        rows.push(pinnedRow(c, stack, pinCore, pinned));
      }
      if (c !== CASES[0]) continue;
      const short = shortCopy(c.file);
      try {
        const shortRuns: ClusterRunSpeed[] = [];
        for (let i = 0; i < repetitions; i++) {
          log(`${c.name} ${i + 1}/${repetitions}, shortened to ${SHORT_SIMULATED}: anvil run --stack ${stack}`);
          shortRuns.push(timeScenario(short.file, stack));
        }
        rows.push(...splitRows(c, stack, runs, shortRuns));
      } finally {
        rmSync(short.dir, { recursive: true, force: true });
      }
    }
  }
  return rows;
}

export const clusterSection: BenchSection = {
  name: 'cluster',
  description:
    'cluster model: anvil run SCENARIO on the speed cases and reference scenarios, per stack, simulated time per wall time and per CPU time',
  run,
};
