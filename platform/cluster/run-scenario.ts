/**
 * `anvil run SCENARIO --target sim`: a cluster scenario placed by the control plane (placement.ts), built
 * on the model for the appliance stack (assemble.ts) or the DIY stack (assemble-diy.ts) or both (compare.ts),
 * run, and written by the one writer of results: fio's JSON with one job per pod workload (labels in
 * anvil_labels), Arrow tables with the label columns plus the cluster's own (nodes, flows, drives, links:
 * result-tables.ts), and the scenario's summary (pods placed or pending with the reason, per pod IOPS and p99,
 * per tenant and volume, per node CPU, drives, ports, network, faults and plexes). Both stacks run the network
 * (assemble-network.ts) and the faults (node, drive, link: faults.ts, link-faults.ts); a scenario that needs
 * more is refused with a coded error naming each entry.
 */
import type { RunIo } from '../../bench/run.js';
import { anvilVersion } from '../../bench/package-root.js';
import type { OutputFormat } from '../../bench/results/fio-json.js';
import type { SimRunMeasurement } from '../../bench/results/measurement.js';
import { progressBar } from '../../bench/results/progress-bar.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import type { TableFormat } from '../../bench/results/parquet.js';
import { modelRunOutput, runTimestamp, writeOutDir, writeStdout, type RunOutput } from '../../bench/results/run-output.js';
import { loadClusterScenario, type LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { StackName } from '../../bench/scenario/schema.js';
import { loadStackCoefficients } from '../../bench/stack-coefficients.js';
import { DEFAULT_MAX_IOS } from '../../bench/targets/run-cost.js';
import { runModel } from '../../bench/targets/sim.js';
import type { StorageSchedulerKind } from '../../sim/qos/storage-qos.js';
import type { StackCoefficients } from '../../sim/stacks/coefficient-schema.js';
import type { StackBuilder } from '../../sim/stacks/diy/stack.js';
import { formatDuration, formatRate } from '../../sim/core/units.js';
import type { Pod, SchedulingFailure } from '../domain/pod.js';
import { AnvilError } from '../errors.js';
import { assembleHci, type AssembledCluster } from './assemble.js';
import { runBound } from './run-bound.js';
import { driveLine, driveUsage } from './drive-usage.js';
import { assembleDiy } from './assemble-diy.js';
import { chooseStacks, compareSummary, compareText, mergeRuns, nodeCpuText, type ScenarioCompareSummary } from './compare.js';
import { addNodeCpus, nodeCpuSummaries, type ApplicationLoads } from './node-cpu.js';
import { checkFaults, followModelResyncs, RUNNABLE_FAULTS, runRemainingFaults, scheduleFaults, settleAfterRun } from './faults.js';
import type { ScenarioPodSummary, ScenarioSummary } from './scenario-summary.js';
import type { PodOutcome } from './pod-moves.js';
import { faultLines, plexLines } from './fault-text.js';
import { checkLinkFaults } from './link-faults.js';
import { networkSummary, networkText } from './network-summary.js';
import { placeScenario } from './placement.js';
import { tenantLines, tenantRollups, unionWindow_ns, volumeRollups } from './label-rollup.js';
import { portUsage, vfLines } from './port-usage.js';
import { clusterTables, flowSeries, type StackResults } from './result-tables.js';
import { scheduleSnapshots, snapshotText } from './snapshots.js';

export interface ScenarioRunOptions {
  readonly target: string;
  /** The stack to run: hci, diy, or hci,diy to compare; default the scenario's (both compared where it names both). */
  readonly stack?: string;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  readonly outputFormat: OutputFormat;
  readonly out?: string;
  /** The formats each table under `out` is written in (`--out-format`; default arrow). */
  readonly outFormat?: readonly TableFormat[];
  /** Stop the run once its drives have served more I/Os than this (default DEFAULT_MAX_IOS); see run-bound.ts. */
  readonly maxIos?: number;
  /** The scheduler behind hci's storage QoS (default mclock); `fifo` is the declared broken one, to show what the QoS keeps. */
  readonly storageScheduler?: StorageSchedulerKind;
}

/** Refuses what this version does not model, naming each entry and what runs instead. */
function checkSupported(s: LoadedClusterScenario): void {
  const problems: string[] = [];
  s.faults.forEach((f, i) => {
    if (!RUNNABLE_FAULTS.includes(f.event))
      problems.push(`/faults/${i}: ${f.event} comes in a later version; this version runs ${RUNNABLE_FAULTS.join(', ')}`);
  });
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_SCENARIO_UNSUPPORTED',
      `${s.file} asks for what anvil run does not model yet (${problems.length} item${problems.length > 1 ? 's' : ''}); this version runs the pods, storage workloads, network flows and node, drive and link faults on both stacks`,
      problems,
    );
}

