/**
 * One pod's pieces on the host: its namespace joined to its node's bridge by a veth with the MAC and IP the
 * platform allocated, its cgroups (the I/O hierarchy's group, and on cgroup v1 a cpuacct and a freezer
 * group), and its bridge port's HTB tree (the node's link as the root class, a class per sending pod).
 * The realiser makes every pod so at the start, and a pod the platform moves at node-down again on its new node.
 */
import { createGroup, procsFile, type CgroupHierarchy } from './cgroups.js';
import type { HostActions } from './host-actions.js';
import {
  HTB_DEFAULT_MINOR,
  HTB_LINK_CLASS,
  HTB_MIN_RATE_BITS_PER_S,
  htbPodClass,
  runCgroup,
  tcRate,
  type HostPlan,
  type PodNames,
} from './host-plan.js';
import type { HostJournal } from './journal.js';
import type { StepRunner } from './segments.js';

/** Where cgroup v1 mounts its hierarchies (cpuacct, freezer). */
export const V1_ROOT = '/sys/fs/cgroup';

/** Where a pod sits on its node's bridge: the address and MAC the platform allocated it. */
export interface PodAddress {
  readonly ip: string;
  readonly prefix: number;
  readonly mac: string;
}

/** A pod's cgroup files: where its processes go, where its CPU time is counted, what freezes it. */
export interface PodGroups {
  readonly procs: readonly string[];
  readonly cpuFile?: string;
  readonly freeze?: { readonly file: string; readonly frozen: string; readonly thawed: string };
}

