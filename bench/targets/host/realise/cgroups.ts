/**
 * Cgroups for pods, on whichever hierarchy the host mounts: cgroup v2 (io.max on the unified hierarchy,
 * where its io controller is available) or cgroup v1 (the blkio controller's throttle files). Linux
 * offers caps, not floors: a guarantee is kept by capping the neighbours.
 */
import { AnvilError } from '../../../../platform/errors.js';
import type { HostActions } from './host-actions.js';
import type { IoCaps } from './host-plan.js';

export interface CgroupHierarchy {
  readonly version: 'v1' | 'v2';
  /** The hierarchy's root folder. */
  readonly root: string;
}

const V2_ROOTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'];
const V1_BLKIO = '/sys/fs/cgroup/blkio';

function controllers(actions: HostActions, root: string): string[] {
  const file = `${root}/cgroup.controllers`;
  if (!actions.exists(file)) return [];
  return actions.readText(file).trim().split(/\s+/);
}

/** The hierarchy whose I/O limits work here: v2 with io, else v1 blkio; ANVIL_ERR_HOST_UNREALISED naming what is missing. */
export function findIoHierarchy(actions: HostActions): CgroupHierarchy {
  for (const root of V2_ROOTS) if (controllers(actions, root).includes('io')) return { version: 'v2', root };
  if (actions.exists(V1_BLKIO)) return { version: 'v1', root: V1_BLKIO };
  throw new AnvilError(
    'ANVIL_ERR_HOST_UNREALISED',
    'this host has neither a cgroup v2 hierarchy with the io controller nor a cgroup v1 blkio hierarchy, so storage tiers cannot be capped; mount one (cgroup2 on /sys/fs/cgroup, or the blkio controller)',
  );
}

/** Where processes are put into `group` (the file a pid is written to). */
export function procsFile(h: CgroupHierarchy, group: string): string {
  return `${h.root}/${group}/cgroup.procs`;
}

/** Creates `group` (and on v2 lets its parent hand the io controller down). */
export function createGroup(actions: HostActions, h: CgroupHierarchy, parent: string, group: string): void {
  actions.mkdir(`${h.root}/${group}`);
  if (h.version === 'v2') actions.writeText(`${h.root}/${parent}/cgroup.subtree_control`, '+io');
}

/** Enables the io controller below the root (v2) before the run's parent is made. */
export function enableIoBelowRoot(actions: HostActions, h: CgroupHierarchy): void {
  if (h.version === 'v2') actions.writeText(`${h.root}/cgroup.subtree_control`, '+io');
}

const CAP_KEYS = ['riops', 'wiops', 'rbps', 'wbps'] as const;
const V1_FILES = {
  riops: 'blkio.throttle.read_iops_device',
  wiops: 'blkio.throttle.write_iops_device',
  rbps: 'blkio.throttle.read_bps_device',
  wbps: 'blkio.throttle.write_bps_device',
} as const;

/** One write per file for each key of `caps` that is set, each key's value given by `value`. */
function capLines(
  h: CgroupHierarchy,
  group: string,
  device: string,
  caps: IoCaps,
  value: (k: (typeof CAP_KEYS)[number]) => number | string,
): { path: string; text: string }[] {
  const dir = `${h.root}/${group}`;
  const keys = CAP_KEYS.filter((k) => caps[k] !== undefined);
  if (h.version === 'v2')
    return keys.length > 0 ? [{ path: `${dir}/io.max`, text: `${device} ${keys.map((k) => `${k}=${value(k)}`).join(' ')}` }] : [];
  return keys.map((k) => ({ path: `${dir}/${V1_FILES[k]}`, text: `${device} ${value(k)}` }));
}

/** The lines that cap `device` (MAJ:MIN) for `group`: one write per file. */
export function ioLimitWrites(h: CgroupHierarchy, group: string, device: string, caps: IoCaps): { path: string; text: string }[] {
  return capLines(h, group, device, caps, (k) => caps[k]!);
}

/**
 * The lines that lift every cap `ioLimitWrites` wrote for `device` in `group` (v2 `max`, v1 `0`): undone
 * before the group is removed, so a borrowed device keeps no rule of Anvil's even if its group stays busy.
 */
export function ioLimitClears(h: CgroupHierarchy, group: string, device: string, caps: IoCaps): { path: string; text: string }[] {
  return capLines(h, group, device, caps, () => (h.version === 'v2' ? 'max' : 0));
}
