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
import type { HostDeviceChoice, SriovPfChoice } from './host-plan-of.js';
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
import { runModel, type SimProgress } from '../../bench/targets/sim.js';
import type { ReportingUnit } from '../../sim/model/model.js';
import type { StorageSchedulerKind } from '../../sim/qos/storage-qos.js';
import type { StackCoefficients } from '../../sim/stacks/coefficient-schema.js';
import type { StackBuilder } from '../../sim/stacks/diy/stack.js';
import { AnvilError } from '../errors.js';
import { assembleHci, type AssembledCluster } from './assemble.js';
import { podSummaries, scenarioText } from './scenario-report.js';

export { scenarioText };
import { runBound } from './run-bound.js';
import { driveUsage } from './drive-usage.js';
import { assembleDiy } from './assemble-diy.js';
import { chooseStacks, compareSummary, compareText, mergeRuns, type ScenarioCompareSummary } from './compare.js';
import { addNodeCpus, nodeCpuSummaries, type ApplicationLoads } from './node-cpu.js';
import { checkFaults, followModelResyncs, RUNNABLE_FAULTS, runRemainingFaults, scheduleFaults, settleAfterRun } from './faults.js';
import type { ScenarioSummary } from './scenario-summary.js';
import { checkLinkFaults } from './link-faults.js';
import { networkSummary } from './network-summary.js';
import { placeScenario } from './placement.js';
import { tenantRollups, volumeRollups } from './label-rollup.js';
import { portUsage } from './port-usage.js';
import { clusterTables, flowSeries, type StackResults } from './result-tables.js';
import { scheduleSnapshots } from './snapshots.js';

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
  /**
   * Called between slices of simulated time with the run's progress and its reporting units (their
   * recorders hold the intervals closed so far): how a run started by anvil serve streams while it runs.
   */
  readonly onSlice?: (progress: SimProgress, units: readonly ReportingUnit[]) => void;
  /** Host target: volumes realised on the user's own block devices instead of loop devices (`--host-device`). */
  readonly hostDevices?: readonly HostDeviceChoice[];
  /** Host target: devices fio may write over although they carry a file system or partition table (`--destroy-data-on`). */
  readonly destroyDataOn?: readonly string[];
  /** Host target: pods on SR-IOV VFs of these PFs instead of veths (`--sriov-pf`). */
  readonly sriovPfs?: readonly SriovPfChoice[];
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

/** One stack's run of the scenario: placed afresh (the placement is deterministic, so both stacks get the same), built, run. */
function runStack(
  scenario: LoadedClusterScenario,
  stack: StackName,
  coefficients: StackCoefficients,
  io: RunIo,
  said: Set<string>,
  maxIos: number,
  storageScheduler: StorageSchedulerKind,
  onSlice: ScenarioRunOptions['onSlice'],
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
        onSlice?.(progress, built.model.units);
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
      `--target ${options.target}: a cluster scenario runs on the model (--target sim) or is realised on this Linux host (--target host)`,
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
    runStack(scenario, stack, coefficients, io, said, options.maxIos ?? DEFAULT_MAX_IOS, storageScheduler, options.onSlice),
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
