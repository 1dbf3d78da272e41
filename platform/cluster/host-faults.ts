/**
 * A scenario's node and link faults on a realised host, at their times from the workloads' start:
 * link-down/link-up take the node's uplink (both ends) down or up, so flows between it and the other
 * nodes stop while flows within it go on; node-down also stops every process of the node's pods (their
 * freezer cgroups frozen, or SIGSTOP to each pid where no freezer is mounted: fio and iperf3 pause, their
 * clocks run on) and fails its mirrors' plexes (host-plexes.ts); the control plane then places the node's
 * pods elsewhere as on the model, and each it moved is made anew on its new node with its workloads started
 * again (host-pod-moves.ts), its old fio told to end. node-up starts the pods still stopped again, brings
 * the uplink back and re-adds the plexes. What fired is recorded in the model's fault, outage and plex
 * records. Every timer ends with the run: stopped pods are started again then.
 */
import type { ScenarioFault } from '../../bench/scenario/load.js';
import type { HostActions } from '../../bench/targets/host/realise/host-actions.js';
import type { HostNodePlan } from '../../bench/targets/host/realise/host-plan.js';
import type { RealisedHost, RealisedPod } from '../../bench/targets/host/realise/realiser.js';
import type { FaultRecord, OutageRecord } from './fault-records.js';
import type { HostPlexes } from './host-plexes.js';
import type { HostPodMover } from './host-pod-moves.js';

/** How often a resync under way is checked for its end, ms. */
const RESYNC_POLL_MS = 100;

export interface HostFaults {
  readonly records: FaultRecord[];
  /** Pod outages (stop to start again, or the run's end), after `finish`. */
  readonly podOutages: OutageRecord[];
  /** Errors of fault steps (a link that would not go down), to report. */
  readonly errors: string[];
  /** Clears pending faults, starts stopped pods again and closes their outages at `end_ns`. */
  finish(end_ns: number): Promise<void>;
}

/** The process ids in a pod's cgroups (its cgroup.procs files, deduplicated). */
function podPids(actions: HostActions, procs: readonly string[]): number[] {
  const pids = new Set<number>();
  for (const file of procs)
    for (const line of actions.readText(file).split('\n')) {
      const pid = Number(line.trim());
      if (Number.isInteger(pid) && pid > 0) pids.add(pid);
    }
  return [...pids];
}

/** Is `pid` a fio that no fio started (the main process, which ends its job processes and writes the results)? */
function isFioMain(actions: HostActions, pid: number): boolean {
  const comm = (p: number | string) => {
    try {
      return actions.readText(`/proc/${p}/comm`).trim();
    } catch {
      return '';
    }
  };
  let parent: string;
  try {
    // /proc/PID/stat: "PID (COMM) STATE PPID ...", COMM may hold spaces and parentheses.
    const stat = actions.readText(`/proc/${pid}/stat`);
    parent = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '';
  } catch {
    return false;
  }
  return comm(pid) === 'fio' && comm(parent) !== 'fio';
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids)
    try {
      process.kill(pid, signal);
    } catch {
      // the process ended meanwhile
    }
}

/**
 * Schedules `faults` from now; `now_ns` gives the run's clock (ns since the workloads started). At
 * `duration_ns` pods still stopped are started again, so their workloads see their runtime is over and end.
 */
