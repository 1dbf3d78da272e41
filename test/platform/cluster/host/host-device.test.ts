/**
 * A volume on the user's own block device (`--host-device`), recorded (no root needed): the device is used
 * instead of a loop device and capped for its pod's cgroup by its MAJ:MIN; the journal calls it borrowed, so
 * teardown neither detaches nor wipes it, and lifts the caps on it before the cgroup goes. Before anything
 * is made, a device that is missing, too small, mounted or held is refused, and one carrying a file system
 * only with --destroy-data-on naming it.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClusterScenario } from '../../../../bench/scenario/load.js';
import { DryRunRecorder, majorMinorOfRdev } from '../../../../bench/targets/host/realise/host-actions.js';
import type { HostPlan } from '../../../../bench/targets/host/realise/host-plan.js';
import { HostJournal } from '../../../../bench/targets/host/realise/journal.js';
import { realiseHost } from '../../../../bench/targets/host/realise/realiser.js';
import { hostPlanOf, type HostDevices } from '../../../../platform/cluster/host-plan-of.js';
import { placeScenario } from '../../../../platform/cluster/placement.js';
import { hostJobText } from '../../../../platform/cluster/run-scenario-host.js';
import { parseHostDevice, refuseHostDevicesOff } from '../../../../platform/cli/host-device-options.js';
import { AnvilError } from '../../../../platform/errors.js';
import { loadWorkloads } from '../../../../bench/workloads/resolve.js';

const SCENARIO = join(import.meta.dirname, 'two-pods-capped.yaml');
const DEVICE = '/dev/nvme0n2';
const GiB = 2 ** 30;

function planWith(devices: HostDevices): HostPlan {
  const s = loadClusterScenario(SCENARIO);
  return hostPlanOf(
    s,
    placeScenario(s).store.read((st) => st),
    new Set(),
    new Set(),
    devices,
  ).plan;
}

const onNvme: HostDevices = { choices: [{ volume: 'lab/capped-data', device: DEVICE }], destroyDataOn: [] };

/** A recorder whose device reads as the test says: signatures wipefs finds, mounts, holders. */
class DeviceRecorder extends DryRunRecorder {
  constructor(
    private readonly found: { wipefs?: string; mountinfo?: string; holders?: string[]; partition?: boolean } = {},
    bytes = 2 * GiB,
  ) {
    super('v2');
    this.pretendDevice(DEVICE, 'nvme0n2', '259:7', bytes);
  }
  override run(argv: readonly string[]): Promise<string> {
    void super.run(argv);
    return Promise.resolve(argv[0] === 'wipefs' ? (this.found.wipefs ?? '') : argv[0] === 'losetup' ? '/dev/loop0\n' : '');
  }
  override exists(path: string): boolean {
    if (path === '/sys/class/block/nvme0n2/nvme0n2p1/partition') return this.found.partition === true;
    return path === '/proc/self/mountinfo' ? this.found.mountinfo !== undefined : super.exists(path);
  }
  override readText(path: string): string {
    if (path === '/sys/class/block/nvme0n2p1/dev') return '259:8\n';
    return path === '/proc/self/mountinfo' ? (this.found.mountinfo ?? '') : super.readText(path);
  }
  override listDir(path: string): string[] {
    if (path === '/sys/class/block/nvme0n2') return this.found.partition === true ? ['dev', 'holders', 'nvme0n2p1', 'queue'] : [];
    return path === '/sys/class/block/nvme0n2/holders' ? (this.found.holders ?? []) : super.listDir(path);
  }
}

async function refusal(plan: HostPlan, recorder: DryRunRecorder): Promise<AnvilError> {
  const e = await realiseHost(plan, recorder, new HostJournal(undefined)).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(AnvilError);
  // Refused before anything was made: only the device was looked at.
  expect(recorder.actions.filter((a) => !a.startsWith('wipefs '))).toEqual([]);
  return e as AnvilError;
}

