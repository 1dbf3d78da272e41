/**
 * A plan's volumes on the host: each plex a sparse file on a loop device (direct I/O where the file system
 * allows it); a plex on another node than its pod's exported there and connected over NVMe/TCP
 * (nvme-tcp.ts); two or more plexes an md RAID1 mirror (md-mirror.ts). The pod's fio uses the loop device,
 * the NVMe namespace or the md device, capped for its cgroup. Every piece is journalled as it is made. A
 * volume the user gave a block device of their own (`--host-device`, checked in borrowed-device.ts) runs on
 * it instead: journalled as borrowed, so nothing undoes it, and its caps lifted before its cgroup goes.
 */
import { join } from 'node:path';
import { AnvilError } from '../../../../platform/errors.js';
import type { BorrowedDevice } from './borrowed-device.js';
import { ioLimitClears, ioLimitWrites, type CgroupHierarchy } from './cgroups.js';
import type { HostActions } from './host-actions.js';
import type { HostPlan, IoCaps } from './host-plan.js';
import type { HostJournal } from './journal.js';
import { createMirror, mirrorPath, type RealisedMirror } from './md-mirror.js';
import { connectPlex, exportPlex, loadNvme, makePort, plexNqn } from './nvme-tcp.js';
import type { StepRunner } from './segments.js';

/** One plex as realised: its node, its loop device there, and what the pod's node sees of it. */
export interface RealisedPlex {
  /** Index of its node in the plan. */
  readonly node: number;
  /** /dev/loopN on its node. */
  readonly loop: string;
  /** The device the pod's node uses: the loop device, or the NVMe/TCP namespace (/dev/nvmeXnY) of a remote plex. */
  readonly member: string;
  /** The plex's NQN, where it is remote. */
  readonly nqn?: string;
}

export interface RealisedVolume {
  readonly key: string;
  readonly pod: string;
  /** Index of the node its device is on: its pod's node as placed at the start (a mirror's or remote plex's array is there too). */
  readonly node: number;
  /** The device fio uses: /dev/loopN, /dev/nvmeXnY, /dev/mdN, or the user's own device (`borrowed`). */
  readonly device: string;
  /** The user's device (`--host-device`) as they named it: Anvil never wipes, detaches or removes it. */
  readonly borrowed?: string;
  /** On a borrowed device, the volume's size, bytes: fio's `size` there (a loop device is the volume's size already). */
  readonly borrowedBytes?: number;
  /** MAJ:MIN of the device. */
  readonly majorMinor: string;
  /** Its plexes, where the plan names them (a mirror or a remote plex). */
  readonly plexes?: readonly RealisedPlex[];
  readonly mirror?: RealisedMirror;
}

