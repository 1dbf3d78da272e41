/**
 * `anvil run SCENARIO --target host`: the scenario placed by the same control plane as on the model
 * (placement.ts), realised on this Linux host (bench/targets/host/realise: namespaces on a bridge, HTB
 * classes, cgroups, loop devices), each pod's fio jobs run inside its namespace and cgroup against its
 * volume's loop device and each flow as iperf3 between pods' namespaces, all at once; then written by
 * the one writer of results in the model run's shape (jobs labelled pod, volume, tenant, node; the
 * scenario summary per pod, tenant and volume), so `anvil check` judges it unchanged. Everything made
 * is removed at the end, after an error and after Ctrl-C.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunIo } from '../../bench/run.js';
import { anvilVersion } from '../../bench/package-root.js';
import { fioJson } from '../../bench/results/fio-json.js';
import type { HostRunMeasurement, JobMeasurement } from '../../bench/results/measurement.js';
import { hostMeta, runTimestamp, writeOutDir, writeStdout, type RunOutput } from '../../bench/results/run-output.js';
import type { LoadedClusterScenario } from '../../bench/scenario/load.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { resetInterrupted, throwIfInterrupted } from '../../bench/targets/host/bounded-process.js';
import { SystemActions, type HostActions } from '../../bench/targets/host/realise/host-actions.js';
import { HostJournal, journalDir } from '../../bench/targets/host/realise/journal.js';
import { realiseHost, type RealisedHost, type RealisedPod } from '../../bench/targets/host/realise/realiser.js';
import { probeKernel, sriovNote, sriovPorts } from '../../bench/targets/host/realise/kernel-features.js';
import { sampleHost, type HostSample } from '../../bench/targets/host/realise/host-counters.js';
import type { HostNodePlan } from '../../bench/targets/host/realise/host-plan.js';
import { runOnHost } from '../../bench/targets/host/run-on-host.js';
import { which } from '../../bench/targets/host/bounded-process.js';
import { AnvilError } from '../errors.js';
import { checkHostRealisable, hostPlanOf, type HostTool } from './host-plan-of.js';
import { hostPlexes, type HostPlexes } from './host-plexes.js';
import { runHostFlows, type HostFlowResult } from './host-flows.js';
import { awaitWorkloadsRunning, scheduleHostFaults, type HostFaults } from './host-faults.js';
import { hostNodeTables } from './host-node-tables.js';
import { shortfallLine } from './host-shortfalls.js';
import { tenantRollups, volumeRollups } from './label-rollup.js';
import { placeScenario } from './placement.js';
import { clusterTables } from './result-tables.js';
import type { ScenarioRunOptions } from './run-scenario.js';
import { podSummaries, scenarioText } from './scenario-report.js';
import type { ScenarioSummary } from './scenario-summary.js';

/** Time fio and iperf3 may take past the scenario's duration (start-up, laying out), s. */
const SLACK_S = 60;

/** What a host run says about guarantees: Linux caps, it keeps no floors. */
const GUARANTEE =
  "caps only: Linux offers I/O caps, not floors, so a pod's storage guarantee holds by capping its neighbours (their tiers' max_storage_iops); network floors are HTB rates on each pod's bridge port";

/**
 * The job text fio runs for a workload: defaults first (libaio at the job's iodepth, direct I/O past the
 * page cache), which the job's own [global] and sections override, as on the model where every job is
 * asynchronous and uncached; and at the end of each job section its runtime within the scenario (its own,
 * or the scenario's duration where it names none or a longer one), as the model bounds its jobs.
 */
export function hostJobText(job: string, specs: readonly WorkloadSpec[], duration_ns: number): string {
  const out = ['; defaults of anvil run SCENARIO --target host', '[global]', 'ioengine=libaio', 'direct=1', ''];
  let section: string | undefined;
  const close = () => {
    if (section === undefined || section === 'global') return;
    const own = specs.find((x) => x.name === section)?.runtime_ns ?? 0;
    const runtime_ns = own > 0 ? Math.min(own, duration_ns) : duration_ns;
    out.push(
      '; added by anvil run SCENARIO --target host: the runtime within the scenario',
      `runtime=${Math.max(1, Math.round(runtime_ns / 1e6))}ms`,
    );
  };
  for (const line of job.split('\n')) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      close();
      section = header[1]!.trim();
    }
    out.push(line);
  }
  close();
  return out.join('\n') + '\n';
}

