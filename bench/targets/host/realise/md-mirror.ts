/**
 * A mirrored volume's plexes as an md RAID1 array (mdadm), the device its pod's fio uses. Created with
 * --assume-clean and an internal write-intent bitmap: the plexes are new sparse files, all zeroes and so
 * already identical, so the initial sync (a read and write of every block, competing with the workloads) is
 * skipped; the bitmap is what lets a plex failed and removed at node-down come back with --re-add and copy
 * only the regions written while it was away, as the model's resync copies the dirty blocks (without it md
 * refuses --re-add and a returning plex is rebuilt whole). mdadm adds a bitmap by itself only above 100 GB.
 */
import type { HostActions } from './host-actions.js';
import type { HostJournal } from './journal.js';
import type { StepRunner } from './segments.js';

/** A mirror as realised: its name under /dev/md, the kernel's device (/dev/mdN) and MAJ:MIN. */
export interface RealisedMirror {
  /** /dev/md/NAME, as mdadm is told it. */
  readonly path: string;
  /** /dev/mdN. */
  readonly device: string;
  readonly majorMinor: string;
}

/** The array of volume `index` of run `runId` (an md name stays under 32 characters with its host). */
export function mirrorPath(runId: string, index: number): string {
  return `/dev/md/anvil-${runId}-v${index}`;
}

/** The command that creates a RAID1 array of `members`. */
export function mdCreateArgv(path: string, members: readonly string[]): string[] {
  return [
    'mdadm',
    '--create',
    path,
    '--run',
    '--level=1',
    '--metadata=1.2',
    `--raid-devices=${members.length}`,
    '--assume-clean',
    '--bitmap=internal',
    ...members,
  ];
}

/**
 * Creates the array and journals its undo: stop the array, then zero each member's superblock (so a
 * loop device reused later is not taken for a member of it), before the members are detached (their
 * losetup -d was journalled earlier, so it is undone later).
 */
export async function createMirror(
  path: string,
  members: readonly string[],
  run: StepRunner,
  actions: HostActions,
  journal: HostJournal,
): Promise<RealisedMirror> {
  await run(mdCreateArgv(path, members));
  for (const m of members) journal.record({ kind: 'run', argv: ['mdadm', '--zero-superblock', '--force', m] });
  journal.record({ kind: 'run', argv: ['mdadm', '--stop', path] });
  const device = actions.realPath(path);
  const majorMinor = actions.readText(`/sys/class/block/${device.replace(/^\/dev\//, '')}/dev`).trim();
  return { path, device, majorMinor };
}

/** A plex's node went down: its member is failed and taken out of the array (the array runs degraded). */
export function mdDegradeArgv(path: string, member: string): string[] {
  return ['mdadm', path, '--fail', member, '--remove', member];
}

/** Its node is back: the member rejoins and md copies what the bitmap says was written meanwhile. */
export function mdReAddArgv(path: string, member: string): string[] {
  return ['mdadm', path, '--re-add', member];
}

/** Whether the array is whole again (no resync or recovery running, no member missing). */
export function mirrorWhole(actions: HostActions, mirror: RealisedMirror): boolean {
  const md = `/sys/block/${mirror.device.replace(/^\/dev\//, '')}/md`;
  const read = (file: string) => {
    try {
      return actions.readText(`${md}/${file}`).trim();
    } catch {
      return '';
    }
  };
  return read('sync_action') === 'idle' && read('degraded') === '0';
}

/** Sectors written to a device so far (/sys/block/DEV/stat field 7), bytes. */
export function bytesWritten(actions: HostActions, device: string): number {
  try {
    const f = actions
      .readText(`/sys/block/${device.replace(/^\/dev\//, '')}/stat`)
      .trim()
      .split(/\s+/);
    return (Number(f[6]) || 0) * 512;
  } catch {
    return 0;
  }
}
