/**
 * A plex on another node than its pod's, reached over NVMe/TCP: the target node exports the plex's loop
 * device through the kernel's NVMe target (nvmet's configfs: a subsystem named by the plex's NQN with one
 * namespace, and a TCP port per target node linked to it), and the pod's node connects to it by writing a
 * connect string to /dev/nvme-fabrics (the kernel's own interface, which nvme-cli's `nvme connect` writes
 * too: no tool to install, and the kernel answers with the controller it made, so the block device is known
 * rather than parsed from a tool's output). The port listens on 127.0.0.1 in the host's namespace, as
 * blktests' NVMe/TCP tests do: nvmet's listening socket and the initiator's are kernel sockets, and one
 * host's nodes share its kernel, so this traffic does not cross the run's shaped uplinks.
 */
import { AnvilError } from '../../../../platform/errors.js';
import type { HostActions } from './host-actions.js';
import type { HostJournal } from './journal.js';
import type { StepRunner } from './segments.js';
import { MAX_HOST_NODES } from './host-plan.js';

/** nvmet's configfs root. */
export const NVMET = '/sys/kernel/config/nvmet';
/** The address every target node's port listens on. */
export const NVMET_ADDRESS = '127.0.0.1';

/** The NQN of plex `plex` of volume `volume` of run `runId`. */
export function plexNqn(runId: string, volume: number, plex: number): string {
  return `nqn.2026-01.dev.anvil:anvilh-${runId}-v${volume}p${plex}`;
}

/**
 * Target node `node`'s port: its configfs id and TCP port (the same number, from the run's id, so two runs'
 * ports differ; a port id is 16 bits).
 */
export function nvmetPort(runId: string, node: number): { readonly id: number; readonly trsvcid: number } {
  const n = 20_000 + (parseInt(runId, 16) % 2_500) * MAX_HOST_NODES + node;
  return { id: n, trsvcid: n };
}

/** Loads what is not loaded yet: configfs mounted, the target (nvmet) and the initiator's fabrics module. */
export async function loadNvme(actions: HostActions, run: StepRunner): Promise<void> {
  if (!actions.exists(NVMET)) {
    if (!/ configfs /.test(actions.readText('/proc/mounts'))) await run(['mount', '-t', 'configfs', 'none', '/sys/kernel/config']);
    await run(['modprobe', 'nvmet']);
  }
  if (!actions.exists('/dev/nvme-fabrics')) await run(['modprobe', 'nvme-fabrics']);
}

/** Makes target node `node`'s port (once per node), listening on NVMET_ADDRESS. Returns its folder. */
export function makePort(actions: HostActions, journal: HostJournal, runId: string, node: number): string {
  const port = nvmetPort(runId, node);
  const dir = `${NVMET}/ports/${port.id}`;
  actions.mkdir(dir);
  journal.record({ kind: 'rmdir', path: dir });
  actions.writeText(`${dir}/addr_trtype`, 'tcp');
  actions.writeText(`${dir}/addr_adrfam`, 'ipv4');
  actions.writeText(`${dir}/addr_traddr`, NVMET_ADDRESS);
  actions.writeText(`${dir}/addr_trsvcid`, `${port.trsvcid}`);
  return dir;
}

/** Exports `device` as subsystem `nqn` (namespace 1, any host) on the port in `portDir`. */
export function exportPlex(actions: HostActions, journal: HostJournal, nqn: string, device: string, portDir: string): void {
  const subsystem = `${NVMET}/subsystems/${nqn}`;
  actions.mkdir(subsystem);
  journal.record({ kind: 'rmdir', path: subsystem });
  actions.writeText(`${subsystem}/attr_allow_any_host`, '1');
  actions.mkdir(`${subsystem}/namespaces/1`);
  journal.record({ kind: 'rmdir', path: `${subsystem}/namespaces/1` });
  actions.writeText(`${subsystem}/namespaces/1/device_path`, device);
  actions.writeText(`${subsystem}/namespaces/1/enable`, '1');
  actions.symlink(subsystem, `${portDir}/subsystems/${nqn}`);
  journal.record({ kind: 'unlink', path: `${portDir}/subsystems/${nqn}` });
}

/** Polls for the namespace's block device after a connect, 50 ms apart (the kernel scans namespaces after the connect returns). */
const NAMESPACE_POLLS = 200;

/**
 * Connects to `nqn` at target node `node`'s port; returns the namespace's block device (/dev/nvmeXnY: the
 * one whose controller or subsystem is `nqn`, with or without native multipath). The disconnect is
 * journalled before the connect, so a run killed in between leaves nothing `anvil host cleanup` misses.
 */
export async function connectPlex(actions: HostActions, journal: HostJournal, runId: string, node: number, nqn: string): Promise<string> {
  journal.record({ kind: 'nvme-disconnect', nqn });
  const port = nvmetPort(runId, node);
  actions.connectFabrics(`transport=tcp,traddr=${NVMET_ADDRESS},trsvcid=${port.trsvcid},nqn=${nqn}`);
  for (let poll = 0; poll < NAMESPACE_POLLS; poll++) {
    for (const d of actions.listDir('/sys/block').filter((x) => /^nvme\d+n\d+$/.test(x))) {
      let subsystem: string;
      try {
        subsystem = actions.readText(`/sys/block/${d}/device/subsysnqn`).trim();
      } catch {
        continue;
      }
      if (subsystem === nqn) return `/dev/${d}`;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new AnvilError(
    'ANVIL_ERR_HOST_SETUP',
    `connected to ${nqn} over NVMe/TCP but no namespace of it appeared under /sys/block in ${(NAMESPACE_POLLS * 50) / 1000} s`,
  );
}
