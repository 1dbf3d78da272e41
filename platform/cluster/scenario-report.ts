/**
 * A scenario run's report, whatever realised it (the model or a host): per pod its placement and what
 * its jobs measured, and the summary as text before fio's per-job text.
 */
import type { SimRunMeasurement } from '../../bench/results/measurement.js';
import { formatDuration, formatRate } from '../../sim/core/units.js';
import type { Pod, SchedulingFailure } from '../domain/pod.js';
import { nodeCpuText } from './compare.js';
import { driveLine } from './drive-usage.js';
import { faultLines, plexLines } from './fault-text.js';
import { tenantLines, unionWindow_ns } from './label-rollup.js';
import { networkText } from './network-summary.js';
import type { PodOutcome } from './pod-moves.js';
import { vfLines } from './port-usage.js';
import type { ScenarioPodSummary, ScenarioSummary } from './scenario-summary.js';
import { snapshotText } from './snapshots.js';

/** The scheduler's summary and, for a few nodes, each node's reason (what it has and what the pod asked). */
function pendingReason(failure: SchedulingFailure): string {
  const shown = failure.nodes.slice(0, 3).map((n) => `${n.node}: ${n.reason}`);
  const more = failure.nodes.length > shown.length ? `; and ${failure.nodes.length - shown.length} more nodes` : '';
  return shown.length > 0 ? `${failure.summary} (${shown.join('; ')}${more})` : failure.summary;
}

/** Per pod: placement, and what its jobs measured (on any target: its jobs carry the pod label). */
export function podSummaries(
  pods: readonly Pod[],
  run: Pick<SimRunMeasurement, 'jobs'>,
  outcomes: ReadonlyMap<string, PodOutcome>,
): ScenarioPodSummary[] {
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
  for (const d of s.drives) lines.push(driveLine(d, s.host !== undefined));
  lines.push(...faultLines(s));
  if (s.snapshots) lines.push(...snapshotText(s.snapshots));
  lines.push(...networkText(s.network), ...vfLines(s.ports, s.stack));
  for (const n of s.nodes) lines.push(nodeCpuText(n, s.stack));
  lines.push(...plexLines(s));
  return lines.join('\n') + '\n';
}