/** The optional tools installed here (mdadm: mirrors are realised only with it). */
function hostTools(): Set<HostTool> {
  return new Set<HostTool>(which('mdadm') !== undefined ? ['mdadm'] : []);
}

export function requireRootForHost(uid: number | undefined = process.getuid?.()): void {
  if (uid !== undefined && uid !== 0)
    throw new AnvilError(
      'ANVIL_ERR_NOT_ROOT',
      'anvil run SCENARIO --target host creates network namespaces, a bridge, tc classes, cgroups and loop devices, which needs root; run it with sudo',
    );
}

/** Runs every workload of a running pod at once, each inside its pod; returns the jobs labelled as the model labels them. */
async function runWorkloads(
  s: LoadedClusterScenario,
  host: RealisedHost,
  nodes: readonly HostNodePlan[],
  notes: string[],
): Promise<{ jobs: JobMeasurement[]; fio: string }> {
  const duration_s = s.duration_ns / 1e9;
  let fio = 'fio';
  const runs = s.workloads.map(async (w) => {
    const pod = host.pods.get(w.pod);
    const volume = host.volumes.get(w.volume);
    if (!pod || !volume) {
      notes.push(
        !pod
          ? `note: ${s.file}: ${w.path}: pod ${w.pod} is pending: its workload on ${w.volume} does not run`
          : `note: ${s.file}: ${w.path}: volume ${w.volume} is not realised on this host: its workload does not run`,
      );
      return [];
    }
    const node = nodes[pod.node]!.name;
    const index = Number(w.path.split('/').pop());
    const r = await runOnHost({
      jobFile: `${s.file}:${w.path}`,
      text: hostJobText(s.spec.workloads[index]!.job, w.specs, s.duration_ns),
      filename: volume.device,
      timeout_s: duration_s + SLACK_S,
      execPrefix: host.execPrefix(w.pod),
      interval_ms: Math.max(10, Math.round(s.interval_ns / 1e6)),
    });
    fio = r.fioVersion;
    const labels = { pod: w.pod, volume: w.volume, tenant: w.pod.split('/')[0]!, node };
    return r.measurement.jobs.map((j) => ({ ...j, name: `${w.pod}/${w.volume}/${index}/${j.name}`, labels }));
  });
  return { jobs: (await Promise.all(runs)).flat(), fio };
}

/** The realised pods with a workload or a flow end to run: the faults' clock waits for them. */
function podsWithWork(s: LoadedClusterScenario, host: RealisedHost): RealisedPod[] {
  const keys = new Set([
    ...s.workloads.filter((w) => host.volumes.has(w.volume)).map((w) => w.pod),
    ...s.flows.filter((f) => host.pods.has(f.from) && host.pods.has(f.to)).flatMap((f) => [f.from, f.to]),
  ]);
  return [...keys].flatMap((k) => {
    const p = host.pods.get(k);
    return p ? [p] : [];
  });
}

