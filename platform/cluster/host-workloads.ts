/**
 * A host run's fio workloads: each running pod's, all at once, inside its namespace and cgroup against its
 * volume's device, labelled as the model labels jobs (pod, volume, tenant, node). A pod the platform moves
 * at node-down has its workloads started anew in its new pod for the rest of the run (named `JOB@NS` and
 * labelled with the new node, as the model names a restarted pod's jobs), and its old fio stopped: told to
 * end (SIGTERM), it writes what it did up to then, which is kept.
 */
import type { JobMeasurement, MeasuredDirection, MeasuredJob } from '../../bench/results/measurement.js';
import type { LoadedClusterScenario, ScenarioWorkload } from '../../bench/scenario/load.js';
import type { HostNodePlan } from '../../bench/targets/host/realise/host-plan.js';
import type { RealisedHost } from '../../bench/targets/host/realise/realiser.js';
import { runOnHost } from '../../bench/targets/host/run-on-host.js';
import { hostJobText } from './host-job-text.js';

/** Time fio may take past the scenario's duration (start-up, laying out), s. */
export const SLACK_S = 60;

export interface HostWorkloads {
  /** Marks pod `key`'s running workloads as stopped on purpose (call before signalling them). */
  stopping(key: string): void;
  /** Starts pod `key`'s workloads anew in its realised pod now (`at_ns` into the run), each to its end in the run. */
  restart(key: string, at_ns: number): void;
  /** Every job (the first and any restarted), once all have ended, and the fio that ran them. */
  done(): Promise<{ jobs: JobMeasurement[]; fio: string }>;
}

/** A job started `from_ns` into the run: its window and intervals on the run's clock (fio counts from its own start). */
function later(m: MeasuredJob, from_ns: number): MeasuredJob {
  const shift = (d: MeasuredDirection): MeasuredDirection => ({
    ...d,
    intervals: d.intervals.map((row) => ({ ...row, time_ns: row.time_ns + from_ns })),
    intervalHistograms: d.intervalHistograms.map((h) => ({ ...h, time_ns: h.time_ns + from_ns })),
  });
  return {
    ...m,
    windowStart_ns: m.windowStart_ns + from_ns,
    windowEnd_ns: m.windowEnd_ns + from_ns,
    read: shift(m.read),
    write: shift(m.write),
    ...(m.trim ? { trim: shift(m.trim) } : {}),
  };
}

/** Starts every workload of a running pod; `notes` collects the workloads that cannot run. */
export function runHostWorkloads(
  s: LoadedClusterScenario,
  host: RealisedHost,
  nodes: readonly HostNodePlan[],
  notes: string[],
): HostWorkloads {
  let fio = 'fio';
  const runs: Promise<JobMeasurement[]>[] = [];
  /** Per pod, its workloads' current start (0 first); starts stopped on purpose, as `POD@START`. */
  const starts = new Map<string, number>();
  const stopped = new Set<string>();
  const start = (w: ScenarioWorkload, from_ns: number) => {
    const pod = host.pods.get(w.pod);
    const volume = host.volumes.get(w.volume);
    if (!pod || !volume) {
      if (from_ns === 0)
        notes.push(
          !pod
            ? `note: ${s.file}: ${w.path}: pod ${w.pod} is pending: its workload on ${w.volume} does not run`
            : `note: ${s.file}: ${w.path}: volume ${w.volume} is not realised on this host: its workload does not run`,
        );
      return;
    }
    const index = Number(w.path.split('/').pop());
    // Each job to the end it has in the run (its own runtime or the scenario's, from the run's start).
    const left_ns = s.duration_ns - from_ns;
    const specs = w.specs.map((x) => {
      const end_ns = x.runtime_ns > 0 ? Math.min(x.runtime_ns, s.duration_ns) : s.duration_ns;
      return { ...x, runtime_ns: Math.max(0, end_ns - from_ns) };
    });
    if (left_ns <= 0 || specs.every((x) => x.runtime_ns <= 0)) return;
    const node = nodes[pod.node]!.name;
    const tag = `${w.pod}@${from_ns}`;
    const run = runOnHost({
      jobFile: `${s.file}:${w.path}`,
      text: hostJobText(s.spec.workloads[index]!.job, specs, left_ns, volume.borrowedBytes),
      filename: volume.device,
      timeout_s: left_ns / 1e9 + SLACK_S,
      execPrefix: host.execPrefix(w.pod),
      interval_ms: Math.max(10, Math.round(s.interval_ns / 1e6)),
      stoppedOnPurpose: () => stopped.has(tag),
    }).then((r) => {
      fio = r.fioVersion;
      const labels = { pod: w.pod, volume: w.volume, tenant: w.pod.split('/')[0]!, node };
      const suffix = from_ns === 0 ? '' : `@${from_ns}`;
      return r.measurement.jobs.map((j) => ({
        ...j,
        name: `${w.pod}/${w.volume}/${index}/${j.name}${suffix}`,
        labels,
        measured: from_ns === 0 ? j.measured : later(j.measured, from_ns),
      }));
    });
    // Its failure is reported by `done`; a run started late must not end the process before that.
    run.catch(() => undefined);
    runs.push(run);
  };
  for (const w of s.workloads) start(w, 0);
  return {
    stopping(key) {
      stopped.add(`${key}@${starts.get(key) ?? 0}`);
    },
    restart(key, at_ns) {
      starts.set(key, at_ns);
      for (const w of s.workloads) if (w.pod === key) start(w, at_ns);
    },
    async done() {
      // A restart adds runs while the first ones go: wait until no more came.
      for (let seen = 0; seen < runs.length;) {
        const batch = runs.slice(seen);
        seen = runs.length;
        // Every run ends before the first failure is told, so teardown never pulls a device from under one.
        await Promise.allSettled(batch);
      }
      return { jobs: (await Promise.all(runs)).flat(), fio };
    },
  };
}
