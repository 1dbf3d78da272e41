/**
 * Speed of the cluster model as a user runs it: `anvil run SCENARIO --stack STACK` on the issue's two speed
 * cases (`bench/perf/scenarios/`: one node at 1M IOPS across its drives, a 3-node mirrored cluster at full
 * load) and the reference scenarios of `bench/scenarios/`, each in a child process timed from spawn to exit,
 * so placement by the control plane, model assembly, the run and the output are all in the figure. The
 * issue's goal is real time or better on one core: simulated seconds per wall second >= 1. The same per
 * CPU second of the child (Linux) is printed too: on a shared machine it is the figure others' load skews least.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAnvilTimed } from './anvil-child.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

/** A scenario timed: its row name and its file (relative to the package root). */
interface ClusterCase {
  readonly name: string;
  readonly file: string;
  /** Stacks it runs on, where not every stack. */
  readonly stacks?: readonly string[];
}

/** The cases timed, the speed cases first; `quick` runs the first only. */
const CASES: readonly ClusterCase[] = [
  { name: '1 node at 1M IOPS, QoS', file: join('bench', 'perf', 'scenarios', 'node-1m-iops.yaml') },
  { name: '3 nodes mirrored, full load', file: join('bench', 'perf', 'scenarios', 'cluster-3-mirrored.yaml') },
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

/** One `anvil run FILE --stack STACK` (FILE absolute or relative to the package root) in a child process, timed. */
export function timeScenario(file: string, stack: string): ClusterRunSpeed {
  const out = mkdtempSync(join(tmpdir(), 'anvil-cluster-bench-'));
  try {
    const {
      stdout,
      seconds: wall_s,
      cpu_seconds: cpu_s,
    } = runAnvilTimed('cluster bench', ['run', file, '--stack', stack, '--output-format', 'json', '--out', join(out, 'run')]);
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

/** The rows of one case on one stack: the best of its repetitions (by wall time, and by CPU time where known). */
function caseRows(c: ClusterCase, stack: string, runs: readonly ClusterRunSpeed[]): Row[] {
  const best = runs.reduce((a, b) => (b.wall_s < a.wall_s ? b : a));
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

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of quick ? CASES.slice(0, 1) : CASES) {
    for (const stack of c.stacks ?? CLUSTER_BENCH_STACKS) {
      const runs: ClusterRunSpeed[] = [];
      const repetitions = quick ? 1 : REPETITIONS;
      for (let i = 0; i < repetitions; i++) {
        log(`${c.name} ${i + 1}/${repetitions}: anvil run ${c.file} --stack ${stack}`);
        runs.push(timeScenario(c.file, stack));
      }
      rows.push(...caseRows(c, stack, runs));
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