/** Places, realises, runs and writes a scenario on this host; `actions` is the machine unless a test records. */
export async function runScenarioOnHost(
  s: LoadedClusterScenario,
  options: ScenarioRunOptions,
  io: RunIo,
  actions: HostActions = new SystemActions(),
): Promise<{ run: HostRunMeasurement; summary: ScenarioSummary }> {
  checkHostRealisable(s, options.stack !== undefined ? options.stack.split(',').map((x) => x.trim() as 'hci' | 'diy') : ['hci']);
  if (options.stack === undefined && s.stacks.includes('diy'))
    io.stderr.write(`note: ${s.file}: the host runs the hci stack; diy is not realised on a host yet (it runs on --target sim)\n`);
  if (!s.stacks.includes('hci') && options.stack === undefined)
    throw new AnvilError(
      'ANVIL_ERR_HOST_UNREALISED',
      `${s.file}: /stack: diy only; the host realises the hci stack (give --stack hci to run it so)`,
    );
  requireRootForHost();
  const placement = placeScenario(s);
  const state = placement.store.read((st) => st);
  const { plan, notes, shortfalls } = hostPlanOf(s, state, probeKernel(actions), hostTools());
  notes.push(
    `note: ${s.file}: endpoints are veth ports of a Linux bridge per node with HTB classes, each node's bridge joined to a ToR bridge by an uplink shaped to its pods port`,
    `note: ${s.file}: ${sriovNote(sriovPorts())}`,
    `note: ${s.file}: fio runs each job with ioengine=libaio and direct=1 unless the job names its own, as the model's jobs are asynchronous and uncached`,
  );
  if (s.faults.some((f) => f.event === 'node-down'))
    notes.push(
      `note: ${s.file}: node-down freezes the node's pods where they are (their freezer cgroup) until node-up; the host does not move them to another node`,
    );
  notes.push(...shortfalls.map((x) => shortfallLine(s.file, x)));
  for (const n of [...s.notes, ...notes]) io.stderr.write(`${n}\n`);

  resetInterrupted();
  // Ctrl-C between children would end the process before teardown: note it and stop at the next step.
  let interrupted = false;
  const onSigint = () => (interrupted = true);
  process.on('SIGINT', onSigint);
  const checkpoint = () => {
    throwIfInterrupted(`anvil run ${s.file} --target host`);
    if (interrupted)
      throw new AnvilError(
        'ANVIL_ERR_INTERRUPTED',
        `anvil run ${s.file} --target host was interrupted; everything it created has been removed`,
      );
  };
  const journal = new HostJournal(join(journalDir(), `anvil-host-${plan.runId}.journal`));
  let host: RealisedHost | undefined;
  let measured: { jobs: JobMeasurement[]; fio: string; flows: HostFlowResult[]; before: HostSample; after: HostSample };
  let faults: HostFaults | undefined;
  let plexes: HostPlexes | undefined;
  try {
    host = await realiseHost(plan, actions, journal, checkpoint);
    plexes = hostPlexes(host, actions);
    const podPlans = new Map(plan.pods.map((p) => [p.key, p]));
    const sources = {
      podCpuFiles: new Map([...host.pods.values()].flatMap((p) => (p.cpuFile !== undefined ? [[p.key, p.cpuFile] as const] : []))),
      devices: [...host.volumes.values()].map((v) => v.device.replace(/^\/dev\//, '')),
      interfaces: host.segments.uplinks.map((u) => u.node),
    };
    const before = sampleHost(actions, sources);
    let started = process.hrtime.bigint();
    const now_ns = () => Number(process.hrtime.bigint() - started);
    const running = Promise.all([
      runWorkloads(s, host, plan.nodes, notes),
      runHostFlows(s.flows, host, podPlans, plan.nodes, s.duration_ns / 1e9, Math.max(0.1, s.interval_ns / 1e9)),
    ]);
    if (s.faults.length > 0) {
      if (!(await awaitWorkloadsRunning(actions, podsWithWork(s, host))))
        io.stderr.write(
          `note: ${s.file}: some workloads had not started 30 s after the run began; the faults' clock started without them\n`,
        );
      started = process.hrtime.bigint();
      faults = scheduleHostFaults(s.faults, host, plan.nodes, actions, now_ns, s.duration_ns, plexes);
    }
    const [workloads, flows] = await running;
    await faults?.finish(Math.min(now_ns(), s.duration_ns));
    const after = sampleHost(actions, sources);
    checkpoint();
    measured = { ...workloads, flows, before, after };
  } finally {
    await faults?.finish(s.duration_ns);
    for (const e of faults?.errors ?? []) io.stderr.write(`anvil: a fault could not be realised: ${e}\n`);
    const failures = host ? await host.teardown() : [];
    process.off('SIGINT', onSigint);
    if (failures.length > 0)
      io.stderr.write(`anvil: could not remove ${failures.join('; ')}; \`anvil host cleanup\` retries from ${journal.file}\n`);
  }

  const run: HostRunMeasurement = {
    target: 'host',
    profile: { name: 'host', title: `${measured.fio} on ${hostname()}, ${s.spec.name}`, kind: 'cluster', path: s.file },
    interval_ns: Math.max(10, Math.round(s.interval_ns / 1e6)) * 1e6,
    jobs: measured.jobs,
  };
  const pods = [...state.pods.values()];
  const tables = hostNodeTables(
    host!,
    plan.nodes.map((n) => n.name),
    state,
    measured.before,
    measured.after,
  );
  const summary: ScenarioSummary = {
    file: s.file,
    name: s.spec.name,
    stack: 'hci',
    seed: options.seed ?? s.seed,
    duration_ns: s.duration_ns,
    warmup_ns: s.warmup_ns,
    pods_running: pods.filter((p) => p.status.state === 'running').length,
    pods_pending: pods.filter((p) => p.status.state === 'pending').length,
    pods: podSummaries(pods, run, new Map()),
    tenants: tenantRollups(run),
    volumes: volumeRollups(run, (volume) => state.volumes.get(volume)?.perf_tier),
    faults: faults?.records ?? [],
    plexes:
      plexes?.records(
        plan.nodes.map((n) => n.name),
        (volume, node) => placement.store.read((st) => st.volumes.get(volume)?.plexes.find((x) => x.node === node)?.state ?? 'gone'),
      ) ?? [],
    drives: tables.drives,
    ...(faults ? { outages: { volumes: [], pods: faults.podOutages } } : {}),
    network: { flows: measured.flows.map((f) => f.summary), links: [] },
    ports: tables.ports,
    nodes: tables.nodes,
    host: {
      cgroup: host!.hierarchy.version,
      bridge: host!.bridge,
      tor: host!.segments.tor,
      segments: plan.nodes.map((n, i) => ({
        node: n.name,
        bridge: host!.segments.bridges[i]!,
        uplink: host!.segments.uplinks[i]!.node,
        link_bits_per_s: n.link_bits_per_s,
      })),
      ...(plan.vlans ? { vlans: plan.vlans.map((v) => v.vid) } : {}),
      shortfalls,
      machine: tables.machine,
      volumes: plan.volumes.map((v) => ({
        volume: v.key,
        pod: v.pod,
        size_bytes: v.size_bytes,
        ...(v.caps ? { caps: v.caps, cap_iops: v.cap_iops, cap_from: v.cap_from } : {}),
      })),
      guarantee: GUARANTEE,
      notes,
    },
  };
  await writeHostScenario(s.file, run, summary, measured.flows, measured.fio, options, io);
  return { run, summary };
}

/** Writes the run as the model's scenario runs are written: stdout, and with --out summary.json and the tables. */
async function writeHostScenario(
  file: string,
  run: HostRunMeasurement,
  summary: ScenarioSummary,
  flows: readonly HostFlowResult[],
  fioVersion: string,
  options: ScenarioRunOptions,
  io: RunIo,
): Promise<void> {
  const version = anvilVersion();
  const timestamp_s = runTimestamp();
  const output: RunOutput = {
    measurements: [run],
    document: (format) => ({ ...fioJson(run, { format, version, timestamp_s }), anvil_scenario: summary }),
    summary: (schemaVersion) => ({
      ...fioJson(run, { format: 'json+', version, timestamp_s }),
      anvil: { ...hostMeta(run, { version, schemaVersion, jobFile: file, fioVersion }), seed: summary.seed, scenario: summary },
    }),
    tables: async () => {
      const { arrowTables, tableMetadata } = await import('../../bench/results/arrow-tables.js');
      return [
        ...arrowTables(run, { version, jobfile: file }),
        ...(await clusterTables(
          [{ stack: 'hci', summary, flows: flows.map((f) => f.series) }],
          tableMetadata(run, { version, jobfile: file }),
        )),
      ];
    },
  };
  if (options.outputFormat === 'normal') io.stdout.write(scenarioText(summary));
  writeStdout(io.stdout, options.outputFormat, output, version);
  if (options.out) await writeOutDir(options.out, output, options.outFormat);
}
