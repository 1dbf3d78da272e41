/**
 * A user's own block device for a volume (`--host-device VOLUME=DEVICE`): checked before anything of the run
 * is made, because fio's writes destroy what it holds. Refused (ANVIL_ERR_HOST_DEVICE) when it is missing,
 * not a block device, read-only, smaller than the volume, mounted (itself or a partition, per
 * /proc/self/mountinfo), swap (/proc/swaps) or held by another device (its or a partition's
 * /sys/class/block/NAME/holders: device-mapper, LVM, md) or opened exclusively by another program (O_EXCL
 * fails with EBUSY); and (ANVIL_ERR_HOST_DEVICE_HAS_DATA) when it
 * carries a file system or partition-table signature (`wipefs --no-act`, else `blkid -p`), unless the user
 * named the same device with `--destroy-data-on`. A borrowed device is never wiped, detached or removed.
 */
import { AnvilError } from '../../../../platform/errors.js';
import type { HostActions } from './host-actions.js';
import type { HostPlan } from './host-plan.js';

/** A device a volume runs on, as checked. */
export interface BorrowedDevice {
  /** The path the user gave. */
  readonly given: string;
  /** Where it leads (/dev/dm-0 for /dev/vg0/lv1): fio's filename. */
  readonly device: string;
  /** Its kernel name (/sys/class/block/NAME): where its counters are read. */
  readonly name: string;
  readonly majorMinor: string;
  readonly bytes: number;
  /** File system or partition-table signatures found on it (`--destroy-data-on` named it), as the tool said them. */
  readonly signatures: readonly string[];
}

/** What looked for signatures: the tool and what it found, or undefined where neither wipefs nor blkid is installed. */
async function signatures(actions: HostActions, device: string): Promise<{ tool: string; found: string[] } | undefined> {
  const lines = (out: string) =>
    out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
  try {
    // Without --all wipefs only lists; --no-act says so in the command itself.
    const out = await actions.run(['wipefs', '--no-act', '--noheadings', '--output', 'TYPE,OFFSET', device]);
    return { tool: 'wipefs', found: lines(out).map((l) => l.replace(/\s+/, ' at ')) };
  } catch (e) {
    if (!(e instanceof AnvilError) || e.code !== 'ANVIL_ERR_HOST_TOOL_MISSING') throw e;
  }
  try {
    const out = await actions.run(['blkid', '-p', '-o', 'export', device]);
    return { tool: 'blkid -p', found: lines(out).filter((l) => /^(PT)?TYPE=/.test(l)) };
  } catch (e) {
    if (e instanceof AnvilError && e.code === 'ANVIL_ERR_HOST_TOOL_MISSING') return undefined;
    // blkid exits 2 when it finds nothing to report.
    if (e instanceof AnvilError && e.code === 'ANVIL_ERR_HOST_SETUP' && /exit 2$/.test(e.message)) return { tool: 'blkid -p', found: [] };
    throw e;
  }
}

/** The mounts of any of `majorMinors` or `devices` (/proc/self/mountinfo: field 3 MAJ:MIN, the source after " - FSTYPE "). */
function mountsOf(actions: HostActions, majorMinors: ReadonlySet<string>, devices: ReadonlySet<string>): string[] {
  const text = actions.exists('/proc/self/mountinfo') ? actions.readText('/proc/self/mountinfo') : '';
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const tail = line.indexOf(' - ');
    const source = tail < 0 ? '' : (line.slice(tail + 3).split(' ')[1] ?? '');
    let real = source;
    if (source.startsWith('/dev/'))
      try {
        real = actions.realPath(source);
      } catch {
        // gone meanwhile
      }
    if ((f[2] !== undefined && majorMinors.has(f[2])) || devices.has(real)) out.push(`${source || f[2]} on ${f[4]}`);
  }
  return out;
}

/** Swap areas on any of `devices` (/proc/swaps' first column). */
function swapsOn(actions: HostActions, devices: ReadonlySet<string>): string[] {
  const text = actions.exists('/proc/swaps') ? actions.readText('/proc/swaps') : '';
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((p) => p !== '' && devices.has(p));
}

/**
 * Checks every device `plan` borrows, each problem of each named at once (before anything is made), and
 * gives each volume's device by volume key. A `--destroy-data-on` path names the same device as a
 * `--host-device` when both lead to one MAJ:MIN.
 */
