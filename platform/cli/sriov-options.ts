/**
 * `--sriov-pf [NODE=]PF`, the one definition `anvil run` and `anvil check` share: a host run's pods on SR-IOV
 * virtual functions of a NIC's physical function instead of veths on a bridge. Opt-in because it changes the
 * NIC (its VF count, each VF's MAC and rates), all of which the run restores. What the PF must be (it exists,
 * offers SR-IOV, has or can have enough free VFs) is checked on the host before anything is made
 * (bench/targets/host/realise/sriov.ts).
 */
import { InvalidArgumentError, Option } from 'commander';
import { NAME_PATTERN } from '../../bench/scenario/schema.js';
import { AnvilError } from '../errors.js';
import type { SriovPfChoice } from '../cluster/host-plan-of.js';

export type { SriovPfChoice } from '../cluster/host-plan-of.js';

/** Most --sriov-pf flags: one per node a host run realises. */
const MAX_SRIOV_PFS = 16;

/** A Linux interface name: 1 to 15 characters, none of them /, :, whitespace or NUL, not . or .. */
const IFNAME = /^(?!\.\.?$)[^/:\s\0]{1,15}$/;
const NODE = new RegExp(NAME_PATTERN);

/** Parses one `--sriov-pf [NODE=]PF` onto the ones before it. */
export function parseSriovPf(value: string, previous: readonly SriovPfChoice[] = []): SriovPfChoice[] {
  const at = value.indexOf('=');
  const node = at < 0 ? undefined : value.slice(0, at).trim();
  const pf = (at < 0 ? value : value.slice(at + 1)).trim();
  if (!IFNAME.test(pf) || (node !== undefined && !NODE.test(node)))
    throw new InvalidArgumentError(
      "a NIC physical function with SR-IOV, PF or NODE=PF, e.g. --sriov-pf ens1f0 (every node's pods) or --sriov-pf node-1=ens1f0 (one per node); PF is an interface name of at most 15 characters",
    );
  if (previous.some((p) => p.node === node))
    throw new InvalidArgumentError(
      node === undefined ? 'give one --sriov-pf PF, or one NODE=PF per node' : `node ${node} is given a PF twice; give it one`,
    );
  if ((node === undefined && previous.length > 0) || previous.some((p) => p.node === undefined))
    throw new InvalidArgumentError(
      "--sriov-pf PF gives every node's pods that PF; to give nodes different PFs, name each: --sriov-pf NODE=PF",
    );
  if (previous.length >= MAX_SRIOV_PFS) throw new InvalidArgumentError(`at most ${MAX_SRIOV_PFS} --sriov-pf flags`);
  return [...previous, node === undefined ? { pf } : { node, pf }];
}

/** `--sriov-pf`, for `anvil run` and `anvil check` alike. */
export function sriovPfOption(): Option {
  return new Option(
    '--sriov-pf <pf>',
    "host target, cluster scenario: put each pod on an SR-IOV VF of this NIC physical function instead of a veth on a bridge (PF or NODE=PF; PF: every node's pods; NODE=PF: that node's, one flag per node): the VF gets the pod's MAC (and VLAN) through the PF, its tier as max_tx_rate/min_tx_rate where the driver takes them, and moves into the pod's namespace as eth0; where the PF has too few free VFs, sriov_numvfs is raised. Everything is restored at the end (VF MAC and rates to none, sriov_numvfs to its previous count), and by anvil host cleanup after a kill. Refused if the PF does not exist, has no SR-IOV, offers fewer VFs than its pods, or has VFs in use a new count would remove; a scenario with faults is refused (repeatable)",
  ).argParser(parseSriovPf);
}

/** ANVIL_ERR_USAGE where --sriov-pf is given to what does not use it: a job file, or another target than host. */
export function refuseSriovOff(opts: { readonly sriovPf?: readonly SriovPfChoice[] }, target: string, scenario: boolean): void {
  if (opts.sriovPf === undefined) return;
  if (target !== 'host')
    throw new AnvilError('ANVIL_ERR_USAGE', '--sriov-pf names a NIC of this machine for a host run; add --target host, or drop it');
  if (!scenario)
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      "--sriov-pf puts a cluster scenario's pods on SR-IOV VFs; a fio job file has no pods, so drop it",
    );
}