/** The namespace, its veth into `bridge` (eth0 inside, with the platform's MAC and IP), up. */
export async function podNetwork(n: PodNames, a: PodAddress, bridge: string, run: StepRunner): Promise<void> {
  await run(['ip', 'netns', 'add', n.netns], ['ip', 'netns', 'del', n.netns]);
  await run(['ip', 'link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.podVeth], ['ip', 'link', 'del', n.hostVeth]);
  await run(['ip', 'link', 'set', n.podVeth, 'netns', n.netns]);
  await run(['ip', '-n', n.netns, 'link', 'set', n.podVeth, 'name', 'eth0']);
  await run(['ip', '-n', n.netns, 'link', 'set', 'eth0', 'address', a.mac]);
  await run(['ip', '-n', n.netns, 'addr', 'add', `${a.ip}/${a.prefix}`, 'dev', 'eth0']);
  await run(['ip', '-n', n.netns, 'link', 'set', 'lo', 'up']);
  await run(['ip', '-n', n.netns, 'link', 'set', 'eth0', 'up']);
  await run(['ip', 'link', 'set', n.hostVeth, 'master', bridge]);
  await run(['ip', 'link', 'set', n.hostVeth, 'up']);
}

/** The v1 hierarchies a pod also joins (where mounted, on a v1 host): cpuacct for the nodes table, freezer for node-down. */
export function v1Extras(
  actions: HostActions,
  h: CgroupHierarchy,
): { readonly root: string; readonly file: string; readonly freezer: boolean }[] {
  if (h.version !== 'v1') return [];
  return [
    { root: `${V1_ROOT}/cpuacct`, file: 'cpuacct.usage', freezer: false },
    { root: `${V1_ROOT}/freezer`, file: 'freezer.state', freezer: true },
  ].filter((x) => actions.exists(x.root));
}

/** The run's parent groups (the I/O hierarchy's and the v1 extras'), made before any pod's. */
export function runGroups(actions: HostActions, journal: HostJournal, h: CgroupHierarchy, runId: string): void {
  const parent = runCgroup(runId);
  actions.mkdir(`${h.root}/${parent}`);
  journal.record({ kind: 'rmdir', path: `${h.root}/${parent}` });
  for (const x of v1Extras(actions, h)) {
    actions.mkdir(`${x.root}/${parent}`);
    journal.record({ kind: 'rmdir', path: `${x.root}/${parent}` });
  }
}

/**
 * A pod's groups: the I/O hierarchy's (v2 also counts its CPU and freezes it: cpu.stat, cgroup.freeze),
 * and on v1 a cpuacct and a freezer group. A frozen pod is thawed before its group is removed (a run
 * killed while a node is down leaves its pods frozen).
 */
export function podGroups(actions: HostActions, journal: HostJournal, h: CgroupHierarchy, runId: string, cgroup: string): PodGroups {
  createGroup(actions, h, runCgroup(runId), cgroup);
  journal.record({ kind: 'rmdir', path: `${h.root}/${cgroup}` });
  if (h.version === 'v2') {
    const dir = `${h.root}/${cgroup}`;
    return {
      procs: [procsFile(h, cgroup)],
      cpuFile: `${dir}/cpu.stat`,
      freeze: { file: `${dir}/cgroup.freeze`, frozen: '1', thawed: '0' },
    };
  }
  const procs = [procsFile(h, cgroup)];
  let cpuFile: string | undefined;
  let freeze: PodGroups['freeze'];
  for (const x of v1Extras(actions, h)) {
    actions.mkdir(`${x.root}/${cgroup}`);
    journal.record({ kind: 'rmdir', path: `${x.root}/${cgroup}` });
    const file = `${x.root}/${cgroup}/${x.file}`;
    if (x.freezer) journal.record({ kind: 'write', path: file, text: 'THAWED' });
    procs.push(`${x.root}/${cgroup}/cgroup.procs`);
    if (x.freezer) freeze = { file, frozen: 'FROZEN', thawed: 'THAWED' };
    else cpuFile = file;
  }
  return { procs, ...(cpuFile !== undefined ? { cpuFile } : {}), ...(freeze ? { freeze } : {}) };
}

/**
 * Bridged traffic leaves through the receiving pod's port: that egress is where senders contend, so the
 * port of pod `receiver` (index in the plan) gets its node's link as its root class and a class per sending pod.
 */
export async function shapePort(plan: HostPlan, receiver: number, port: string, link_bits_per_s: number, run: StepRunner): Promise<void> {
  const link = tcRate(link_bits_per_s);
  const fallback = `1:${HTB_DEFAULT_MINOR.toString(16)}`;
  await run(
    ['tc', 'qdisc', 'add', 'dev', port, 'root', 'handle', '1:', 'htb', 'default', HTB_DEFAULT_MINOR.toString(16)],
    ['tc', 'qdisc', 'del', 'dev', port, 'root'],
  );
  await run(['tc', 'class', 'add', 'dev', port, 'parent', '1:', 'classid', HTB_LINK_CLASS, 'htb', 'rate', link, 'ceil', link]);
  await run([
    'tc',
    'class',
    'add',
    'dev',
    port,
    'parent',
    HTB_LINK_CLASS,
    'classid',
    fallback,
    'htb',
    'rate',
    tcRate(HTB_MIN_RATE_BITS_PER_S),
    'ceil',
    link,
  ]);
  for (const [j, sender] of plan.pods.entries()) {
    if (j === receiver) continue;
    const rate = tcRate(Math.max(HTB_MIN_RATE_BITS_PER_S, Math.min(sender.rate_bits_per_s, link_bits_per_s)));
    const ceil = tcRate(Math.min(Math.max(sender.ceil_bits_per_s, HTB_MIN_RATE_BITS_PER_S), link_bits_per_s));
    const flowid = htbPodClass(j);
    await run(['tc', 'class', 'add', 'dev', port, 'parent', HTB_LINK_CLASS, 'classid', flowid, 'htb', 'rate', rate, 'ceil', ceil]);
    const match = ['match', 'ip', 'src', `${sender.ip}/32`, 'flowid', flowid];
    await run(['tc', 'filter', 'add', 'dev', port, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32', ...match]);
  }
}
