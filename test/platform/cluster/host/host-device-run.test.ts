/**
 * `anvil run SCENARIO --target host --host-device VOLUME=DEVICE` on this machine, the "user's device" a loop
 * device the test attaches itself (a sparse file in a temp folder): the capped pod runs on it at most 3%
 * above its tier's cap, its counters are read; after the run, and after a SIGKILL and `anvil host cleanup`,
 * the device is still attached with its contents unchanged while everything of Anvil's is gone. Refused
 * before anything is made: a file that is not a block device, a device smaller than the volume, one with an
 * ext4 file system (unless --destroy-data-on names it), a mounted one, one another program holds open
 * exclusively. Needs root, fio, losetup and
 * mkfs.ext4: runs in CI, skips elsewhere.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { which } from '../../../../bench/targets/host/bounded-process.js';
import { tempDir } from '../../../cli-harness.js';
import { needs } from '../../../needs.js';
import { ANVIL_BIN, leftovers, oneHostFileAtATime } from './host-leftovers.js';

const SCENARIO = join(import.meta.dirname, 'one-pod-capped.yaml');
const canRun = process.getuid?.() === 0 && which('fio') !== undefined && which('losetup') !== undefined && which('mkfs.ext4') !== undefined;
const needHost = needs('root, fio, losetup and mkfs.ext4', canRun);
const MiB = 2 ** 20;

/** The test's own block devices: a loop device on a sparse file each, attached here and detached in afterAll. */
interface UserDevice {
  readonly file: string;
  readonly loop: string;
}
const devices: UserDevice[] = [];
let folder = '';

