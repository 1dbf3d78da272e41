/**
 * What the host realiser does to a machine, behind one interface: commands (ip, tc, losetup) run as
 * argument arrays with a time bound each, never through a shell, and the few file operations cgroups
 * and loop files need. `SystemActions` does them; `DryRunRecorder` records them (and answers what the
 * realiser reads back: a loop device's name and number) so the plan can be checked without root.
 */
import { release } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, rmdirSync, rmSync, truncateSync, writeFileSync, closeSync, openSync, existsSync } from 'node:fs';
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
}

/** Tries of removing a busy cgroup, 20 ms apart. */
const RMDIR_ATTEMPTS = 50;

const INSTALL: Readonly<Record<string, string>> = {
  ip: 'apt-get install iproute2',
  tc: 'apt-get install iproute2',
  losetup: 'apt-get install mount',
};

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
}

/** One thing the realiser did (or would do), as a line: `ip netns add X`, `write PATH TEXT`, `mkdir PATH`. */
export type RecordedAction = string;

/**
 * Records instead of doing. Answers reads as the kernel would: `losetup --find --show` gives the next
 * /dev/loopN, `/sys/class/block/loopN/dev` gives 7:N, and the cgroup files of the version it pretends.
 */
export class DryRunRecorder implements HostActions {
  readonly actions: RecordedAction[] = [];
  private nextLoop = 0;
  private readonly present = new Set<string>();

  /** `kernel`: the configuration it pretends the kernel was built with (default: none of the optional features). */
  constructor(
    readonly cgroupVersion: 'v1' | 'v2' = 'v2',
    private readonly kernel: string = '',
  ) {
    if (cgroupVersion === 'v2') this.present.add('/sys/fs/cgroup/cgroup.controllers');
    else for (const h of ['blkio', 'cpuacct', 'freezer']) this.present.add(`/sys/fs/cgroup/${h}`);
  }

  run(argv: readonly string[]): Promise<string> {
    this.actions.push(argv.join(' '));
    if (argv[0] === 'losetup' && argv.includes('--show')) return Promise.resolve(`/dev/loop${this.nextLoop++}\n`);
    return Promise.resolve('');
  }
  readText(path: string): string {
    const loop = /^\/sys\/class\/block\/loop(\d+)\/dev$/.exec(path);
    if (loop) return `7:${loop[1]}\n`;
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
}
