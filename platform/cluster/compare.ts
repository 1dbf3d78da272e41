/**
 * Which stacks a scenario run runs, and compare mode: the same scenario (same placement, same seed) on
 * both stacks, side by side in one summary (per pod and tenant both stacks' IOPS and p99s) and one set of tables
 * (every job labelled with its `stack`; a nodes table with each stack's CPU per node).
 */
import type { Column } from '../../bench/results/arrow-tables.js';
import { columns, push } from '../../bench/results/table-columns.js';
import type { SimRunMeasurement } from '../../bench/results/measurement.js';
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { StackName } from '../../bench/scenario/schema.js';
import { formatDuration, formatRate } from '../../sim/core/units.js';
import { AnvilError } from '../errors.js';
import { rollupFigures } from './label-rollup.js';
import { faultLines, plexLines } from './fault-text.js';
import type { NodeCpuSummary } from './node-cpu.js';
import { snapshotText } from './snapshots.js';
import type { ScenarioPodSummary, ScenarioSummary } from './scenario-summary.js';

/** The stacks to run, in order: the flag (`hci`, `diy`, or both comma-separated: compare), else every stack the scenario names. */
export function chooseStacks(s: LoadedClusterScenario, flag: string | undefined): StackName[] {
  if (flag === undefined) return [...s.stacks];
  const named = flag.split(',').map((x) => x.trim());
  const bad = named.filter((x) => x !== 'hci' && x !== 'diy');
  if (bad.length > 0 || named.length === 0 || named.length > 2 || new Set(named).size !== named.length)
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `--stack ${flag} is not a stack; use hci (the appliance), diy, or hci,diy to compare the two`,
    );
  return named as StackName[];
}

/** Both stacks' figures for one pod. */
export interface ComparedPod {
  readonly pod: string;
  readonly by_stack: Readonly<Record<string, Omit<ScenarioPodSummary, 'pod'>>>;
}

/** Compare mode's part of the results (summary.json's anvil.scenario, anvil_scenario in JSON on stdout). */
export interface ScenarioCompareSummary {
  readonly file: string;
  readonly name: string;
  readonly stacks: readonly StackName[];
  readonly seed: number;
  readonly duration_ns: number;
  readonly warmup_ns: number;
  /** Per pod, each stack's figures, in the scenario's pod order. */
  readonly pods: readonly ComparedPod[];
  /** Each stack's whole summary, by stack. */
  readonly by_stack: Readonly<Record<string, ScenarioSummary>>;
}

/** One summary of the stacks' summaries (same scenario, same placement, so the same pods in the same order). */
export function compareSummary(parts: readonly ScenarioSummary[]): ScenarioCompareSummary {
  const first = parts[0]!;
  return {
    file: first.file,
    name: first.name,
    stacks: parts.map((p) => p.stack),
    seed: first.seed,
    duration_ns: first.duration_ns,
    warmup_ns: first.warmup_ns,
    pods: first.pods.map((p, i) => ({
      pod: p.pod,
      by_stack: Object.fromEntries(
        parts.map((part) => {
          const { pod: _pod, ...figures } = part.pods[i]!;
          return [part.stack, figures];
        }),
      ),
    })),
    by_stack: Object.fromEntries(parts.map((p) => [p.stack, p])),
  };
}

/** A pod's figures on one stack, as text. */
function podFigures(p: Omit<ScenarioPodSummary, 'pod'>): string {
  if (p.state === 'pending') return 'pending';
  const figures = [p.iops !== undefined ? `IOPS=${formatRate(p.iops)}` : 'no workload'];
  if (p.read_clat_p99_ns !== undefined) figures.push(`read p99=${formatDuration(p.read_clat_p99_ns)}`);
  if (p.write_clat_p99_ns !== undefined) figures.push(`write p99=${formatDuration(p.write_clat_p99_ns)}`);
  return figures.join(', ');
}

