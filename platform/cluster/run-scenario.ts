/**
 * `anvil run SCENARIO --target sim`: a cluster scenario placed by the control plane (placement.ts), built
 * on the model for the appliance stack (assemble.ts) or the DIY stack (assemble-diy.ts) or both (compare.ts),
 * run, and written by the one writer of results: fio's JSON with one job per pod workload (labels in
 * anvil_labels), Arrow tables with the label columns plus nodes.arrow (CPU per node), and the scenario's
 * summary (pods placed or pending with the reason, per pod IOPS and p99, per node CPU, faults and plexes).
 * This slice runs node-down/node-up faults on hci (faults.ts) and no network flows; a scenario that needs
 * more is refused with a coded error naming each entry.
 */
import type { RunIo } from '../../bench/run.js';
import { anvilVersion } from '../../bench/package-root.js';
import type { OutputFormat } from '../../bench/results/fio-json.js';
import type { SimRunMeasurement } from '../../bench/results/measurement.js';
import { progressBar } from '../../bench/results/progress-bar.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { modelRunOutput, runTimestamp, writeOutDir, writeStdout, type RunOutput } from '../../bench/results/run-output.js';
import { loadClusterScenario, type LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { StackName } from '../../bench/scenario/schema.js';
import { loadStackCoefficients } from '../../bench/stack-coefficients.js';
import { runModel } from '../../bench/targets/sim.js';
import type { StackCoefficients } from '../../sim/stacks/coefficient-schema.js';
import { StackBuilder, stackTerms } from '../../sim/stacks/diy/stack.js';
import { formatDuration, formatRate } from '../../sim/core/units.js';
import type { Pod } from '../domain/pod.js';
import { AnvilError } from '../errors.js';
import { assembleHci, type AssembledCluster } from './assemble.js';
import { assembleDiy } from './assemble-diy.js';
import { chooseStacks, compareSummary, compareText, mergeRuns, nodeColumns, nodeCpuText, type ScenarioCompareSummary } from './compare.js';
import { addNodeCpus, nodeCpuSummaries, type ApplicationLoads, type NodeCpuSummary } from './node-cpu.js';
import {
  checkFaults,
  followModelResyncs,
  RUNNABLE_FAULTS,
  scheduleFaults,
  settleAfterRun,
  type FaultRecord,
  type PlexRecord,
} from './faults.js';
import { placeScenario } from './placement.js';

export interface ScenarioRunOptions {
  readonly target: string;
  /** The stack to run: hci, diy, or hci,diy to compare; default the scenario's (both compared where it names both). */
  readonly stack?: string;
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  readonly outputFormat: OutputFormat;
  readonly out?: string;
}

/** One pod as the run saw it. */
export interface ScenarioPodSummary {
  /** `TENANT/NAME`. */
  readonly pod: string;
  readonly state: 'running' | 'pending';
  readonly node?: string;
  /** Storage IOPS the platform reserved for the pod. */
  readonly reserved_iops?: number;
  /** Why the platform left it pending. */
  readonly reason?: string;
  /** Its workloads together: I/Os per second in the measurement window (reads and writes). */
  readonly iops?: number;
  /** Highest p99 completion latency of its jobs, ns, per direction (absent where none ran). */
  readonly read_clat_p99_ns?: number;
  readonly write_clat_p99_ns?: number;
}

/** The scenario's part of the results (summary.json's anvil.scenario, and anvil_scenario in JSON on stdout). */
export interface ScenarioSummary {
  readonly file: string;
  readonly name: string;
  readonly stack: StackName;
  readonly seed: number;
  readonly duration_ns: number;
  readonly warmup_ns: number;
  readonly pods_running: number;
  readonly pods_pending: number;
  readonly pods: readonly ScenarioPodSummary[];
  /** The faults as they fired, and each modelled plex's end state (with its resyncs). */
  readonly faults: readonly FaultRecord[];
  readonly plexes: readonly PlexRecord[];
  /** Per drive with plexes: what its storage QoS sent it over the run, 4K-equivalent units a second, in all and per client (volume, or resync). */
  readonly drives: readonly {
    readonly drive: string;
    readonly units_per_s: number;
    readonly clients: Readonly<Record<string, number>>;
  }[];
  /** Per node, the host CPU the applications and the infrastructure (storage, network) used (hci: no infrastructure). */
  readonly nodes: readonly NodeCpuSummary[];
}

/** Refuses what this version does not model, naming each entry and what runs instead. */
function checkSupported(s: LoadedClusterScenario, stacks: readonly StackName[]): void {
  const problems: string[] = [];
  s.faults.forEach((f, i) => {
    if (!RUNNABLE_FAULTS.includes(f.event))
      problems.push(`/faults/${i}: ${f.event} comes in a later version; this version runs ${RUNNABLE_FAULTS.join(' and ')}`);
    else if (stacks.includes('diy'))
      problems.push(`/faults/${i}: ${f.event} on the diy stack comes in a later version; run the faults with --stack hci`);
  });
  if (s.flows.length > 0)
    problems.push(
      `/flows: ${s.flows.length} network flow(s); network flows come in a later version: remove them to run the storage workloads`,
    );
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_SCENARIO_UNSUPPORTED',
      `${s.file} asks for what anvil run does not model yet (${problems.length} item${problems.length > 1 ? 's' : ''}); this version runs the pods and storage workloads on both stacks, and node-down/node-up faults on hci`,
      problems,
    );
}

