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
import { resetInterrupted, throwIfInterrupted } from '../../bench/targets/host/bounded-process.js';
import { SystemActions, type HostActions } from '../../bench/targets/host/realise/host-actions.js';
import { HostJournal, journalDir } from '../../bench/targets/host/realise/journal.js';
import { realiseHost, type RealisedHost, type RealisedPod } from '../../bench/targets/host/realise/realiser.js';
import { probeKernel, sriovNote, sriovPorts } from '../../bench/targets/host/realise/kernel-features.js';
import { sampleHost, type HostSample } from '../../bench/targets/host/realise/host-counters.js';
import { which } from '../../bench/targets/host/bounded-process.js';
import { AnvilError } from '../errors.js';
import type { HostPlan } from '../../bench/targets/host/realise/host-plan.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { checkHostRealisable, hostPlanOf, type HostTool } from './host-plan-of.js';
import { hostPlexes, type HostPlexes } from './host-plexes.js';
import { hostPodMover, type HostPodMover } from './host-pod-moves.js';
import { runHostWorkloads } from './host-workloads.js';
import type { PodOutcome } from './pod-moves.js';
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

/** What a host run says about guarantees: Linux caps, it keeps no floors. */
const GUARANTEE =
  "caps only: Linux offers I/O caps, not floors, so a pod's storage guarantee holds by capping its neighbours (their tiers' max_storage_iops); network floors are HTB rates on each pod's bridge port";

/** The same with pods on SR-IOV VFs: the network side is the VFs' rates. */
const GUARANTEE_SRIOV =
  "caps only: Linux offers I/O caps, not floors, so a pod's storage guarantee holds by capping its neighbours (their tiers' max_storage_iops); network caps and floors are each pod's VF's max_tx_rate and min_tx_rate, enforced (or not) by the NIC's driver and firmware";

export { hostJobText } from './host-job-text.js';

/** Each pod cgroup's CPU file (moved pods' old ones too), by cgroup. */
function cpuFiles(host: RealisedHost): Map<string, string> {
  return new Map(
    [...host.retired, ...host.pods.values()].flatMap((p) => (p.cpuFile !== undefined ? [[p.cgroup, p.cpuFile] as const] : [])),
  );
}

/**
 * What a run on the user's own devices says: each is borrowed (never wiped, detached or removed), and the
 * node capacity its caps come from is the node profile's, not measured on that device.
 */
function borrowedNotes(file: string, plan: HostPlan, state: ClusterState): string[] {
  const out: string[] = [];
  /** Per node (index), the user's devices its volumes run on. */
  const byNode = new Map<number, string[]>();
  for (const v of plan.volumes) {
    if (v.device === undefined) continue;
    out.push(
      `note: ${file}: volume ${v.key} runs on ${v.device} (--host-device), borrowed: Anvil never wipes, detaches or removes it, and lifts the caps it wrote on it; fio's writes overwrite its data`,
    );
    const node = plan.pods.find((p) => p.key === v.pod)!.node;
    byNode.set(node, [...(byNode.get(node) ?? []), v.device]);
  }
  for (const [index, devices] of byNode) {
    const name = plan.nodes[index]!.name;
    const inventory = state.nodes.get(name)?.inventory;
    out.push(
      `note: ${file}: ${name}'s capacity, which caps from the neighbours' reservations are derived from, is its node profile's (${inventory?.profile ?? name}: ${inventory?.guaranteeable_iops ?? 0} 4K-equivalent IOPS), not measured on ${devices.join(', ')}; for the device's own, measure it (anvil calibrate --filename DEVICE, whose writes overwrite it too) and set the profile's guaranteeable.storage_iops`,
    );
  }
  return out;
}

