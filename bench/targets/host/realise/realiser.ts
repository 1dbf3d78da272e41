/**
 * Realises a placed scenario on this host: a Linux bridge, per pod a network namespace joined to it by a
 * veth with the MAC and IP the platform allocated and a cgroup, per pod's bridge port an HTB tree with a
 * class per sending pod (rate its tier's guarantee, ceil its maximum or the link), per volume a sparse
 * file on a loop device capped for its pod's cgroup (io.max, or blkio throttles on cgroup v1). Every
 * step goes through `HostActions` and is journalled as it succeeds; `teardown` (and any failure while
 * realising) undoes the journal, last first.
 */
import { join } from 'node:path';
import { packageRoot } from '../../../package-root.js';
import { AnvilError } from '../../../../platform/errors.js';
import { createGroup, enableIoBelowRoot, findIoHierarchy, procsFile, type CgroupHierarchy } from './cgroups.js';
import type { HostActions } from './host-actions.js';
import {
  HTB_DEFAULT_MINOR,
  HTB_LINK_CLASS,
  HTB_MIN_RATE_BITS_PER_S,
  htbPodClass,
  MAX_HOST_NODES,
  MAX_HOST_PODS,
  podNames,
  runCgroup,
  tcRate,
  type HostPlan,
  type PodNames,
} from './host-plan.js';
import type { HostJournal } from './journal.js';
import { realiseSegments, realiseVlans, type RealisedSegments } from './segments.js';
import { realiseVolumes, type RealisedVolume } from './volumes.js';

export interface RealisedPod extends PodNames {
  readonly key: string;
  /** Index of its node in the plan. */
  readonly node: number;
  readonly ip: string;
  /** cgroup.procs files a process of the pod is written to. */
  readonly procs: readonly string[];
  /** Where its CPU time is counted (v2 cpu.stat, v1 cpuacct.usage); absent where no hierarchy counts it. */
  readonly cpuFile?: string;
  /** Freezes and thaws its processes, those that join later too (v2 cgroup.freeze, v1 freezer.state); absent without a freezer. */
  readonly freeze?: { readonly file: string; readonly frozen: string; readonly thawed: string };
}

export type { RealisedVolume } from './volumes.js';

export interface RealisedHost {
  /** The first node's segment bridge. */
  readonly bridge: string;
  /** The ToR, each node's segment bridge and uplink ends, in the plan's node order. */
  readonly segments: RealisedSegments;
  readonly hierarchy: CgroupHierarchy;
  readonly pods: ReadonlyMap<string, RealisedPod>;
  readonly volumes: ReadonlyMap<string, RealisedVolume>;
  /** The argv prefix that runs a command inside pod `key`'s namespace and cgroup. */
  execPrefix(key: string): string[];
  /** Removes everything; returns what could not be removed. */
  teardown(): Promise<string[]>;
}

/** Where cgroup v1 mounts its hierarchies (cpuacct, freezer). */
const V1_ROOT = '/sys/fs/cgroup';

/** The compiled exec-prefix script (node runs it from dist/ whether Anvil itself runs from dist/ or source). */
export function joinCgroupScript(): string {
  return join(packageRoot(), 'dist', 'bench', 'targets', 'host', 'realise', 'join-cgroup.js');
}

/**
 * Builds `plan` on the host. `checkpoint` is called between steps (it throws to stop, e.g. after Ctrl-C);
 * on any error what was made is removed before the error goes on.
 */
