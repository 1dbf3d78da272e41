/**
 * `--host-device VOLUME=DEVICE` and `--destroy-data-on DEVICE`, the one definition `anvil run` and `anvil
 * check` share: a scenario volume realised on the user's own block device instead of a loop device, and
 * the deliberate act that lets fio write over a device that carries a file system or partition table.
 * What the device must be (a block device, unmounted, unused, large enough) is checked on the host before
 * anything is made (bench/targets/host/realise/borrowed-device.ts).
 */
import { InvalidArgumentError, Option } from 'commander';
import { AnvilError } from '../errors.js';
import { POD_REF_PATTERN } from '../../bench/scenario/schema.js';
import type { HostDeviceChoice } from '../cluster/host-plan-of.js';

/** Most devices one run borrows: a host run realises at most this many volumes' worth of named devices. */
const MAX_HOST_DEVICES = 64;

/** A scenario volume: NAME or TENANT/NAME, as the scenario's references take it. */
const VOLUME = new RegExp(POD_REF_PATTERN);

/** Parses one `--host-device VOLUME=DEVICE` onto the ones before it. */
export function parseHostDevice(value: string, previous: readonly HostDeviceChoice[] = []): HostDeviceChoice[] {
  const at = value.indexOf('=');
  const volume = at < 0 ? '' : value.slice(0, at).trim();
  const device = at < 0 ? '' : value.slice(at + 1).trim();
  if (!VOLUME.test(volume) || !device.startsWith('/') || device.includes('\0'))
    throw new InvalidArgumentError(
      'a scenario volume and an absolute block device path, VOLUME=DEVICE, e.g. --host-device lab/data=/dev/nvme0n2 (VOLUME is TENANT/NAME, or NAME where one tenant has it)',
    );
  if (previous.some((p) => p.volume === volume)) throw new InvalidArgumentError(`volume ${volume} is given a device twice; give it one`);
  if (previous.length >= MAX_HOST_DEVICES) throw new InvalidArgumentError(`at most ${MAX_HOST_DEVICES} --host-device flags`);
  return [...previous, { volume, device }];
}

/** Parses one `--destroy-data-on DEVICE` onto the ones before it. */
function parseDestroyDataOn(value: string, previous: readonly string[] = []): string[] {
  if (!value.startsWith('/') || value.includes('\0'))
    throw new InvalidArgumentError('an absolute block device path, the same one --host-device names, e.g. --destroy-data-on /dev/nvme0n2');
  if (previous.length >= MAX_HOST_DEVICES) throw new InvalidArgumentError(`at most ${MAX_HOST_DEVICES} --destroy-data-on flags`);
  return [...previous, value];
}

/** `--host-device`, for `anvil run` and `anvil check` alike. */
export function hostDeviceOption(): Option {
  return new Option(
    '--host-device <volume=device>',
    'host target, cluster scenario: run VOLUME (TENANT/NAME, or NAME where one tenant has it) on this existing block device (an NVMe namespace, an LVM volume, a disk) instead of a loop device; fio writes destroy its data. Refused if it is not a block device, is mounted, swap or held (partitions, device-mapper, md), is smaller than the volume, or carries a file system or partition table (see --destroy-data-on); never wiped, detached or removed (repeatable)',
  ).argParser(parseHostDevice);
}

/** `--destroy-data-on`, for `anvil run` and `anvil check` alike. */
export function destroyDataOnOption(): Option {
  return new Option(
    '--destroy-data-on <device>',
    'host target: let fio write over DEVICE (the same device a --host-device names) although it carries a file system or partition table: its data is destroyed (repeatable)',
  ).argParser(parseDestroyDataOn);
}

/** ANVIL_ERR_USAGE where the device flags are given to what does not use them: a job file, or another target than host. */
export function refuseHostDevicesOff(
  opts: { readonly hostDevice?: readonly HostDeviceChoice[]; readonly destroyDataOn?: readonly string[] },
  target: string,
  scenario: boolean,
): void {
  const flag = opts.hostDevice !== undefined ? '--host-device' : opts.destroyDataOn !== undefined ? '--destroy-data-on' : undefined;
  if (flag === undefined) return;
  if (target !== 'host')
    throw new AnvilError('ANVIL_ERR_USAGE', `${flag} names a device of this machine for a host run; add --target host, or drop it`);
  if (!scenario)
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `${flag} names a device for a cluster scenario's volume; for a fio job file give --filename DEVICE`,
    );
  if (opts.hostDevice === undefined)
    throw new AnvilError('ANVIL_ERR_USAGE', '--destroy-data-on confirms a device a --host-device names; add --host-device VOLUME=DEVICE');
}