export function scheduleHostFaults(
  faults: readonly ScenarioFault[],
  host: RealisedHost,
  nodes: readonly HostNodePlan[],
  actions: HostActions,
  now_ns: () => number,
  duration_ns: number,
  { plexes, moves }: { plexes?: HostPlexes; moves?: HostPodMover } = {},
): HostFaults {
  const records: FaultRecord[] = [];
  const podOutages: OutageRecord[] = [];
  const errors: string[] = [];
  const stopped = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  let chain = Promise.resolve();

  const setLink = async (node: number, state: 'up' | 'down') => {
    const up = host.segments.uplinks[node]!;
    for (const end of [up.node, up.tor]) await actions.run(['ip', 'link', 'set', end, state]);
  };
  // A freezer also holds processes that join the pod later (a workload still starting); else signals.
  const stop = (p: RealisedPod, frozen: boolean) => {
    if (p.freeze) actions.writeText(p.freeze.file, frozen ? p.freeze.frozen : p.freeze.thawed);
    else signalAll(podPids(actions, p.procs), frozen ? 'SIGSTOP' : 'SIGCONT');
  };
  const podsOf = (node: number) => [...host.pods.values()].filter((p) => p.node === node);
  const fire = async (f: ScenarioFault) => {
    const node = nodes.findIndex((n) => n.name === f.node);
    if (node < 0) return;
    const at_ns = now_ns();
    const base = { at_ns, event: f.event, node: f.node, plexes: [] as string[] };
    if (f.event === 'link-down' || f.event === 'link-up') {
      await setLink(node, f.event === 'link-down' ? 'down' : 'up');
      records.push({ ...base, port: f.port ?? nodes[node]!.port });
    } else if (f.event === 'node-down') {
      // Its pods stop first, at the recorded time, then its links: freezing after the two `ip link` calls
      // let a pod run a few hundred ms into its recorded outage on a loaded machine.
      const pods = podsOf(node).filter((p) => !stopped.has(p.key));
      for (const p of pods) {
        stop(p, true);
        stopped.set(p.key, at_ns);
      }
      await setLink(node, 'down');
      base.plexes = (await plexes?.down(node)) ?? [];
      // The platform places the node's pods elsewhere: each it moved is made anew there and its workloads
      // start again; its old processes end (fio told to, so it writes what it did) and its old port is down.
      const placed =
        moves?.nodeDown(
          f.node,
          pods.map((p) => p.key),
        ) ?? new Map();
      const moved: { pod: string; to: string }[] = [];
      for (const p of pods) {
        const to = placed.get(p.key);
        if (!to || !moves) continue;
        try {
          await moves.move(p.key, to, at_ns, now_ns);
        } catch (e) {
          errors.push(`node-down ${f.node}: pod ${p.key} could not be moved to ${to.name}: ${(e as Error).message}`);
          continue;
        }
        signalAll(
          podPids(actions, p.procs.slice(0, 1)).filter((pid) => isFioMain(actions, pid)),
          'SIGTERM',
        );
        stop(p, false);
        stopped.delete(p.key);
        const to_ns = now_ns();
        podOutages.push({ name: p.key, from_ns: at_ns, to_ns, outage_ns: to_ns - at_ns, until: `started again on ${to.name}` });
        moved.push({ pod: p.key, to: to.name });
      }
      const left = pods.filter((p) => stopped.has(p.key));
      records.push({
        ...base,
        ...(moved.length > 0 ? { moved } : {}),
        ...(left.length > 0 || moved.length === 0 ? { stopped: left.map((p) => ({ pod: p.key, reason: `node ${f.node} down` })) } : {}),
      });
    } else if (f.event === 'node-up') {
      moves?.nodeUp(f.node);
      const pods = podsOf(node).filter((p) => stopped.has(p.key));
      for (const p of pods) {
        stop(p, false);
        const from_ns = stopped.get(p.key)!;
        stopped.delete(p.key);
        podOutages.push({ name: p.key, from_ns, to_ns: at_ns, outage_ns: at_ns - from_ns, until: `node-up ${f.node}` });
      }
      await setLink(node, 'up');
      base.plexes = (await plexes?.up(node, at_ns)) ?? [];
      records.push({ ...base, restarted: pods.map((p) => ({ pod: p.key, on: f.node })) });
    }
  };
  // Node's timers run on a cached millisecond clock that can fire a little before `now_ns` says the time
  // has come: wait again until it has, so no fault fires (or is recorded) before its time.
  const at = (when_ns: number, action: () => void) => {
    const wait = () => {
      const left_ns = when_ns - now_ns();
      if (left_ns <= 0) action();
      else timers.push(setTimeout(wait, Math.ceil(left_ns / 1e6)));
    };
    wait();
  };
  for (const f of faults)
    at(f.at_ns, () => {
      // One fault at a time, in time order, as the model applies them.
      chain = chain.then(() => fire(f)).catch((e: unknown) => void errors.push(`${f.event} ${f.node}: ${(e as Error).message}`));
    });
  const resumeAll = (end_ns: number) => {
    for (const [key, from_ns] of stopped) {
      const p = host.pods.get(key);
      if (p) stop(p, false);
      podOutages.push({ name: key, from_ns, to_ns: end_ns, outage_ns: end_ns - from_ns, until: 'end of run' });
    }
    stopped.clear();
  };
  if (faults.length > 0) at(duration_ns, () => (chain = chain.then(() => resumeAll(duration_ns))));
  if (plexes) timers.push(setInterval(() => plexes.poll(now_ns()), RESYNC_POLL_MS));
  return {
    records,
    podOutages,
    errors,
    async finish(end_ns) {
      for (const t of timers) clearTimeout(t);
      await chain;
      plexes?.poll(end_ns);
      resumeAll(end_ns);
    },
  };
}

/** Polls of `awaitWorkloadsRunning`, 20 ms apart (30 s at most: a workload that has not started by then is late anyway). */
const START_POLLS = 1500;

/**
 * Resolves once each of `pods` has a workload process (fio or iperf3) in its cgroup, so the faults' clock
 * starts where the model's does, with the workloads: on a loaded machine a workload can take seconds to
 * start, and a node-down before it would miss it. Bounded by START_POLLS; returns whether all started.
 */
export async function awaitWorkloadsRunning(actions: HostActions, pods: readonly RealisedPod[]): Promise<boolean> {
  const running = (p: RealisedPod) =>
    podPids(actions, p.procs.slice(0, 1)).some((pid) => {
      try {
        return /^(fio|iperf3)$/.test(actions.readText(`/proc/${pid}/comm`).trim());
      } catch {
        return false;
      }
    });
  for (let poll = 0; poll < START_POLLS; poll++) {
    if (pods.every(running)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}
