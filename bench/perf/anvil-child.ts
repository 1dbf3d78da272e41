/**
 * `anvil ARGS` as a user runs it, for the bench: the compiled CLI in a child process, timed from spawn to
 * exit, so module loading, parsing and writing the output are in the figure. Besides the wall time, the
 * child's CPU time (Linux): on a shared machine the wall clock counts the time others hold the cores.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { anvilBin, packageRoot } from '../package-root.js';

/** What a timed run printed, and how long it took (wall seconds, spawn to exit). */
export interface TimedAnvilRun {
  readonly stdout: string;
  readonly seconds: number;
  /** CPU seconds (user + system) the child used; null where the system does not tell (no /proc). */
  readonly cpu_seconds: number | null;
}

/** Clock ticks per second of /proc's times: USER_HZ, 100 on Linux whatever the kernel's own tick. */
const USER_HZ = 100;

/**
 * CPU seconds (user + system) of the waited-for children of the process whose /proc/PID/stat line is
 * `stat`: its fields 16 and 17 (cutime, cstime), counted after the command name, which is in parentheses
 * and may hold spaces or parentheses itself.
 */
export function childrenCpuOfStat(stat: string): number {
  // Fields from 3 (state) on follow the last ')': cutime and cstime are the 14th and 15th of them.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  const cutime = Number(fields[13]);
  const cstime = Number(fields[14]);
  if (!(Number.isInteger(cutime) && Number.isInteger(cstime))) throw new Error(`not a /proc/PID/stat line: ${stat.slice(0, 80)}`);
  return (cutime + cstime) / USER_HZ;
}

/** CPU seconds this process's waited-for children have used so far; null without /proc (not Linux). */
function childrenCpuSeconds(): number | null {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return null;
  }
  return childrenCpuOfStat(stat);
}

/** How a timed run is started: `pinToCore`, the one CPU it and all its threads may run on (Linux's `taskset -c`). */
export interface AnvilRunOptions {
  readonly pinToCore?: number;
}

/** The first CPU of a /proc/PID/status text's `Cpus_allowed_list` (e.g. `2,4-5` gives 2); null without one. */
export function firstAllowedCpu(status: string): number | null {
  const list = /^Cpus_allowed_list:\s*(\d+)/m.exec(status);
  return list === null ? null : Number(list[1]);
}

/**
 * A CPU a run can be pinned to: the first this process may use (a container's cpuset may leave CPU 0
 * out), if `taskset` (util-linux) is on PATH and pins to it; null otherwise (not Linux, or no taskset).
 */
export function pinnableCore(): number | null {
  let cpu: number | null;
  try {
    cpu = firstAllowedCpu(readFileSync('/proc/self/status', 'utf8'));
  } catch {
    return null;
  }
  if (cpu === null) return null;
  return spawnSync('taskset', ['-c', String(cpu), 'true']).status === 0 ? cpu : null;
}

/**
 * Runs the built `anvil` bin (also when the caller runs from source, as in the tests) with `args`, in the
 * package root; throws naming `what` when it cannot start or exits non-zero. Bounded at 10 minutes.
 */
export function runAnvilTimed(what: string, args: readonly string[], options: AnvilRunOptions = {}): TimedAnvilRun {
  const root = packageRoot();
  const bin = anvilBin();
  const command =
    options.pinToCore === undefined
      ? { file: process.execPath, args: [bin, ...args] }
      : { file: 'taskset', args: ['-c', String(options.pinToCore), process.execPath, bin, ...args] };
  const cpuBefore = childrenCpuSeconds();
  const start = process.hrtime.bigint();
  const child = spawnSync(command.file, command.args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 600_000,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  if (child.error) throw new Error(`${what}: cannot run anvil: ${child.error.message}`);
  if (child.status !== 0)
    throw new Error(`${what}: anvil ${args.join(' ')} exited with ${child.status ?? child.signal}: ${child.stderr.trim()}`);
  const cpu_seconds = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return { stdout: child.stdout, seconds, cpu_seconds };
}