export async function realiseHost(
  plan: HostPlan,
  actions: HostActions,
  journal: HostJournal,
  checkpoint: () => void = () => undefined,
): Promise<RealisedHost> {
  if (plan.pods.length > MAX_HOST_PODS)
    throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `${plan.pods.length} pods: a host run realises at most ${MAX_HOST_PODS}`);
  if (plan.nodes.length < 1 || plan.nodes.length > MAX_HOST_NODES)
    throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `${plan.nodes.length} nodes: a host run realises 1 to ${MAX_HOST_NODES}`);
  const hierarchy = findIoHierarchy(actions);
  const run = async (argv: string[], undo?: string[]) => {
    checkpoint();
    const out = await actions.run(argv);
    if (undo) journal.record({ kind: 'run', argv: undo });
    return out;
  };
  const pods = new Map<string, RealisedPod>();
  const volumes = new Map<string, RealisedVolume>();
  let segments: RealisedSegments | undefined;
  try {
    actions.mkdir(plan.workDir);
    journal.record({ kind: 'rmtree', path: plan.workDir });
    segments = await realiseSegments(plan, run);

    for (const [i, p] of plan.pods.entries()) {
      const n = podNames(plan.runId, i);
      await run(['ip', 'netns', 'add', n.netns], ['ip', 'netns', 'del', n.netns]);
      await run(['ip', 'link', 'add', n.hostVeth, 'type', 'veth', 'peer', 'name', n.podVeth], ['ip', 'link', 'del', n.hostVeth]);
      await run(['ip', 'link', 'set', n.podVeth, 'netns', n.netns]);
      await run(['ip', '-n', n.netns, 'link', 'set', n.podVeth, 'name', 'eth0']);
      await run(['ip', '-n', n.netns, 'link', 'set', 'eth0', 'address', p.mac]);
      await run(['ip', '-n', n.netns, 'addr', 'add', `${p.ip}/${p.prefix}`, 'dev', 'eth0']);
      await run(['ip', '-n', n.netns, 'link', 'set', 'lo', 'up']);
      await run(['ip', '-n', n.netns, 'link', 'set', 'eth0', 'up']);
      await run(['ip', 'link', 'set', n.hostVeth, 'master', segments.bridges[p.node]!]);
      await run(['ip', 'link', 'set', n.hostVeth, 'up']);
      pods.set(p.key, { ...n, key: p.key, node: p.node, ip: p.ip, procs: [procsFile(hierarchy, n.cgroup)] });
    }
    await realiseVlans(plan, segments, run);

    checkpoint();
    enableIoBelowRoot(actions, hierarchy);
    const parent = runCgroup(plan.runId);
    actions.mkdir(`${hierarchy.root}/${parent}`);
    journal.record({ kind: 'rmdir', path: `${hierarchy.root}/${parent}` });
    for (const p of pods.values()) {
      createGroup(actions, hierarchy, parent, p.cgroup);
      journal.record({ kind: 'rmdir', path: `${hierarchy.root}/${p.cgroup}` });
    }
    // The per-node CPU table reads each pod's CPU time (v2 counts it in every group, v1 in cpuacct's), and
    // a node-down fault freezes its pods (v2's cgroup.freeze, v1's freezer hierarchy).
    for (const [p, v1] of [
      ['cpuacct', 'cpuacct.usage'],
      ['freezer', 'freezer.state'],
    ] as const) {
      const h = `${V1_ROOT}/${p}`;
      if (hierarchy.version !== 'v1' || !actions.exists(h)) continue;
      actions.mkdir(`${h}/${parent}`);
      journal.record({ kind: 'rmdir', path: `${h}/${parent}` });
      for (const pod of [...pods.values()]) {
        actions.mkdir(`${h}/${pod.cgroup}`);
        journal.record({ kind: 'rmdir', path: `${h}/${pod.cgroup}` });
        const file = `${h}/${pod.cgroup}/${v1}`;
        // A run killed while a node is down leaves its pods frozen: thaw them before their group is removed.
        if (p === 'freezer') journal.record({ kind: 'write', path: file, text: 'THAWED' });
        const procs = [...pod.procs, `${h}/${pod.cgroup}/cgroup.procs`];
        pods.set(pod.key, {
          ...pod,
          procs,
          ...(p === 'cpuacct' ? { cpuFile: file } : { freeze: { file, frozen: 'FROZEN', thawed: 'THAWED' } }),
        });
      }
    }
    if (hierarchy.version === 'v2')
      for (const pod of [...pods.values()]) {
        const dir = `${hierarchy.root}/${pod.cgroup}`;
        pods.set(pod.key, { ...pod, cpuFile: `${dir}/cpu.stat`, freeze: { file: `${dir}/cgroup.freeze`, frozen: '1', thawed: '0' } });
      }

    // Bridged traffic leaves through the receiving pod's port: that egress is where senders contend,
    // so each port gets its node's link as its root class and one class per sending pod.
    for (const [i, receiver] of plan.pods.entries()) {
      const port = podNames(plan.runId, i).hostVeth;
      const link_bits_per_s = plan.nodes[receiver.node]!.link_bits_per_s;
      const link = tcRate(link_bits_per_s);
      await run(
        ['tc', 'qdisc', 'add', 'dev', port, 'root', 'handle', '1:', 'htb', 'default', HTB_DEFAULT_MINOR.toString(16)],
        ['tc', 'qdisc', 'del', 'dev', port, 'root'],
      );
      await run(['tc', 'class', 'add', 'dev', port, 'parent', '1:', 'classid', HTB_LINK_CLASS, 'htb', 'rate', link, 'ceil', link]);
      await run(
        ['tc', 'class', 'add', 'dev', port, 'parent', HTB_LINK_CLASS, 'classid', `1:${HTB_DEFAULT_MINOR.toString(16)}`, 'htb'].concat([
          'rate',
          tcRate(HTB_MIN_RATE_BITS_PER_S),
          'ceil',
          link,
        ]),
      );
      for (const [j, sender] of plan.pods.entries()) {
        if (sender === receiver) continue;
        const rate = tcRate(Math.max(HTB_MIN_RATE_BITS_PER_S, Math.min(sender.rate_bits_per_s, link_bits_per_s)));
        const ceil = tcRate(Math.min(Math.max(sender.ceil_bits_per_s, HTB_MIN_RATE_BITS_PER_S), link_bits_per_s));
        await run([
          'tc',
          'class',
          'add',
          'dev',
          port,
          'parent',
          HTB_LINK_CLASS,
          'classid',
          htbPodClass(j),
          'htb',
          'rate',
          rate,
          'ceil',
          ceil,
        ]);
        await run(
          ['tc', 'filter', 'add', 'dev', port, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32'].concat([
            'match',
            'ip',
            'src',
            `${sender.ip}/32`,
            'flowid',
            htbPodClass(j),
          ]),
        );
      }
    }

    for (const [key, v] of await realiseVolumes(plan, actions, journal, hierarchy, (k) => pods.get(k), run, checkpoint))
      volumes.set(key, v);
  } catch (e) {
    const failures = await journal.undo(actions);
    if (failures.length > 0 && e instanceof AnvilError)
      throw new AnvilError(e.code, `${e.message}; and some of what was made could not be removed (anvil host cleanup retries)`, [
        ...e.details,
        ...failures,
      ]);
    throw e;
  }
  const script = joinCgroupScript();
  return {
    bridge: segments!.bridges[0]!,
    segments: segments!,
    hierarchy,
    pods,
    volumes,
    execPrefix(key) {
      const p = pods.get(key);
      if (!p) throw new AnvilError('ANVIL_ERR_HOST_SETUP', `pod ${key} was not realised on this host`);
      return [process.execPath, script, ...p.procs, '--', 'ip', 'netns', 'exec', p.netns];
    },
    teardown: () => journal.undo(actions),
  };
}