/** Makes every volume of `plan`; `podOf` gives the realised pod's node and cgroup. */
export async function realiseVolumes(
  plan: HostPlan,
  actions: HostActions,
  journal: HostJournal,
  hierarchy: CgroupHierarchy,
  podOf: (key: string) => { readonly node: number; readonly cgroup: string } | undefined,
  run: StepRunner,
  checkpoint: () => void,
  borrowed: ReadonlyMap<string, BorrowedDevice> = new Map(),
): Promise<Map<string, RealisedVolume>> {
  const volumes = new Map<string, RealisedVolume>();
  const ports = new Map<number, string>();
  const majorMinorOf = (device: string) => actions.readText(`/sys/class/block/${device.replace(/^\/dev\//, '')}/dev`).trim();
  const loop = async (file: string, bytes: number) => {
    actions.makeSparseFile(file, bytes);
    const device = (await attachLoop(actions, file, checkpoint)).trim();
    journal.record({ kind: 'run', argv: ['losetup', '-d', device] });
    return device;
  };
  for (const [k, v] of plan.volumes.entries()) {
    const pod = podOf(v.pod);
    if (!pod) throw new AnvilError('ANVIL_ERR_HOST_SETUP', `volume ${v.key}: its pod ${v.pod} is not in the plan`);
    let device: string;
    let plexes: RealisedPlex[] | undefined;
    let mirror: RealisedMirror | undefined;
    const own = borrowed.get(v.key);
    if (own !== undefined) {
      if (v.plexes !== undefined)
        throw new AnvilError('ANVIL_ERR_HOST_SETUP', `volume ${v.key}: a device named for it replaces a single loop device, not plexes`);
      journal.record({ kind: 'borrowed', device: own.given, majorMinor: own.majorMinor });
      device = own.device;
    } else if (v.plexes === undefined) device = await loop(join(plan.workDir, `v${k}.img`), v.size_bytes);
    else {
      plexes = [];
      if (v.plexes.some((n) => n !== pod.node)) await loadNvme(actions, run);
      for (const [j, node] of v.plexes.entries()) {
        const dev = await loop(join(plan.workDir, `v${k}p${j}.img`), v.size_bytes);
        if (node === pod.node) {
          plexes.push({ node, loop: dev, member: dev });
          continue;
        }
        checkpoint();
        const nqn = plexNqn(plan.runId, k, j);
        let port = ports.get(node);
        if (port === undefined) ports.set(node, (port = makePort(actions, journal, plan.runId, node)));
        exportPlex(actions, journal, nqn, dev, port);
        plexes.push({ node, loop: dev, nqn, member: await connectPlex(actions, journal, plan.runId, node, nqn) });
      }
      if (plexes.length > 1) {
        checkpoint();
        mirror = await createMirror(
          mirrorPath(plan.runId, k),
          plexes.map((p) => p.member),
          run,
          actions,
          journal,
        );
      }
      device = mirror?.device ?? plexes[0]!.member;
    }
    const majorMinor = own?.majorMinor ?? mirror?.majorMinor ?? majorMinorOf(device);
    if (v.caps) capDevice(actions, journal, hierarchy, pod.cgroup, majorMinor, v.caps, own !== undefined);
    volumes.set(v.key, {
      key: v.key,
      pod: v.pod,
      node: pod.node,
      device,
      majorMinor,
      ...(own ? { borrowed: own.given, borrowedBytes: v.size_bytes } : {}),
      ...(plexes ? { plexes } : {}),
      ...(mirror ? { mirror } : {}),
    });
  }
  return volumes;
}

/**
 * Caps `majorMinor` for `cgroup`; on a borrowed device each cap's lifting is journalled too (undone before the
 * cgroup is removed), so no rule of Anvil's stays on the user's device.
 */
export function capDevice(
  actions: HostActions,
  journal: HostJournal,
  hierarchy: CgroupHierarchy,
  cgroup: string,
  majorMinor: string,
  caps: IoCaps,
  borrowed: boolean,
): void {
  for (const w of ioLimitWrites(hierarchy, cgroup, majorMinor, caps)) actions.writeText(w.path, w.text);
  if (borrowed) for (const w of ioLimitClears(hierarchy, cgroup, majorMinor, caps)) journal.record({ kind: 'write', ...w });
}

/**
 * losetup with direct I/O to the backing file (no second page cache), or without where the file system
 * refuses it. An attach that fails or is stopped midway (Ctrl-C reaches losetup too) may have attached the
 * device before losetup died, with no undo step recorded for it: whatever is attached to `file` is detached
 * before the error goes on (a run stopped so once left its loop device attached).
 */
export async function attachLoop(actions: HostActions, file: string, checkpoint: () => void): Promise<string> {
  checkpoint();
  try {
    return await actions.run(['losetup', '--find', '--show', '--direct-io=on', file]);
  } catch (e) {
    await detachLoopsOf(actions, file);
    if (!(e instanceof AnvilError) || e.code !== 'ANVIL_ERR_HOST_SETUP') throw e;
  }
  try {
    return await actions.run(['losetup', '--find', '--show', file]);
  } catch (e) {
    await detachLoopsOf(actions, file);
    throw e;
  }
}

/** Detaches every loop device backed by `file` (`losetup --associated`), as far as it can: this runs on a failure path. */
async function detachLoopsOf(actions: HostActions, file: string): Promise<void> {
  let listed: string;
  try {
    listed = await actions.run(['losetup', '--associated', file]);
  } catch {
    return;
  }
  // One line per device: `/dev/loop3: []: (FILE)`.
  for (const line of listed.split('\n')) {
    const device = /^(\/dev\/loop\d+):/.exec(line)?.[1];
    if (device !== undefined) await actions.run(['losetup', '-d', device]).catch(() => undefined);
  }
}