export async function inspectBorrowedDevices(plan: HostPlan, actions: HostActions): Promise<Map<string, BorrowedDevice>> {
  const out = new Map<string, BorrowedDevice>();
  const unusable: string[] = [];
  const withData: string[] = [];
  /** The devices `--destroy-data-on` names, by MAJ:MIN, as given. */
  const confirmed = new Map<string, string>();
  for (const path of plan.destroyDataOn ?? []) {
    const st = actions.statBlockDevice(path);
    if (typeof st === 'object') confirmed.set(st.majorMinor, path);
    else unusable.push(`--destroy-data-on ${path}: ${st === 'missing' ? 'does not exist' : 'is not a block device'}`);
  }
  const named = new Map<string, string>();
  for (const v of plan.volumes) {
    if (v.device === undefined) continue;
    const given = v.device;
    const where = `volume ${v.key} on ${given}`;
    const st = actions.statBlockDevice(given);
    if (st === 'missing') {
      unusable.push(`${where}: ${given} does not exist; name an existing block device (lsblk lists them)`);
      continue;
    }
    if (st === 'not-block') {
      unusable.push(
        `${where}: ${given} is not a block device; name a disk, partition, NVMe namespace or LVM volume (/dev/...), or drop --host-device for a loop device on a file`,
      );
      continue;
    }
    const other = named.get(st.majorMinor);
    if (other !== undefined) {
      unusable.push(`${where}: ${given} is also named for volume ${other}; give each volume a device of its own`);
      continue;
    }
    named.set(st.majorMinor, v.key);
    const name = actions.realPath(`/sys/dev/block/${st.majorMinor}`).split('/').pop()!;
    const sys = `/sys/class/block/${name}`;
    const bytes = Number(actions.readText(`${sys}/size`).trim()) * 512;
    const device = actions.realPath(given);
    const problems: string[] = [];
    if (!(bytes >= v.size_bytes))
      problems.push(
        `${given} holds ${bytes} bytes, less than the volume's ${v.size_bytes}; name a larger device or make the volume smaller`,
      );
    if (actions.readText(`${sys}/ro`).trim() === '1') problems.push(`${given} is read-only; fio's writes need it writable`);
    const partitions = actions.listDir(sys).filter((e) => e.startsWith(name) && actions.exists(`${sys}/${e}/partition`));
    const all = [name, ...partitions];
    const majorMinors = new Set(all.map((n) => actions.readText(`/sys/class/block/${n}/dev`).trim()));
    const devices = new Set(all.map((n) => `/dev/${n}`));
    const mounts = mountsOf(actions, majorMinors, devices);
    if (mounts.length > 0) problems.push(`mounted (${mounts.join(', ')}); unmount it first, or name another device`);
    const swaps = swapsOn(actions, devices);
    if (swaps.length > 0) problems.push(`in use as swap (${swaps.join(', ')}); swapoff it first, or name another device`);
    const holders = all.flatMap((n) => actions.listDir(`/sys/class/block/${n}/holders`).map((h) => `${n} by ${h}`));
    if (holders.length > 0)
      problems.push(`held (${holders.join(', ')}: device-mapper, LVM or md uses it); name the device that holds it, or release it first`);
    // What sysfs and the mount table do not show (another program's exclusive open): the kernel's own answer.
    if (problems.length === 0 && actions.openExclusive(device) === 'busy')
      problems.push('in use by another program (the kernel refuses an exclusive open: EBUSY); stop it first, or name another device');
    if (problems.length > 0) {
      unusable.push(...problems.map((p) => `${where}: ${p}`));
      continue;
    }
    const probe = await signatures(actions, device);
    if (probe === undefined && !confirmed.has(st.majorMinor))
      withData.push(
        `${where}: neither wipefs nor blkid is installed to tell whether it carries a file system (apt-get install util-linux); install one, or give --destroy-data-on ${given} to let fio write over whatever it holds`,
      );
    else if (probe !== undefined && probe.found.length > 0 && !confirmed.has(st.majorMinor))
      withData.push(
        `${where}: ${probe.tool} finds ${probe.found.join(', ')}: fio's writes would destroy it; give --destroy-data-on ${given} to go ahead, or name a blank device`,
      );
    out.set(v.key, { given, device, name, majorMinor: st.majorMinor, bytes, signatures: probe?.found ?? [] });
  }
  for (const [mm, path] of confirmed)
    if (!named.has(mm))
      unusable.push(`--destroy-data-on ${path}: no --host-device names that device; name the same device in both, or drop it`);
  if (unusable.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_HOST_DEVICE',
      `${unusable.length + withData.length} problem${unusable.length + withData.length > 1 ? 's' : ''} with the block devices named for volumes (--host-device); nothing was made`,
      [...unusable, ...withData],
    );
  if (withData.length > 0)
    throw new AnvilError(
      'ANVIL_ERR_HOST_DEVICE_HAS_DATA',
      `a block device named for a volume holds data that fio's writes would destroy; nothing was made`,
      withData,
    );
  return out;
}