/** Per pod: placement, and what its jobs measured. */
function podSummaries(pods: readonly Pod[], run: SimRunMeasurement): ScenarioPodSummary[] {
  return pods.map((p) => {
    const key = `${p.namespace}/${p.name}`;
    if (p.status.state === 'pending') return { pod: key, state: 'pending', reason: p.status.failure.summary };
    const jobs = run.jobs.filter((j) => j.labels?.pod === key);
    let iops = 0;
    let readP99 = -1;
    let writeP99 = -1;
    for (const j of jobs) {
      const m = j.measured;
      if (m.window_ns > 0) iops += ((m.read.total_ios + m.write.total_ios) * 1e9) / m.window_ns;
      if (m.read.total_ios > 0) readP99 = Math.max(readP99, m.read.clat.percentile(99));
      if (m.write.total_ios > 0) writeP99 = Math.max(writeP99, m.write.clat.percentile(99));
    }
    return {
      pod: key,
      state: 'running',
      node: p.status.node,
      reserved_iops: p.status.reserved_iops,
      ...(jobs.length > 0 ? { iops: Math.round(iops) } : {}),
      ...(readP99 >= 0 ? { read_clat_p99_ns: readP99 } : {}),
      ...(writeP99 >= 0 ? { write_clat_p99_ns: writeP99 } : {}),
    };
  });
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
    lines.push(`  ${p.pod}: ${figures.join(', ')}`);
  }
  for (const d of s.drives)
    lines.push(
      `drive ${d.drive}: ${formatRate(d.units_per_s)} 4K-equivalent I/Os a second from its QoS (${Object.entries(d.clients)
        .map(([c, u]) => `${c} ${formatRate(u)}`)
        .join(', ')})`,
    );
  for (const n of s.nodes) lines.push(nodeCpuText(n, s.stack));
  for (const f of s.faults)
    lines.push(`fault at ${formatDuration(f.at_ns)}: ${f.event} ${f.node}${f.plexes.length > 0 ? ` (plexes ${f.plexes.join(', ')})` : ''}`);
  if (s.faults.length > 0)
    for (const p of s.plexes) {
      const copied = p.resyncs.map((r) => `resynced ${r.copied_bytes} bytes in ${formatDuration(r.finished_ns - r.started_ns)}`);
      lines.push(`  plex of ${p.volume} on ${p.node}: ${[`${p.state} (platform: ${p.platform_state})`, ...copied].join(', ')}`);
    }
  return lines.join('\n') + '\n';
}