/** The scheduler's summary and, for a few nodes, each node's reason (what it has and what the pod asked). */
function pendingReason(failure: SchedulingFailure): string {
  const shown = failure.nodes.slice(0, 3).map((n) => `${n.node}: ${n.reason}`);
  const more = failure.nodes.length > shown.length ? `; and ${failure.nodes.length - shown.length} more nodes` : '';
  return shown.length > 0 ? `${failure.summary} (${shown.join('; ')}${more})` : failure.summary;
}

/** Per pod: placement, and what its jobs measured. */
function podSummaries(pods: readonly Pod[], run: SimRunMeasurement, outcomes: ReadonlyMap<string, PodOutcome>): ScenarioPodSummary[] {
  return pods.map((p) => {
    const key = `${p.namespace}/${p.name}`;
    if (p.status.state === 'pending') return { pod: key, tier: p.perf_tier, state: 'pending', reason: pendingReason(p.status.failure) };
    const jobs = run.jobs.filter((j) => j.labels?.pod === key);
    let iops = 0;
    let readP99 = -1;
    let writeP99 = -1;
    let errors = 0;
    for (const j of jobs) {
      const m = j.measured;
      errors += m.total_err ?? 0;
      if (m.window_ns > 0) iops += ((m.read.total_ios + m.write.total_ios) * 1e9) / m.window_ns;
      if (m.read.total_ios > 0) readP99 = Math.max(readP99, m.read.clat.percentile(99));
      if (m.write.total_ios > 0) writeP99 = Math.max(writeP99, m.write.clat.percentile(99));
    }
    // A pod started again ran in spells, one set of jobs each: its I/Os over the time it ran.
    if (outcomes.get(key)?.restarted) iops = ranIops(jobs);
    return {
      pod: key,
      tier: p.perf_tier,
      state: 'running',
      node: p.status.node,
      reserved_iops: p.status.reserved_iops,
      ...(jobs.length > 0 ? { iops: Math.round(iops) } : {}),
      ...(readP99 >= 0 ? { read_clat_p99_ns: readP99 } : {}),
      ...(writeP99 >= 0 ? { write_clat_p99_ns: writeP99 } : {}),
      ...(errors > 0 ? { errors } : {}),
      ...faultOutcome(outcomes.get(key)),
    };
  });
}

/** I/Os a second of jobs that ran in spells: their I/Os over the union of their windows. */
function ranIops(jobs: SimRunMeasurement['jobs']): number {
  const ran_ns = unionWindow_ns(jobs);
  const ios = jobs.reduce((n, j) => n + j.measured.read.total_ios + j.measured.write.total_ios, 0);
  return ran_ns > 0 ? (ios * 1e9) / ran_ns : 0;
}

/** A pod's moves, stop and restart, where a fault gave it any. */
function faultOutcome(o: PodOutcome | undefined): Pick<ScenarioPodSummary, 'moves' | 'stopped' | 'restarted'> {
  if (!o) return {};
  return {
    ...(o.moves.length > 0 ? { moves: o.moves } : {}),
    ...(o.stopped ? { stopped: o.stopped } : {}),
    ...(o.restarted ? { restarted: o.restarted } : {}),
  };
}