describe('a volume on the user’s own block device, recorded', () => {
  it('runs on the device instead of a loop device, capped by its MAJ:MIN, and leaves it attached and unwiped', async () => {
    const plan = planWith(onNvme);
    const volume = plan.volumes.find((v) => v.key === 'lab/capped-data')!;
    // The device holds the volume whole (a loop file is bounded; the device is not).
    expect(volume).toMatchObject({ device: DEVICE, size_bytes: 64 * 2 ** 20 });
    expect(plan.volumes.find((v) => v.key === 'lab/free-data')!.device).toBeUndefined();

    const recorder = new DeviceRecorder();
    const journal = new HostJournal(undefined);
    const host = await realiseHost(plan, recorder, journal);
    const realised = host.volumes.get('lab/capped-data')!;
    expect(realised).toMatchObject({ device: DEVICE, majorMinor: '259:7', borrowed: DEVICE, borrowedBytes: 64 * 2 ** 20 });
    // One loop device, for the other volume only; the signature probe only lists (--no-act).
    expect(recorder.actions.filter((a) => a.startsWith('losetup --find'))).toHaveLength(1);
    expect(recorder.actions).toContain(`wipefs --no-act --noheadings --output TYPE,OFFSET ${DEVICE}`);
    const group = host.pods.get('lab/capped')!.cgroup;
    expect(recorder.actions).toContain(`write /sys/fs/cgroup/${group}/io.max 259:7 riops=1000 wiops=1000 rbps=4096000 wbps=4096000`);

    const made = recorder.actions.length;
    expect(await host.teardown()).toEqual([]);
    const undone = recorder.actions.slice(made);
    // Nothing touches the device: no losetup -d, wipefs, dd or removal names it; its caps are lifted, then its cgroup goes.
    expect(undone.filter((a) => a.includes(DEVICE))).toEqual([]);
    expect(undone.filter((a) => a.startsWith('losetup -d'))).toEqual(['losetup -d /dev/loop0']);
    const lifted = undone.indexOf(`write /sys/fs/cgroup/${group}/io.max 259:7 riops=max wiops=max rbps=max wbps=max`);
    expect(lifted).toBeGreaterThanOrEqual(0);
    expect(undone.indexOf(`rmdir /sys/fs/cgroup/${group}`)).toBeGreaterThan(lifted);
  });

  it('refuses a device that is missing, too small, mounted or held, naming each, before anything is made', async () => {
    const missing = await refusal(
      planWith({ choices: [{ volume: 'capped-data', device: '/dev/nope' }], destroyDataOn: [] }),
      new DeviceRecorder(),
    );
    expect(missing.code).toBe('ANVIL_ERR_HOST_DEVICE');
    expect(missing.details).toEqual([expect.stringMatching(/^volume lab\/capped-data on \/dev\/nope: \/dev\/nope does not exist/)]);

    const small = await refusal(planWith(onNvme), new DeviceRecorder({}, 32 * 2 ** 20));
    expect(small.details).toEqual([expect.stringMatching(/holds 33554432 bytes, less than the volume's 67108864; name a larger device/)]);

    const mountinfo = '29 1 259:7 / /mnt/data rw,relatime shared:1 - ext4 /dev/nvme0n2 rw\n';
    const mounted = await refusal(planWith(onNvme), new DeviceRecorder({ mountinfo, holders: ['dm-0'] }));
    expect(mounted.code).toBe('ANVIL_ERR_HOST_DEVICE');
    expect(mounted.details).toEqual([
      expect.stringMatching(/mounted \(\/dev\/nvme0n2 on \/mnt\/data\); unmount it first/),
      expect.stringMatching(/held \(nvme0n2 by dm-0: device-mapper, LVM or md uses it\)/),
    ]);
    // A partition of it mounted (by its number: the source may be a /dev/disk/by-uuid link).
    const partition = await refusal(
      planWith(onNvme),
      new DeviceRecorder({ partition: true, mountinfo: '30 1 259:8 / /srv rw - xfs UUID=1234 rw\n' }),
    );
    expect(partition.details).toEqual([expect.stringMatching(/mounted \(UUID=1234 on \/srv\)/)]);
  });

  it('refuses a device with a file system unless --destroy-data-on names the same device', async () => {
    const found = { wipefs: 'ext4 0x438\n' };
    const e = await refusal(planWith(onNvme), new DeviceRecorder(found));
    expect(e.code).toBe('ANVIL_ERR_HOST_DEVICE_HAS_DATA');
    expect(e.details).toEqual([
      `volume lab/capped-data on ${DEVICE}: wipefs finds ext4 at 0x438: fio's writes would destroy it; give --destroy-data-on ${DEVICE} to go ahead, or name a blank device`,
    ]);
    const confirmed = planWith({ ...onNvme, destroyDataOn: [DEVICE] });
    const host = await realiseHost(confirmed, new DeviceRecorder(found), new HostJournal(undefined));
    expect(host.volumes.get('lab/capped-data')!.device).toBe(DEVICE);
    // A confirmation naming another device is no confirmation, and says so.
    const other = await refusal(planWith({ ...onNvme, destroyDataOn: ['/dev/sdz'] }), new DeviceRecorder(found));
    expect(other.details[0]).toMatch(/^--destroy-data-on \/dev\/sdz: does not exist/);
  });

  it('refuses a volume the scenario lacks, and a malformed flag, naming what to give', () => {
    expect(() => planWith({ choices: [{ volume: 'lab/nope', device: DEVICE }], destroyDataOn: [] })).toThrow(
      expect.objectContaining({
        code: 'ANVIL_ERR_USAGE',
        details: [expect.stringMatching(/its volumes are lab\/capped-data, lab\/free-data$/)],
      }),
    );
    expect(parseHostDevice('lab/data=/dev/sdb')).toEqual([{ volume: 'lab/data', device: '/dev/sdb' }]);
    expect(() => parseHostDevice('lab/data')).toThrow(/VOLUME=DEVICE/);
    expect(() => parseHostDevice('data=sdb')).toThrow(/absolute block device path/);
    expect(() => parseHostDevice('data=/dev/sdc', [{ volume: 'data', device: '/dev/sdb' }])).toThrow(/twice/);
    // The flags belong to a scenario's host run.
    const devices = { hostDevice: [{ volume: 'data', device: '/dev/sdb' }] };
    expect(() => refuseHostDevicesOff(devices, 'sim', true)).toThrow(/add --target host/);
    expect(() => refuseHostDevicesOff(devices, 'host', false)).toThrow(/for a fio job file give --filename DEVICE/);
    expect(() => refuseHostDevicesOff({ destroyDataOn: ['/dev/sdb'] }, 'host', true)).toThrow(/add --host-device VOLUME=DEVICE/);
    expect(() => refuseHostDevicesOff(devices, 'host', true)).not.toThrow();
  });

  it("keeps fio within the volume's size on a larger device, and reads MAJ:MIN as the kernel encodes it", () => {
    const job = '[r]\nrw=randread\n';
    const specs = loadWorkloads(job, 'job.fio', GiB, {}).specs;
    expect(
      hostJobText(job, specs, 1e9, 64 * 2 ** 20)
        .split('\n')
        .slice(0, 6),
    ).toContain('size=67108864');
    expect(hostJobText(job, specs, 1e9)).not.toMatch(/size=/);
    // Device numbers as glibc's makedev: 259:7, and a minor past 255 (8:300) and a major past 4095 (4096:1).
    expect(majorMinorOfRdev(259 * 256 + 7)).toBe('259:7');
    expect(majorMinorOfRdev(8 * 256 + (300 & 0xff) + ((300 & ~0xff) << 12))).toBe('8:300');
    expect(majorMinorOfRdev(Number((1n & 0xffn) | ((4096n & 0xfffn) << 8n) | ((4096n & ~0xfffn) << 32n)))).toBe('4096:1');
  });
});
