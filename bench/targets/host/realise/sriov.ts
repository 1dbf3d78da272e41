/**
 * Pods on SR-IOV virtual functions (`--sriov-pf`): instead of a veth on a bridge, each pod gets a VF of its
 * node's physical function (PF), with the platform's MAC set through the PF (`ip link set PF vf N mac`),
 * its tier as the VF's transmit rates (`max_tx_rate`, `min_tx_rate`, Mbit/s, where the driver takes them),
 * and the VF's network device moved into the pod's namespace, renamed eth0, addressed and up. Traffic
 * between pods' VFs goes through the NIC's embedded switch, not the bridges, so their HTB classes do not
 * apply. The PF is checked before anything is made (it exists, offers SR-IOV, has or can have enough free
 * VFs); where it has too few VFs, sriov_numvfs is written (0 first, as the kernel requires before another
 * count) and the previous count journalled, so teardown and `anvil host cleanup` restore it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AnvilError } from '../../../../platform/errors.js';
import type { HostActions } from './host-actions.js';
import type { HostPlan, HostPodPlan } from './host-plan.js';
import type { HostJournal } from './journal.js';
import type { StepRunner } from './segments.js';

/** Where sysfs lists this namespace's network devices. */
export const SYS_CLASS_NET = '/sys/class/net';

/** Where iproute2 keeps named network namespaces. */
export const NETNS_RUN_DIR = '/run/netns';

/** How long a new VF's network device may take to appear (its VF driver probing it), ms. */
export const VF_APPEAR_TIMEOUT_MS = 10_000;
const VF_POLL_MS = 100;

/** A PF as checked: its driver, its VFs now, the count to write (if any), and the VFs the pods get, in pod order. */
export interface PfChoice {
  readonly pf: string;
  /** The PF's driver (device/driver's name: ice, i40e, ixgbe, mlx5_core, bnxt_en...), or 'unknown'. */
  readonly driver: string;
  /** sriov_numvfs before the run. */
  readonly previous: number;
  /** sriov_numvfs the run writes (absent: it has enough free VFs as it is). */
  readonly resizeTo?: number;
  /** VF indices for the pods on it, in plan order. */
  readonly vfs: readonly number[];
}

/** A VF's rates from a tier, Mbit/s (0: none): ceil below the link is the cap, the guarantee the minimum. */
export function vfRates(
  rate_bits_per_s: number,
  ceil_bits_per_s: number,
  link_bits_per_s: number,
): { readonly max_mbit: number; readonly min_mbit: number } {
  // A cap at or above the link is none; a cap is rounded up (never below the tier's maximum by rounding).
  const max_mbit = ceil_bits_per_s >= link_bits_per_s ? 0 : Math.max(1, Math.ceil(ceil_bits_per_s / 1e6));
  // A guarantee is rounded down (never promised above the tier) and kept at or below the cap (drivers refuse min > max).
  const floor = Math.floor(rate_bits_per_s / 1e6);
  return { max_mbit, min_mbit: max_mbit > 0 ? Math.min(floor, max_mbit) : floor };
}

