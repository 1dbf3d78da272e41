/**
 * What the host realiser does to a machine, behind one interface: commands (ip, tc, losetup) run as
 * argument arrays with a time bound each, never through a shell, and the few file operations cgroups
 * and loop files need. `SystemActions` does them; `DryRunRecorder` records them (and answers what the
 * realiser reads back: a loop device's name and number) so the plan can be checked without root.
 */
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { AnvilError } from '../../../../platform/errors.js';
import { runBounded, wasInterrupted } from '../bounded-process.js';

/** Bound on one ip, tc or losetup call, ms: they return at once unless the kernel is stuck. */
export const STEP_TIMEOUT_MS = 10_000;

export interface HostActions {
  /** Runs `argv` (argv[0] the tool); resolves with its stdout, rejects with ANVIL_ERR_HOST_SETUP naming the command. */
  run(argv: readonly string[]): Promise<string>;
  readText(path: string): string;
  writeText(path: string, text: string): void;
  exists(path: string): boolean;
  mkdir(path: string): void;
  /** Removes an empty folder (a cgroup). */
  rmdir(path: string): void;
  /** Creates a sparse file of `bytes` (a loop device's backing file). */
  makeSparseFile(path: string, bytes: number): void;
  /** Removes a file or folder and everything in it. */
  removeTree(path: string): void;
  /** The running kernel's build configuration (`CONFIG_X=y` lines), or undefined where it is not exposed. */
  kernelConfig(): string | undefined;
  /** The entries of a folder (sysfs), none where it is absent. */
  listDir(path: string): string[];
  /** Where a symbolic link (/dev/md/NAME) leads, as an absolute path. */
  realPath(path: string): string;
  /** Makes `path` a symbolic link to `target` (an nvmet port's subsystem link in configfs). */
  symlink(target: string, path: string): void;
  /** Removes a symbolic link. */
  unlink(path: string): void;
  /**
   * Writes an NVMe over Fabrics connect string to /dev/nvme-fabrics and returns what the kernel answers on
   * the same open file (`instance=N,cntlid=M`): the controller nvmeN it made.
   */
  connectFabrics(options: string): string;
  /**
   * What `path` is, following links: a block device and its MAJ:MIN (from stat's rdev), another kind of
   * file, or nothing (a user's --host-device is checked with it before anything is made).
   */
  statBlockDevice(path: string): { readonly majorMinor: string } | 'not-block' | 'missing';
  /**
   * Whether a block device can be opened exclusively (O_EXCL) now: the kernel refuses it (EBUSY) while the
   * device is mounted, held by device-mapper or md, or opened exclusively by another program (mkfs, a VM).
   */
  openExclusive(path: string): 'free' | 'busy';
}

/** MAJ:MIN of a device number as Linux encodes it (glibc's major()/minor(): 12 bits and 20 bits of major, split). */
export function majorMinorOfRdev(rdev: number): string {
  const dev = BigInt(rdev);
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n);
  const minor = (dev & 0xffn) | ((dev >> 12n) & 0xffffff00n);
  return `${major}:${minor}`;
}

/** Tries of removing a busy cgroup, 20 ms apart. */
const RMDIR_ATTEMPTS = 50;

const INSTALL: Readonly<Record<string, string>> = {
  ip: 'apt-get install iproute2',
  tc: 'apt-get install iproute2',
  losetup: 'apt-get install mount',
  mdadm: 'apt-get install mdadm',
  modprobe: 'apt-get install kmod',
};

/** Where the kernel takes NVMe over Fabrics connect strings. */
export const NVME_FABRICS = '/dev/nvme-fabrics';