/** A node's CPU row as text. */
export function nodeCpuText(n: NodeCpuSummary, stack: StackName): string {
  const slice = n.application_slice_ns !== undefined ? ` (a 1 ms slice took ${formatDuration(n.application_slice_ns)})` : '';
  return `node ${n.node} (${stack}): ${n.cores} cores, applications ${n.application_cores} cores${slice}, infrastructure ${n.infrastructure_cores} cores (storage ${formatDuration(n.storage_ns)}, network ${formatDuration(n.network_ns)} of core time)`;
}

/** Compare mode's summary as text, before fio's per-job text. */
export function compareText(c: ScenarioCompareSummary): string {
  const lines = [
    `scenario ${c.name} (${c.file}): stacks ${c.stacks.join(' and ')} compared, seed ${c.seed}, ${formatDuration(c.duration_ns)} (warm-up ${formatDuration(c.warmup_ns)})`,
  ];
  for (const p of c.pods) {
    const node = Object.values(p.by_stack).find((f) => f.node !== undefined)?.node;
    lines.push(
      `  ${p.pod}${node !== undefined ? ` on ${node}` : ''}: ${c.stacks.map((st) => `${st} ${podFigures(p.by_stack[st]!)}`).join(' | ')}`,
    );
  }
  const tenants = [...new Set(c.stacks.flatMap((st) => c.by_stack[st]!.tenants.map((t) => t.tenant)))];
  for (const t of tenants)
    lines.push(
      `tenant ${t}: ${c.stacks
        .map((st) => {
          const r = c.by_stack[st]!.tenants.find((x) => x.tenant === t);
          return `${st} ${r ? rollupFigures(r) : 'no I/O'}`;
        })
        .join(' | ')}`,
    );
  for (const st of c.stacks) for (const n of c.by_stack[st]!.nodes) lines.push(nodeCpuText(n, st));
  // What the faults and snapshots did differs by stack (the platform's plexes, the block store's copies): each stack's own lines.
  for (const st of c.stacks) {
    const s = c.by_stack[st]!;
    const own = [...faultLines(s), ...(s.snapshots ? snapshotText(s.snapshots) : []), ...plexLines(s)];
    lines.push(...own.map((l) => `${st}: ${l.trimStart()}`));
  }
  return lines.join('\n') + '\n';
}

/** The stacks' runs as one measurement: every job labelled with its stack, devices named per stack. */
export function mergeRuns(runs: readonly { readonly stack: StackName; readonly run: SimRunMeasurement }[]): SimRunMeasurement {
  const first = runs[0]!.run;
  return {
    ...first,
    simulated_ns: Math.max(...runs.map((r) => r.run.simulated_ns)),
    events: runs.reduce((n, r) => n + r.run.events, 0),
    jobs: runs.flatMap(({ stack, run }) => run.jobs.map((j) => ({ ...j, labels: { ...j.labels, stack } }))),
    devices: runs.flatMap(({ stack, run }) => run.devices.map((d) => ({ ...d, name: `${stack}:${d.name}` }))),
  };
}

/** The nodes table: per stack and node, the CPU each class used (`nodes.arrow`). */
export function nodeColumns(parts: readonly ScenarioSummary[]): Column[] {
  const cols = columns({
    stack: ['utf8', 'the stack the row ran on: hci (the appliance) or diy'],
    node: ['utf8', "the node's name"],
    cores: ['i32', 'cores of the node (its allocatable millicores, whole cores)'],
    application_ns: ['i64', "core time the pods' own computing used, ns of one core (rounded to the ns)"],
    storage_ns: ['i64', 'core time the storage path charged (diy: the block store daemons), ns of one core (rounded to the ns)'],
    network_ns: ['i64', 'core time the network path charged (diy: the overlay), ns of one core (rounded to the ns)'],
    application_cores: ['f64', 'cores the applications kept busy on average over the run'],
    infrastructure_cores: ['f64', 'cores storage and network kept busy on average over the run'],
  });
  for (const part of parts)
    for (const n of part.nodes)
      push(cols, {
        stack: part.stack,
        node: n.node,
        cores: n.cores,
        application_ns: n.application_ns,
        storage_ns: n.storage_ns,
        network_ns: n.network_ns,
        application_cores: n.application_cores,
        infrastructure_cores: n.infrastructure_cores,
      });
  return Object.values(cols);
}