/** The summary as text, before fio's per-job text. */
export function scenarioText(s: ScenarioSummary): string {
  const lines = [
    `scenario ${s.name} (${s.file}): stack ${s.stack}, seed ${s.seed}, ${formatDuration(s.duration_ns)} (warm-up ${formatDuration(s.warmup_ns)})`,
    `pods: ${s.pods_running} running, ${s.pods_pending} pending`,
  ];
  for (const p of s.pods) {
    if (p.state === 'pending') {
      lines.push(`  ${p.pod}: pending, its workloads do not run: ${p.reason}`);
      continue;
    }
    // diy holds no floor in the I/O path: the platform's reservation is bookkeeping there.
    const reserved =
      s.stack === 'diy' ? `${p.reserved_iops} IOPS reserved by the platform, no floor on diy` : `${p.reserved_iops} IOPS reserved`;
    const figures = [`on ${p.node}`, reserved];
    if (p.iops !== undefined) figures.push(`IOPS=${formatRate(p.iops)}`);
    if (p.read_clat_p99_ns !== undefined) figures.push(`read p99=${formatDuration(p.read_clat_p99_ns)}`);
    if (p.write_clat_p99_ns !== undefined) figures.push(`write p99=${formatDuration(p.write_clat_p99_ns)}`);
    if (p.errors !== undefined) figures.push(`${p.errors} I/O errors`);
    for (const m of p.moves ?? []) figures.push(`moved to ${m.to} at ${formatDuration(m.at_ns)}`);
    if (p.stopped) figures.push(`stopped at ${formatDuration(p.stopped.at_ns)} (${p.stopped.reason})`);
    if (p.restarted) figures.push(`started again on ${p.restarted.node} at ${formatDuration(p.restarted.at_ns)}`);
    lines.push(`  ${p.pod}: ${figures.join(', ')}`);
  }
  lines.push(...tenantLines(s.tenants));
  for (const d of s.drives) lines.push(driveLine(d));
  lines.push(...faultLines(s));
  if (s.snapshots) lines.push(...snapshotText(s.snapshots));
  lines.push(...networkText(s.network), ...vfLines(s.ports, s.stack));
  for (const n of s.nodes) lines.push(nodeCpuText(n, s.stack));
  lines.push(...plexLines(s));
  return lines.join('\n') + '\n';
}

/** One stack's run of the scenario: placed afresh (the placement is deterministic, so both stacks get the same), built, run. */
function runStack(
  scenario: LoadedClusterScenario,
  stack: StackName,
  coefficients: StackCoefficients,
  io: RunIo,
  said: Set<string>,
  maxIos: number,
  storageScheduler: StorageSchedulerKind,
): StackResults & { run: SimRunMeasurement } {
  const placement = placeScenario(scenario);
  const state = placement.store.read((st) => st);
  checkFaults(scenario, state);
  checkLinkFaults(scenario, state);
  let built: AssembledCluster;
  let cpus: { stack: StackBuilder; applications: ApplicationLoads };
  if (stack === 'diy') {
    const diy = assembleDiy(scenario, state, coefficients, followModelResyncs(placement));
    built = diy;
    cpus = diy;
  } else {
    built = assembleHci(scenario, state, coefficients, followModelResyncs(placement), storageScheduler);
    // The appliance's host CPUs: the pods' computing alone (its NIC and storage controllers charge none).
    cpus = { stack: built.stack, applications: addNodeCpus(built.model, built.stack, state, scenario.duration_ns) };
  }
  const faults = scheduleFaults(scenario, placement, built, cpus.applications);
  const snapshots = scheduleSnapshots(scenario, placement, built);
  // Compare mode builds twice: a note the first stack gave is not said again.
  for (const n of built.notes) {
    if (said.has(n)) continue;
    said.add(n);
    io.stderr.write(`${n}\n`);
  }

  const bound = runBound(built, maxIos, scenario.file, scenario.duration_ns);
  const bar = progressBar(io.stderr);
  const started = performance.now();
  let run: SimRunMeasurement;
  try {
    run = runModel(built.model, {
      profile: { name: 'cluster', title: scenario.spec.name, kind: 'cluster', path: scenario.file },
      horizon_ns: scenario.duration_ns,
      onProgress: (progress) => {
        bar?.update(progress);
        bound();
      },
      wallClock_s: () => (performance.now() - started) / 1000,
    });
  } finally {
    bar?.done();
  }
  runRemainingFaults(built, scenario.duration_ns);
  const plexes = settleAfterRun(scenario, placement, built, faults);
  // Outages still open end with the run (the scenario's end: its jobs' runtime).
  const outages = faults.close(scenario.duration_ns);
  const drives = driveUsage(built, built.model.sim.now);

  // Pods as placed before the run; where a fault moved or stopped one, its summary says so.
  const pods = [...state.pods.values()];
  const summaryPods = podSummaries(pods, run, faults.pods);
  const summary: ScenarioSummary = {
    file: scenario.file,
    name: scenario.spec.name,
    stack,
    seed: scenario.seed,
    duration_ns: scenario.duration_ns,
    warmup_ns: scenario.warmup_ns,
    pods_running: summaryPods.filter((p) => p.state === 'running').length,
    pods_pending: summaryPods.filter((p) => p.state === 'pending').length,
    pods: summaryPods,
    ...(stack === 'hci' && storageScheduler !== 'mclock' ? { storage_scheduler: storageScheduler } : {}),
    tenants: tenantRollups(run),
    volumes: volumeRollups(run, (volume) => state.volumes.get(volume)?.perf_tier),
    faults: faults.records,
    plexes,
    ...(scenario.faults.length > 0 ? { outages } : {}),
    ...(scenario.snapshots.length > 0 ? { snapshots: snapshots.summary() } : {}),
    drives,
    network: networkSummary(built.network, built.model.sim.now),
    ports: portUsage(built.network, state, stack, built.model.sim.now),
    nodes: nodeCpuSummaries(cpus.stack, cpus.applications, scenario.duration_ns),
  };
  return { stack, run, summary, flows: flowSeries(built.network) };
}

