/**
 * Realises a placed scenario on this host: a Linux bridge, per pod a network namespace joined to it by a
 * veth with the MAC and IP the platform allocated and a cgroup, per pod's bridge port an HTB tree with a
 * class per sending pod (rate its tier's guarantee, ceil its maximum or the link), per volume a sparse
 * file on a loop device, or the user's own block device (--host-device), capped for its pod's cgroup
 * (io.max, or blkio throttles on cgroup v1); with `plan.sriov`, each pod on a VF of its node's PF instead of a
 * veth (sriov.ts: MAC, VLAN and rates through the PF, no HTB classes: the NIC's switch carries it). Every
 * step goes through `HostActions` and is journalled as it succeeds; `teardown` (and any failure while
 * realising) undoes the journal, last first.
 */
import { join } from 'node:path';
import { packageRoot } from '../../../package-root.js';
import { AnvilError } from '../../../../platform/errors.js';
import { inspectBorrowedDevices } from './borrowed-device.js';
import { enableIoBelowRoot, findIoHierarchy, type CgroupHierarchy } from './cgroups.js';
import type { HostActions } from './host-actions.js';
import { MAX_HOST_NODES, MAX_HOST_PODS, MAX_POD_MOVES, podMoveNames, podNames, type HostPlan, type PodNames } from './host-plan.js';
import type { HostJournal } from './journal.js';
import { podGroups, podNetwork, runGroups, shapePort, type PodAddress } from './pods.js';
import { realiseSegments, realiseVlans, type RealisedSegments } from './segments.js';
import { checkSriov, podOnVf, resizeVfs, SYS_CLASS_NET, type PfChoice } from './sriov.js';
import { capDevice, realiseVolumes, type RealisedVolume } from './volumes.js';

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
  /** Pods a move replaced (on the node they left), oldest first: their cgroups' CPU counts for that node. */
  readonly retired: readonly RealisedPod[];
  readonly volumes: ReadonlyMap<string, RealisedVolume>;
  /** With `plan.sriov`: each PF as checked, each pod's VF and its netdev's name on the host, what the run should say. */
  readonly sriov?: {
    readonly pfs: readonly PfChoice[];
    readonly pods: ReadonlyMap<string, { readonly pf: string; readonly vf: number; readonly dev: string }>;
    readonly notes: readonly string[];
  };
  /** The argv prefix that runs a command inside pod `key`'s namespace and cgroup. */
  execPrefix(key: string): string[];
  /**
   * Makes pod `key` anew on node `to.node` (index in the plan): a new namespace on that node's bridge with
   * `to`'s address, new cgroups with its volumes' caps, its port shaped as every pod's; its old port goes
   * down (the address is the new port's now). `pods` gives the new pod from then on; the old one stays
   * until teardown. Everything is journalled.
   */
  movePod(key: string, to: PodAddress & { readonly node: number }): Promise<RealisedPod>;
  /** Removes everything; returns what could not be removed. */
  teardown(): Promise<string[]>;
}

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
  const retired: RealisedPod[] = [];
  /** Times each pod was made anew on another node. */
  const moves = new Map<string, number>();
  const volumes = new Map<string, RealisedVolume>();
  let segments: RealisedSegments | undefined;
  const vfPods = new Map<string, { pf: string; vf: number; dev: string }>();
  const vfNotes: string[] = [];
  const sriovChoices: PfChoice[] = [];
  try {
    // The user's own devices are checked before anything is made: a refusal leaves the machine as it was.
    const borrowed = await inspectBorrowedDevices(plan, actions);
    const pfs = checkSriov(plan, actions);
    actions.mkdir(plan.workDir);
    journal.record({ kind: 'rmtree', path: plan.workDir });
    segments = await realiseSegments(plan, run);

    const root = plan.sriov?.sysClassNet ?? SYS_CLASS_NET;
    for (const choice of pfs) resizeVfs(actions, journal, root, choice);
    /** VFs handed out so far, per PF. */
    const handed = new Map<string, number>();
    for (const [i, p] of plan.pods.entries()) {
      const n = podNames(plan.runId, i);
      const choice = pfs.find((c) => c.pf === plan.sriov?.pfs[p.node]);
      if (choice) {
        const k = handed.get(choice.pf) ?? 0;
        handed.set(choice.pf, k + 1);
        const vlan = plan.vlans?.find((v) => v.pods.includes(p.key))?.vid;
        const ctx = { actions, journal, root, run, checkpoint };
        const got = await podOnVf(p, n.netns, choice.vfs[k]!, choice, plan.nodes[p.node]!.link_bits_per_s, vlan, ctx);
        vfPods.set(p.key, { pf: choice.pf, vf: got.vf, dev: got.dev });
        vfNotes.push(...got.notes);
      } else await podNetwork(n, p, segments.bridges[p.node]!, run);
      pods.set(p.key, { ...n, key: p.key, node: p.node, ip: p.ip, procs: [] });
    }
    sriovChoices.push(...pfs);
    // On VFs, a pod's VLAN is the VF's (set through the PF); its bridge has no port of it.
    if (!plan.sriov) await realiseVlans(plan, segments, run);

    checkpoint();
    enableIoBelowRoot(actions, hierarchy);
    runGroups(actions, journal, hierarchy, plan.runId);
    for (const p of [...pods.values()]) pods.set(p.key, { ...p, ...podGroups(actions, journal, hierarchy, plan.runId, p.cgroup) });
    // A VF pod has no bridge port: the NIC's switch carries its traffic, its rates are the VF's.
    for (const [i, receiver] of plan.pods.entries())
      if (!vfPods.has(receiver.key))
        await shapePort(plan, i, podNames(plan.runId, i).hostVeth, plan.nodes[receiver.node]!.link_bits_per_s, run);

    for (const [key, v] of await realiseVolumes(plan, actions, journal, hierarchy, (k) => pods.get(k), run, checkpoint, borrowed))
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
    retired,
    volumes,
    ...(plan.sriov ? { sriov: { pfs: sriovChoices, pods: vfPods, notes: vfNotes } } : {}),
    execPrefix(key) {
      const p = pods.get(key);
      if (!p) throw new AnvilError('ANVIL_ERR_HOST_SETUP', `pod ${key} was not realised on this host`);
      return [process.execPath, script, ...p.procs, '--', 'ip', 'netns', 'exec', p.netns];
    },
    async movePod(key, to) {
      const i = plan.pods.findIndex((p) => p.key === key);
      const old = pods.get(key);
      if (i < 0 || !old) throw new AnvilError('ANVIL_ERR_HOST_SETUP', `pod ${key} was not realised on this host`);
      if (plan.sriov)
        throw new AnvilError('ANVIL_ERR_HOST_UNREALISED', `pod ${key} is on an SR-IOV VF; a host run with --sriov-pf does not move pods`);
      const move = (moves.get(key) ?? 0) + 1;
      if (move > MAX_POD_MOVES)
        throw new AnvilError(
          'ANVIL_ERR_HOST_UNREALISED',
          `pod ${key} would be made anew a ${move}th time; a host run moves a pod at most ${MAX_POD_MOVES} times`,
        );
      moves.set(key, move);
      const n = podMoveNames(plan.runId, i, move);
      await podNetwork(n, to, segments!.bridges[to.node]!, run);
      const vlan = plan.vlans?.find((v) => v.pods.includes(key));
      if (vlan) {
        await run(['bridge', 'vlan', 'del', 'dev', n.hostVeth, 'vid', '1']);
        await run(['bridge', 'vlan', 'add', 'dev', n.hostVeth, 'vid', `${vlan.vid}`, 'pvid', 'untagged']);
      }
      const pod: RealisedPod = { ...n, key, node: to.node, ip: to.ip, ...podGroups(actions, journal, hierarchy, plan.runId, n.cgroup) };
      await shapePort(plan, i, n.hostVeth, plan.nodes[to.node]!.link_bits_per_s, run);
      for (const v of plan.volumes) {
        const device = volumes.get(v.key);
        if (v.pod !== key || !v.caps || !device) continue;
        capDevice(actions, journal, hierarchy, n.cgroup, device.majorMinor, v.caps, device.borrowed !== undefined);
      }
      await actions.run(['ip', 'link', 'set', old.hostVeth, 'down']);
      retired.push(old);
      pods.set(key, pod);
      return pod;
    },
    teardown: () => journal.undo(actions),
  };
}