function readNumber(actions: HostActions, path: string): number | undefined {
  try {
    const n = Number(actions.readText(path).trim());
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The network device a VF has in this namespace, if any (none: bound to another driver, or moved into a namespace). */
export function vfNetdev(actions: HostActions, root: string, pf: string, vf: number): string | undefined {
  return actions.listDir(`${root}/${pf}/device/virtfn${vf}/net`).sort()[0];
}

/** Why VF `vf` of `pf` looks in use, or undefined where it is free: no netdev here, or its netdev is up. */
function vfInUse(actions: HostActions, root: string, pf: string, vf: number): string | undefined {
  const dev = vfNetdev(actions, root, pf, vf);
  if (dev === undefined)
    return `vf ${vf}: no network device in this namespace (bound to another driver such as vfio-pci for a VM, or in a namespace)`;
  let flags = 0;
  try {
    flags = parseInt(actions.readText(`${root}/${dev}/flags`).trim(), 16);
  } catch {
    // unreadable flags: taken as down
  }
  return (flags & 1) !== 0 ? `vf ${vf}: ${dev} is up` : undefined;
}

/** The NICs here with SR-IOV, for a refusal's advice. */
function sriovNames(actions: HostActions, root: string): string[] {
  return actions.listDir(root).filter((n) => (readNumber(actions, `${root}/${n}/device/sriov_totalvfs`) ?? 0) > 0);
}

/**
 * Checks each PF of `plan.sriov` for its pods, before anything is made; ANVIL_ERR_HOST_SRIOV naming every
 * PF that does not exist, offers no SR-IOV, offers fewer VFs than it has pods, or has VFs in use that a
 * new count would remove.
 */
export function checkSriov(plan: HostPlan, actions: HostActions): PfChoice[] {
  const sriov = plan.sriov;
  if (!sriov) return [];
  const root = sriov.sysClassNet ?? SYS_CLASS_NET;
  const podsOn = new Map<string, number>();
  for (const p of plan.pods) {
    const pf = sriov.pfs[p.node];
    if (pf !== undefined) podsOn.set(pf, (podsOn.get(pf) ?? 0) + 1);
  }
  const problems: string[] = [];
  const out: PfChoice[] = [];
  for (const [pf, needed] of podsOn) {
    const offered = sriovNames(actions, root);
    const others = offered.length > 0 ? `the NICs here with SR-IOV are ${offered.join(', ')}` : 'no NIC here offers SR-IOV';
    if (!actions.exists(`${root}/${pf}`)) {
      problems.push(`--sriov-pf ${pf}: no network device ${pf} here (${root}); ${others}`);
      continue;
    }
    const total = readNumber(actions, `${root}/${pf}/device/sriov_totalvfs`) ?? 0;
    if (total === 0) {
      problems.push(`--sriov-pf ${pf}: ${pf} offers no SR-IOV (no device/sriov_totalvfs above 0); ${others}`);
      continue;
    }
    if (total < needed) {
      problems.push(`--sriov-pf ${pf}: ${pf} offers ${total} VFs, fewer than its ${needed} pods; name a PF per node, or run fewer pods`);
      continue;
    }
    const previous = readNumber(actions, `${root}/${pf}/device/sriov_numvfs`) ?? 0;
    let driver = 'unknown';
    try {
      driver = actions.realPath(`${root}/${pf}/device/driver`).split('/').pop() || 'unknown';
    } catch {
      // no driver link: named as unknown in the notes
    }
    const busy: string[] = [];
    const free: number[] = [];
    for (let vf = 0; vf < previous; vf++) {
      const why = vfInUse(actions, root, pf, vf);
      if (why === undefined) free.push(vf);
      else busy.push(why);
    }
    if (free.length >= needed) {
      out.push({ pf, driver, previous, vfs: free.slice(0, needed) });
      continue;
    }
    if (busy.length > 0) {
      problems.push(
        `--sriov-pf ${pf}: ${pf} has ${previous} VFs, ${busy.length} in use (${busy.join('; ')}), and its ${needed} pods need ${needed} free; a new count would remove the VFs in use, so free them (ip link set DEV down) or name another PF`,
      );
      continue;
    }
    out.push({ pf, driver, previous, resizeTo: needed, vfs: Array.from({ length: needed }, (_, i) => i) });
  }
  if (problems.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_HOST_SRIOV',
      `the physical functions --sriov-pf names cannot give every pod a VF (${problems.length} item${problems.length > 1 ? 's' : ''}); nothing was changed`,
      problems,
    );
  return out;
}

/** Writes sriov_numvfs where a PF has too few VFs, journalling what restores the previous count (0 first). */
export function resizeVfs(actions: HostActions, journal: HostJournal, root: string, choice: PfChoice): void {
  if (choice.resizeTo === undefined) return;
  const file = `${root}/${choice.pf}/device/sriov_numvfs`;
  if (choice.previous > 0) {
    // The kernel takes a new count only from 0 (EBUSY otherwise).
    actions.writeText(file, '0');
    journal.record({ kind: 'write', path: file, text: `${choice.previous}` });
  }
  actions.writeText(file, `${choice.resizeTo}`);
  journal.record({ kind: 'write', path: file, text: '0' });
}

/** Waits for VF `vf`'s network device to appear (its driver probes it after sriov_numvfs is written). */
async function awaitNetdev(actions: HostActions, root: string, pf: string, vf: number, checkpoint: () => void): Promise<string> {
  for (let waited = 0; ; waited += VF_POLL_MS) {
    const dev = vfNetdev(actions, root, pf, vf);
    if (dev !== undefined) return dev;
    if (waited >= VF_APPEAR_TIMEOUT_MS)
      throw new AnvilError(
        'ANVIL_ERR_HOST_SRIOV',
        `vf ${vf} of ${pf} has no network device after ${VF_APPEAR_TIMEOUT_MS / 1000} s: load its VF driver (iavf, ixgbevf, mlx5_core, bnxt_en) and check ${root}/${pf}/device/sriov_drivers_autoprobe is 1`,
      );
    checkpoint();
    await sleep(VF_POLL_MS);
  }
}

/** What realising one pod on a VF adds to the run's notes. */
export interface VfPodOutcome {
  readonly vf: number;
  readonly dev: string;
  readonly notes: readonly string[];
}

/**
 * Pod `p` on VF `vf` of `choice.pf`, in namespace `netns`: MAC, VLAN and rates through the PF (journalled as
 * a reset to none while the VF exists), its netdev moved in, renamed eth0, addressed and up (journalled as
 * down, renamed back and returned to the host's namespace while the pod's namespace exists).
 */
export async function podOnVf(
  p: HostPodPlan,
  netns: string,
  vf: number,
  choice: PfChoice,
  link_bits_per_s: number,
  vlan: number | undefined,
  ctx: { actions: HostActions; journal: HostJournal; root: string; run: StepRunner; checkpoint: () => void },
): Promise<VfPodOutcome> {
  const { actions, journal, root, run } = ctx;
  const pf = choice.pf;
  const notes: string[] = [];
  const vfDir = `${root}/${pf}/device/virtfn${vf}`;
  const setVf = (...rest: string[]) => ['ip', 'link', 'set', 'dev', pf, 'vf', `${vf}`, ...rest];
  await run(['ip', 'netns', 'add', netns], ['ip', 'netns', 'del', netns]);
  const dev = await awaitNetdev(actions, root, pf, vf, ctx.checkpoint);

  // Undone after the netdev is back in the host's namespace: rates, VLAN, MAC to none, while the VF exists.
  const { max_mbit, min_mbit } = vfRates(p.rate_bits_per_s, p.ceil_bits_per_s, link_bits_per_s);
  if (max_mbit > 0 || min_mbit > 0) journal.record({ kind: 'run-if', path: vfDir, argv: setVf('max_tx_rate', '0', 'min_tx_rate', '0') });
  if (vlan !== undefined) journal.record({ kind: 'run-if', path: vfDir, argv: setVf('vlan', '0') });
  journal.record({ kind: 'run-if', path: vfDir, argv: setVf('mac', '00:00:00:00:00:00') });
  await run(setVf('mac', p.mac));
  if (vlan !== undefined) await run(setVf('vlan', `${vlan}`));
  // Rates are the driver's to take: one it refuses is said in the run's notes, and the pod runs without it.
  const refused = (e: unknown): string => {
    if (!(e instanceof AnvilError) || e.code !== 'ANVIL_ERR_HOST_SETUP') throw e;
    return e.message;
  };
  const who = `pod ${p.key} (vf ${vf} of ${pf}, driver ${choice.driver})`;
  let capped = max_mbit === 0;
  if (min_mbit > 0) {
    // Some drivers (bnxt_en) refuse a minimum above the maximum, 0 (no cap) included: the PF's speed caps nothing either.
    const pfMbit = readNumber(actions, `${root}/${pf}/speed`) ?? 0;
    const withMin = max_mbit === 0 && pfMbit > 0 ? pfMbit : max_mbit;
    try {
      await run(setVf('max_tx_rate', `${withMin}`, 'min_tx_rate', `${min_mbit}`));
      capped = true;
    } catch (e) {
      notes.push(`${who}: the driver refused min_tx_rate ${min_mbit} (${refused(e)}); its guarantee is not enforced by the NIC`);
    }
  }
  if (!capped) {
    try {
      await run(setVf('max_tx_rate', `${max_mbit}`));
      if (min_mbit > 0) notes[notes.length - 1] += `, only its cap (max_tx_rate ${max_mbit} Mbit/s)`;
    } catch (e) {
      notes.push(`${who}: the driver refused max_tx_rate ${max_mbit} (${refused(e)}); its maximum is not enforced by the NIC`);
    }
  }

  await run(['ip', 'link', 'set', 'dev', dev, 'netns', netns]);
  journal.record({ kind: 'run-if', path: `${NETNS_RUN_DIR}/${netns}`, argv: ['ip', '-n', netns, 'link', 'set', 'dev', dev, 'netns', '1'] });
  await run(['ip', '-n', netns, 'link', 'set', 'dev', dev, 'name', 'eth0']);
  journal.record({
    kind: 'run-if',
    path: `${NETNS_RUN_DIR}/${netns}`,
    argv: ['ip', '-n', netns, 'link', 'set', 'dev', 'eth0', 'name', dev],
  });
  await run(['ip', '-n', netns, 'addr', 'add', `${p.ip}/${p.prefix}`, 'dev', 'eth0']);
  await run(['ip', '-n', netns, 'link', 'set', 'lo', 'up']);
  await run(['ip', '-n', netns, 'link', 'set', 'dev', 'eth0', 'up']);
  // A device is renamed only while down.
  journal.record({ kind: 'run-if', path: `${NETNS_RUN_DIR}/${netns}`, argv: ['ip', '-n', netns, 'link', 'set', 'dev', 'eth0', 'down'] });
  return { vf, dev, notes };
}