/** What the VFs' realisation changed on the NIC and what the drivers refused, once it is done. */
function sriovRunNotes(file: string, host: RealisedHost): string[] {
  if (!host.sriov) return [];
  const out = host.sriov.pfs.map((c) => {
    const vfs = [...host.sriov!.pods].filter(([, v]) => v.pf === c.pf).map(([key, v]) => `${key} on vf ${v.vf} (${v.dev})`);
    const count =
      c.resizeTo !== undefined
        ? `sriov_numvfs ${c.previous} -> ${c.resizeTo} (restored to ${c.previous} at the end)`
        : `its ${c.previous} VFs as they were (sriov_numvfs unchanged)`;
    return `note: ${file}: ${c.pf} (driver ${c.driver}): ${count}; ${vfs.join(', ')}; each VF's MAC, VLAN and rates are reset to none at the end. What min_tx_rate does depends on the driver (docs/cluster-scenarios.md)`;
  });
  return [...out, ...host.sriov.notes.map((n) => `note: ${file}: ${n}`)];
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
  const { plan, notes, shortfalls } = hostPlanOf(s, state, probeKernel(actions), hostTools(), {
    choices: options.hostDevices ?? [],
    destroyDataOn: options.destroyDataOn ?? [],
    ...(options.sriovPfs !== undefined ? { sriovPfs: options.sriovPfs } : {}),
  });
  notes.push(
    plan.sriov
      ? `note: ${s.file}: endpoints are SR-IOV VFs (--sriov-pf); each node's bridge and uplink are made but carry none of the pods' traffic, so the ports table's uplink counters stay near 0`
      : `note: ${s.file}: endpoints are veth ports of a Linux bridge per node with HTB classes, each node's bridge joined to a ToR bridge by an uplink shaped to its pods port`,
    `note: ${s.file}: ${sriovNote(sriovPorts(), plan.sriov?.pfs.filter((pf) => pf !== '') ?? [])}`,
    `note: ${s.file}: fio runs each job with ioengine=libaio and direct=1 unless the job names its own, as the model's jobs are asynchronous and uncached`,
  );
  if (s.faults.some((f) => f.event === 'node-down'))
    notes.push(
      `note: ${s.file}: node-down freezes the node's pods (their freezer cgroup); each the platform places on another node is made anew there and its workloads start again for the rest of the run (its flows are not restarted), the others stay frozen until node-up`,
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
  let mover: HostPodMover | undefined;
  try {
    host = await realiseHost(plan, actions, journal, checkpoint);
    // Said once the devices passed their checks (a refused device is not "run on").
    for (const n of [...borrowedNotes(s.file, plan, state), ...sriovRunNotes(s.file, host)]) {
      notes.push(n);
      io.stderr.write(`${n}\n`);
    }
    plexes = hostPlexes(host, actions);
    const podPlans = new Map(plan.pods.map((p) => [p.key, p]));
    const sources = {
      podCpuFiles: cpuFiles(host),
      devices: [...host.volumes.values()].map((v) => v.device.replace(/^\/dev\//, '')),
      interfaces: host.segments.uplinks.map((u) => u.node),
    };
    const before = sampleHost(actions, sources);
    let started = process.hrtime.bigint();
    const now_ns = () => Number(process.hrtime.bigint() - started);
    const workloads = runHostWorkloads(s, host, plan.nodes, notes);
    const running = Promise.all([
      workloads.done(),
      runHostFlows(s.flows, host, podPlans, plan.nodes, s.duration_ns / 1e9, Math.max(0.1, s.interval_ns / 1e9)),
    ]);
    if (s.faults.length > 0) {
      if (!(await awaitWorkloadsRunning(actions, podsWithWork(s, host))))
        io.stderr.write(
          `note: ${s.file}: some workloads had not started 30 s after the run began; the faults' clock started without them\n`,
        );
      started = process.hrtime.bigint();
      mover = hostPodMover(s, placement, host, plan.nodes, workloads);
      faults = scheduleHostFaults(s.faults, host, plan.nodes, actions, now_ns, s.duration_ns, { plexes, moves: mover });
    }
    const [, flows] = await running;
    await faults?.finish(Math.min(now_ns(), s.duration_ns));
    // A pod moved at node-down added runs to the workloads (its fault has finished now): wait for those too.
    const ran = await workloads.done();
    // Pods moved meanwhile have cgroups of their own on their new node: read theirs too (their start is 0).
    const after = sampleHost(actions, { ...sources, podCpuFiles: cpuFiles(host) });
    checkpoint();
    measured = { ...ran, flows, before, after };
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
  // The pods as placed at the start, with what the faults did to them (a move: when, from, to), as the model's summary.
  const outcomes = mover?.outcomes ?? new Map<string, PodOutcome>();
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
    pods: podSummaries(pods, run, outcomes),
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
        ...(v.device !== undefined ? { device: v.device } : {}),
        ...(v.caps ? { caps: v.caps, cap_iops: v.cap_iops, cap_from: v.cap_from } : {}),
      })),
      guarantee: plan.sriov ? GUARANTEE_SRIOV : GUARANTEE,
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