/** One stack's run of the scenario: placed afresh (the placement is deterministic, so both stacks get the same), built, run. */
function runStack(
  scenario: LoadedClusterScenario,
  stack: StackName,
  coefficients: StackCoefficients,
  io: RunIo,
  said: Set<string>,
): { run: SimRunMeasurement; summary: ScenarioSummary } {
  const placement = placeScenario(scenario);
  const state = placement.store.read((st) => st);
  checkFaults(scenario, state);
  let built: AssembledCluster;
  let cpus: { stack: StackBuilder; applications: ApplicationLoads };
  if (stack === 'diy') {
    const diy = assembleDiy(scenario, state, coefficients);
    built = diy;
    cpus = diy;
  } else {
    built = assembleHci(scenario, state, coefficients, followModelResyncs(placement));
    // The appliance's host CPUs: the pods' computing alone (its NIC and storage controllers charge none).
    const hciStack = new StackBuilder(built.model, stackTerms(coefficients, 'hci'));
    cpus = { stack: hciStack, applications: addNodeCpus(built.model, hciStack, state, scenario.duration_ns) };
  }
  const faults = scheduleFaults(scenario.faults, placement, built);
  // Compare mode builds twice: a note the first stack gave is not said again.
  for (const n of built.notes) {
    if (said.has(n)) continue;
    said.add(n);
    io.stderr.write(`${n}\n`);
  }

  const bar = progressBar(io.stderr);
  const started = performance.now();
  const run = runModel(built.model, {
    profile: { name: 'cluster', title: scenario.spec.name, kind: 'cluster', path: scenario.file },
    horizon_ns: scenario.duration_ns,
    ...(bar ? { onProgress: bar.update } : {}),
    wallClock_s: () => (performance.now() - started) / 1000,
  });
  bar?.done();
  const plexes = settleAfterRun(scenario, placement, built);
  const seconds = built.model.sim.now / 1e9;
  const drives = [...built.qos].map(([drive, qos]) => {
    const perClient = qos.clientNames.map((name, i) => [name, Math.round(qos.scheduler.unitsDispatched[i]! / seconds)] as const);
    return { drive, units_per_s: perClient.reduce((sum, [, u]) => sum + u, 0), clients: Object.fromEntries(perClient) };
  });

  // Pods as placed before the run (a fault moves none that has a workload).
  const summaryPods = podSummaries([...state.pods.values()], run);
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
    faults,
    plexes,
    drives,
    nodes: nodeCpuSummaries(cpus.stack, cpus.applications, scenario.duration_ns),
  };
  return { run, summary };
}

/** Runs a cluster scenario file on its stack, or on both in compare mode, and writes its results; returns the measurement and the summary. */
export async function runScenarioFile(
  file: string,
  options: ScenarioRunOptions,
  io: RunIo,
): Promise<{ run: SimRunMeasurement; summary: ScenarioSummary | ScenarioCompareSummary }> {
  if (options.out !== undefined) ensureOutputDir(options.out);
  if (options.target !== 'sim')
    throw new AnvilError(
      'ANVIL_ERR_TARGET',
      `--target ${options.target}: a cluster scenario runs on the model only; use --target sim (or leave --target out)`,
    );
  const s = loadClusterScenario(file);
  const stacks = chooseStacks(s, options.stack);
  checkSupported(s, stacks);
  for (const n of s.notes) io.stderr.write(`${n}\n`);
  const seed = options.seed ?? s.seed;
  const scenario = seed === s.seed ? s : { ...s, seed };
  const coefficients = loadStackCoefficients(...(s.coefficientsFile !== undefined ? [s.coefficientsFile] : []));

  const said = new Set<string>();
  const runs = stacks.map((stack) => ({ stack, ...runStack(scenario, stack, coefficients, io, said) }));
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
      const { tableMetadata, toIpc } = await import('../../bench/results/arrow-tables.js');
      const nodes = toIpc(nodeColumns(parts), tableMetadata(run, { version, jobfile: file }));
      return [...(await base.tables()), ['nodes.arrow', nodes] as const];
    },
  };
  if (options.outputFormat === 'normal')
    io.stdout.write(compared ? compareText(summary as ScenarioCompareSummary) : scenarioText(parts[0]!));
  writeStdout(io.stdout, options.outputFormat, output, version);
  if (options.out) await writeOutDir(options.out, output);
  return { run, summary };
}