function attach(name: string, bytes: number): UserDevice {
  const file = join(folder, name);
  closeSync(openSync(file, 'w'));
  truncateSync(file, bytes);
  const r = spawnSync('losetup', ['--find', '--show', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`losetup ${file}: ${r.stderr}`);
  const d = { file, loop: r.stdout.trim() };
  devices.push(d);
  return d;
}

/** Is `d` still attached to its file, and what its file holds (size and hash). */
function state(d: UserDevice): { attached: boolean; bytes: number; sha256: string } {
  const sys = `/sys/class/block/${d.loop.replace('/dev/', '')}/loop/backing_file`;
  return {
    attached: existsSync(sys) && readFileSync(sys, 'utf8').trim() === d.file,
    bytes: statSync(d.file).size,
    sha256: createHash('sha256').update(readFileSync(d.file)).digest('hex'),
  };
}

let user: UserDevice;
let small: UserDevice;
let withFs: UserDevice;
let before: ReturnType<typeof state>;
/** What the machine had of Anvil's before this file's runs (a run killed earlier elsewhere is not this file's). */
let preexisting: string[] = [];
/** What this file's runs left: Anvil's things on the machine that were not there before, and the state folder's files. */
const left = (stateDir: string) => leftovers(stateDir).filter((l) => !preexisting.includes(l));

// Host runs of other files would show in this file's checks of the machine (and its loop devices are the machine's).
oneHostFileAtATime();

beforeAll(() => {
  if (!canRun) return;
  preexisting = leftovers(tempDir('anvil-host-state-'));
  folder = tempDir('anvil-userdev-');
  user = attach('user.img', 128 * MiB);
  // Data of the user's at the start and past the volume's 64 MiB: still there, byte for byte, at the end.
  const fd = openSync(user.file, 'r+');
  for (const at of [0, 100 * MiB]) writeSync(fd, Buffer.from(`the user's own data at ${at}\n`.repeat(100)), 0, undefined, at);
  closeSync(fd);
  before = state(user);
  small = attach('small.img', 32 * MiB);
  withFs = attach('fs.img', 128 * MiB);
  const mkfs = spawnSync('mkfs.ext4', ['-q', withFs.loop], { encoding: 'utf8' });
  if (mkfs.status !== 0) throw new Error(`mkfs.ext4: ${mkfs.stderr}`);
});

afterAll(() => {
  spawnSync('umount', [join(folder, 'mnt')]);
  for (const d of devices) spawnSync('losetup', ['-d', d.loop]);
});

/** `anvil run SCENARIO --target host EXTRA...` with its journal in `stateDir`. */
function hostRun(stateDir: string, ...extra: string[]) {
  return spawnSync(process.execPath, [ANVIL_BIN, 'run', SCENARIO, '--target', 'host', ...extra], {
    encoding: 'utf8',
    env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
  });
}

describe('a volume on the user’s own block device, on this host', () => {
  needHost('runs the capped pod on it at most 3% above its cap, and leaves it attached and unchanged', () => {
    const stateDir = tempDir('anvil-host-state-');
    const out = join(tempDir(), 'run');
    const r = hostRun(stateDir, '--host-device', `lab/data=${user.loop}`, '--out', out);
    expect(r.stderr).not.toMatch(/ANVIL_ERR/);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`volume lab/data runs on ${user.loop} \\(--host-device\\), borrowed`));
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as {
      anvil: {
        scenario: {
          pods: { pod: string; iops: number }[];
          drives: { drive: string; ios_per_s: number }[];
          host: { volumes: { volume: string; device?: string; cap_iops?: number }[] };
        };
      };
    };
    const sc = summary.anvil.scenario;
    expect(sc.host.volumes).toEqual([expect.objectContaining({ volume: 'lab/data', device: user.loop, cap_iops: 1000 })]);
    // The tier's 1,000 IOPS cap on the user's device: at most 3% above (how close from below depends on the load).
    const iops = sc.pods.find((p) => p.pod === 'lab/reader')!.iops;
    expect(iops).toBeLessThanOrEqual(1030);
    expect(iops).toBeGreaterThan(500);
    // Its kernel counters are read as a loop device's are.
    const drive = sc.drives.find((d) => d.drive === `node-1/${user.loop.replace('/dev/', '')}`)!;
    expect(drive.ios_per_s).toBeGreaterThan(0);
    expect(drive.ios_per_s).toBeLessThanOrEqual(1030);
    // Anvil's things are gone (cgroups, namespaces, its journal); the user's device is as it was.
    expect(left(stateDir)).toEqual([]);
    expect(state(user)).toEqual(before);
  });

  needHost('anvil host cleanup after a SIGKILL removes what the run made and leaves the user’s device', async () => {
    const stateDir = tempDir('anvil-host-state-');
    const child = spawn(process.execPath, [ANVIL_BIN, 'run', SCENARIO, '--target', 'host', '--host-device', `data=${user.loop}`], {
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
      stdio: 'ignore',
      // Its own process group: the kill takes the run and the fio it may have started (a crash of the whole session).
      detached: true,
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    const journalText = () => {
      const file = leftovers(stateDir).find((l) => l.endsWith('.journal'));
      return file === undefined ? '' : readFileSync(file, 'utf8');
    };
    // Killed once the journal has the device (its caps are written right after).
    for (let polls = 0; polls < 6000 && !journalText().includes('"kind":"borrowed"'); polls++) await new Promise((r) => setTimeout(r, 20));
    process.kill(-child.pid!, 'SIGKILL');
    await exited;
    const journal = journalText();
    const c = spawnSync(process.execPath, [ANVIL_BIN, 'host', 'cleanup'], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_HOST_STATE_DIR: stateDir },
    });
    expect(journal).toContain(`"kind":"borrowed","device":"${user.loop}"`);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(c.stdout).toMatch(/removed the \d+ things a killed run made/);
    expect(left(stateDir)).toEqual([]);
    expect(state(user)).toEqual(before);
  });

  needHost('refuses a file, a device smaller than the volume, one with a file system, and a mounted one, before making anything', () => {
    const stateDir = tempDir('anvil-host-state-');
    const refused = (device: string, code: string, message: RegExp, ...extra: string[]) => {
      const r = hostRun(stateDir, '--host-device', `lab/data=${device}`, ...extra);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^${code}: `, 'm'));
      expect(r.stderr).toMatch(message);
      expect(left(stateDir)).toEqual([]);
    };
    refused(user.file, 'ANVIL_ERR_HOST_DEVICE', /is not a block device; name a disk, partition/);
    refused(small.loop, 'ANVIL_ERR_HOST_DEVICE', /holds 33554432 bytes, less than the volume's 67108864/);
    refused(
      withFs.loop,
      'ANVIL_ERR_HOST_DEVICE_HAS_DATA',
      new RegExp(`wipefs finds ext4 at 0x438: .* give --destroy-data-on ${withFs.loop}`),
    );
    const fsBefore = state(withFs);
    // Named again, it runs (a read workload: the file system is still there after).
    const ok = hostRun(stateDir, '--host-device', `lab/data=${withFs.loop}`, '--destroy-data-on', withFs.loop);
    expect(ok.stderr).not.toMatch(/ANVIL_ERR/);
    expect(ok.status).toBe(0);
    expect(state(withFs)).toEqual(fsBefore);
    // Mounted: refused even with the confirmation.
    mkdirSync(join(folder, 'mnt'), { recursive: true });
    const mount = spawnSync('mount', [withFs.loop, join(folder, 'mnt')], { encoding: 'utf8' });
    expect(mount.stderr).toBe('');
    refused(
      withFs.loop,
      'ANVIL_ERR_HOST_DEVICE',
      new RegExp(`mounted \\(${withFs.loop} on ${folder}/mnt\\)`),
      '--destroy-data-on',
      withFs.loop,
    );
    spawnSync('umount', [join(folder, 'mnt')]);
  });

  needHost('refuses a device another program holds open exclusively', async () => {
    const stateDir = tempDir('anvil-host-state-');
    // Another program's exclusive open (what mkfs or a VM holds): no mount, no holder shows it.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); fs.openSync(${JSON.stringify(user.loop)}, fs.constants.O_RDONLY | fs.constants.O_EXCL); console.log('held'); setInterval(() => 0, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', () => resolve());
        holder.on('close', (code) => reject(new Error(`the holder exited (${code})`)));
      });
      const r = hostRun(stateDir, '--host-device', `lab/data=${user.loop}`);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/^ANVIL_ERR_HOST_DEVICE: /m);
      expect(r.stderr).toMatch(/in use by another program \(the kernel refuses an exclusive open: EBUSY\)/);
      expect(left(stateDir)).toEqual([]);
    } finally {
      holder.kill();
    }
    expect(state(user)).toEqual(before);
  });
});