/**
 * Runs a cluster scenario file on its stack, or on both in compare mode, and writes its results; returns the
 * measurement and the summary. `loaded`: the scenario already read as `file` (a sweep's point, read from its text).
 */
export async function runScenarioFile(
  file: string,
  options: ScenarioRunOptions,
  io: RunIo,
  loaded?: LoadedClusterScenario,
): Promise<{ run: SimRunMeasurement; summary: ScenarioSummary | ScenarioCompareSummary }> {
  if (options.out !== undefined) ensureOutputDir(options.out);
  if (options.target !== 'sim')
    throw new AnvilError(
      'ANVIL_ERR_TARGET',
      `--target ${options.target}: a cluster scenario runs on the model only; use --target sim (or leave --target out)`,
    );
  const s = loaded ?? loadClusterScenario(file);
  const stacks = chooseStacks(s, options.stack);
  checkSupported(s);
  for (const n of s.notes) io.stderr.write(`${n}\n`);
  const seed = options.seed ?? s.seed;
  const scenario = seed === s.seed ? s : { ...s, seed };
  const coefficients = loadStackCoefficients(...(s.coefficientsFile !== undefined ? [s.coefficientsFile] : []));

  const said = new Set<string>();
  const storageScheduler = options.storageScheduler ?? 'mclock';
  if (storageScheduler !== 'mclock')
    io.stderr.write(
      stacks.includes('hci')
        ? `note: ${file}: storage QoS scheduler ${storageScheduler} on hci: the tiers' reservations, limits and weights are not applied\n`
        : `note: ${file}: --storage-scheduler ${storageScheduler} has no effect on diy, which has no storage QoS\n`,
    );
  const runs = stacks.map((stack) =>
    runStack(scenario, stack, coefficients, io, said, options.maxIos ?? DEFAULT_MAX_IOS, storageScheduler),
  );
  const compared = runs.length > 1;
  const run = compared ? mergeRuns(runs) : runs[0]!.run;
  const parts = runs.map((r) => r.summary);
  const summary = compared ? compareSummary(parts) : parts[0]!;

  const version = anvilVersion();
  const base = modelRunOutput(run, { version, timestamp_s: runTimestamp(), jobFile: file });
  const output: RunOutput = {
    ...base,
    // fio's text per stack in compare mode, each under a header naming its stack.
    measurements: compared
      ? runs.map(({ stack, run: r }) => ({ ...r, profile: { ...r.profile, title: `${r.profile.title}, stack ${stack}` } }))
      : base.measurements,
    document: (format) => ({ ...base.document(format), anvil_scenario: summary }),
    summary: (schemaVersion) => {
      const doc = base.summary(schemaVersion) as { anvil: object };
      return { ...doc, anvil: { ...doc.anvil, scenario: summary } };
    },
    tables: async () => {
      const { tableMetadata } = await import('../../bench/results/arrow-tables.js');
      return [...(await base.tables()), ...(await clusterTables(runs, tableMetadata(run, { version, jobfile: file })))];
    },
  };
  if (options.outputFormat === 'normal')
    io.stdout.write(compared ? compareText(summary as ScenarioCompareSummary) : scenarioText(parts[0]!));
  writeStdout(io.stdout, options.outputFormat, output, version);
  if (options.out) await writeOutDir(options.out, output, options.outFormat);
  return { run, summary };
}