/** The machine itself. */
export class SystemActions implements HostActions {
  async run(argv: readonly string[]): Promise<string> {
    const [command, ...args] = argv;
    const r = await runBounded(command!, args, { timeout_ms: STEP_TIMEOUT_MS, label: command! }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT')
        throw new AnvilError(
          'ANVIL_ERR_HOST_TOOL_MISSING',
          `${command} is not installed; install it with \`${INSTALL[command!] ?? `apt-get install ${command}`}\``,
        );
      throw e;
    });
    // Ctrl-C reached the tool too: the interruption is the news, not the tool's failure.
    if (r.code !== 0 && wasInterrupted())
      throw new AnvilError('ANVIL_ERR_INTERRUPTED', `interrupted during \`${argv.join(' ')}\`; everything made so far has been removed`);
    if (r.code !== 0)
      throw new AnvilError('ANVIL_ERR_HOST_SETUP', `\`${argv.join(' ')}\` failed: ${r.stderr.trim() || `exit ${r.code ?? r.signal}`}`);
    return r.stdout;
  }
  readText(path: string): string {
    return readFileSync(path, 'utf8');
  }
  writeText(path: string, text: string): void {
    try {
      writeFileSync(path, text);
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_HOST_SETUP', `cannot write "${text.trim()}" to ${path}: ${(e as Error).message}`);
    }
  }
  exists(path: string): boolean {
    return existsSync(path);
  }
  mkdir(path: string): void {
    try {
      mkdirSync(path, { recursive: true });
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_HOST_SETUP', `cannot create ${path}: ${(e as Error).message}`);
    }
  }
  rmdir(path: string): void {
    // A cgroup stays busy for a moment after its last process exits (the exit is still being reaped).
    for (let attempt = 1; ; attempt++)
      try {
        rmdirSync(path);
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EBUSY' || attempt >= RMDIR_ATTEMPTS) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      }
  }
  makeSparseFile(path: string, bytes: number): void {
    closeSync(openSync(path, 'wx'));
    truncateSync(path, bytes);
  }
  removeTree(path: string): void {
    rmSync(path, { recursive: true, force: true });
  }
  kernelConfig(): string | undefined {
    try {
      if (existsSync('/proc/config.gz')) return gunzipSync(readFileSync('/proc/config.gz')).toString('utf8');
      const boot = `/boot/config-${release()}`;
      return existsSync(boot) ? readFileSync(boot, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  }
  listDir(path: string): string[] {
    return existsSync(path) ? readdirSync(path) : [];
  }
  realPath(path: string): string {
    return realpathSync(path);
  }
  symlink(target: string, path: string): void {
    try {
      symlinkSync(target, path);
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_HOST_SETUP', `cannot link ${path} to ${target}: ${(e as Error).message}`);
    }
  }
  unlink(path: string): void {
    unlinkSync(path);
  }
  statBlockDevice(path: string): { readonly majorMinor: string } | 'not-block' | 'missing' {
    try {
      const st = statSync(path);
      return st.isBlockDevice() ? { majorMinor: majorMinorOfRdev(st.rdev) } : 'not-block';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return 'missing';
      throw new AnvilError('ANVIL_ERR_HOST_DEVICE', `cannot read ${path}: ${(e as Error).message}`);
    }
  }
  openExclusive(path: string): 'free' | 'busy' {
    try {
      closeSync(openSync(path, constants.O_RDONLY | constants.O_EXCL));
      return 'free';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EBUSY') return 'busy';
      throw new AnvilError('ANVIL_ERR_HOST_DEVICE', `cannot open ${path}: ${(e as Error).message}`);
    }
  }
  connectFabrics(options: string): string {
    let fd: number | undefined;
    try {
      fd = openSync(NVME_FABRICS, 'r+');
      writeSync(fd, options);
      const answer = Buffer.alloc(256);
      return answer
        .subarray(0, readSync(fd, answer, 0, answer.length, null))
        .toString('utf8')
        .trim();
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_HOST_SETUP', `cannot connect over NVMe/TCP (${options}): ${(e as Error).message}`);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
}

/** One thing the realiser did (or would do), as a line: `ip netns add X`, `write PATH TEXT`, `mkdir PATH`. */
export type RecordedAction = string;

/**
 * Records instead of doing. Answers reads as the kernel would: `losetup --find --show` gives the next
 * /dev/loopN, `/sys/class/block/loopN/dev` gives 7:N, /dev/md/NAME leads to /dev/md127 down, an NVMe/TCP
 * connect makes controller nvmeN with namespace nvmeNn1 (259:N), and the cgroup files of the version it pretends;
 * a user's block device where `pretendDevice` says one is (blank, unmounted, unused).
 */
export class DryRunRecorder implements HostActions {
  readonly actions: RecordedAction[] = [];
  private nextLoop = 0;
  private readonly mds = new Map<string, string>();
  private readonly present = new Set<string>();
  /** NQN of each NVMe/TCP controller connected, by instance. */
  private readonly controllers: string[] = [];
  /** Block devices it pretends the user has (`pretendDevice`), by path. */
  private readonly devices = new Map<string, { readonly name: string; readonly majorMinor: string; readonly bytes: number }>();

  /** `kernel`: the configuration it pretends the kernel was built with (default: none of the optional features). */
  constructor(
    readonly cgroupVersion: 'v1' | 'v2' = 'v2',
    private readonly kernel: string = '',
  ) {
    if (cgroupVersion === 'v2') this.present.add('/sys/fs/cgroup/cgroup.controllers');
    else for (const h of ['blkio', 'cpuacct', 'freezer']) this.present.add(`/sys/fs/cgroup/${h}`);
  }

  /** Pretends an unmounted, unused block device of `bytes` is at `path` (kernel name `name`), as a user's --host-device. */
  pretendDevice(path: string, name: string, majorMinor: string, bytes: number): void {
    this.devices.set(path, { name, majorMinor, bytes });
  }

  run(argv: readonly string[]): Promise<string> {
    this.actions.push(argv.join(' '));
    if (argv[0] === 'losetup' && argv.includes('--show')) return Promise.resolve(`/dev/loop${this.nextLoop++}\n`);
    return Promise.resolve('');
  }
  readText(path: string): string {
    const device = [...this.devices.values()].find((d) => path.startsWith(`/sys/class/block/${d.name}/`));
    if (device && path.endsWith('/size')) return `${device.bytes / 512}\n`;
    if (device && path.endsWith('/dev')) return `${device.majorMinor}\n`;
    if (device && path.endsWith('/ro')) return '0\n';
    const loop = /^\/sys\/class\/block\/loop(\d+)\/dev$/.exec(path);
    if (loop) return `7:${loop[1]}\n`;
    const md = /^\/sys\/class\/block\/md(\d+)\/dev$/.exec(path);
    if (md) return `9:${md[1]}\n`;
    const nvme = /^\/sys\/(?:class\/)?block\/nvme(\d+)n1\/(dev|device\/subsysnqn)$/.exec(path);
    if (nvme) return nvme[2] === 'dev' ? `259:${nvme[1]}\n` : `${this.controllers[Number(nvme[1])] ?? ''}\n`;
    // An md array is whole again at once (its resync done) when asked.
    if (/^\/sys\/block\/md\d+\/md\/sync_action$/.test(path)) return 'idle\n';
    if (/^\/sys\/block\/md\d+\/md\/degraded$/.test(path)) return '0\n';
    const ctrl = /^\/sys\/class\/nvme\/nvme(\d+)\/subsysnqn$/.exec(path);
    if (ctrl) return `${this.controllers[Number(ctrl[1])] ?? ''}\n`;
    if (path === '/sys/fs/cgroup/cgroup.controllers') return 'cpuset cpu io memory pids\n';
    return '';
  }
  writeText(path: string, text: string): void {
    this.actions.push(`write ${path} ${text.trim()}`);
  }
  exists(path: string): boolean {
    return this.present.has(path);
  }
  mkdir(path: string): void {
    this.actions.push(`mkdir ${path}`);
    this.present.add(path);
  }
  rmdir(path: string): void {
    this.actions.push(`rmdir ${path}`);
    this.present.delete(path);
  }
  makeSparseFile(path: string, bytes: number): void {
    this.actions.push(`truncate ${path} ${bytes}`);
  }
  removeTree(path: string): void {
    this.actions.push(`rm -r ${path}`);
  }
  kernelConfig(): string | undefined {
    return this.kernel;
  }
  listDir(path: string): string[] {
    if (path === '/sys/block') return this.controllers.map((_, i) => `nvme${i}n1`);
    return path === '/sys/class/nvme' ? this.controllers.map((_, i) => `nvme${i}`) : [];
  }
  realPath(path: string): string {
    const numbered = /^\/sys\/dev\/block\/(\d+:\d+)$/.exec(path);
    const device = numbered ? [...this.devices.values()].find((d) => d.majorMinor === numbered[1]) : undefined;
    if (device) return `/sys/devices/virtual/block/${device.name}`;
    if (!path.startsWith('/dev/md/')) return path;
    // md numbers named arrays from 127 down.
    if (!this.mds.has(path)) this.mds.set(path, `/dev/md${127 - this.mds.size}`);
    return this.mds.get(path)!;
  }
  symlink(target: string, path: string): void {
    this.actions.push(`ln -s ${target} ${path}`);
    this.present.add(path);
  }
  unlink(path: string): void {
    this.actions.push(`rm ${path}`);
    this.present.delete(path);
  }
  openExclusive(): 'free' | 'busy' {
    return 'free';
  }
  statBlockDevice(path: string): { readonly majorMinor: string } | 'not-block' | 'missing' {
    const device = this.devices.get(path);
    return device ? { majorMinor: device.majorMinor } : 'missing';
  }
  connectFabrics(options: string): string {
    this.actions.push(`write ${NVME_FABRICS} ${options}`);
    const nqn = /(?:^|,)nqn=([^,]+)/.exec(options)?.[1] ?? '';
    return `instance=${this.controllers.push(nqn) - 1},cntlid=1`;
  }
}
