/**
 * The bench times `anvil` in a child process by wall clock and by the child's CPU time, read from
 * /proc/self/stat (cutime + cstime of the waited-for children). The stat line's command name is in
 * parentheses and may hold spaces and parentheses: the fields are counted after the last ')'.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childrenCpuOfStat, firstAllowedCpu, pinnableCore, runAnvilTimed } from '../../../bench/perf/anvil-child.js';
import { needs } from '../../needs.js';

describe('anvil child timing', () => {
  it("reads the children's user and system ticks (fields 16, 17), not the process's own (14, 15)", () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    const stat = '4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 900 0 0 0 310 40 250 75 20 0 1 0 100 2000 30';
    expect(childrenCpuOfStat(stat)).toBeCloseTo(3.25, 10);
  });

  it('refuses a line that is not a stat line', () => {
    expect(() => childrenCpuOfStat('MemTotal: 16 kB')).toThrow(/not a \/proc\/PID\/stat line/);
  });

  it.runIf(process.platform === 'linux')('times a real anvil run by CPU as well as by wall clock (Linux)', () => {
    expect(childrenCpuOfStat(readFileSync('/proc/self/stat', 'utf8'))).toBeGreaterThanOrEqual(0);
    const run = runAnvilTimed('anvil --help', ['--help']);
    expect(run.stdout).toMatch(/anvil/);
    // Starting node and loading the CLI takes tenths of a CPU second: several of /proc's 10 ms ticks.
    expect(run.cpu_seconds).toBeGreaterThan(0);
    expect(run.seconds).toBeGreaterThan(0);
  });

  it("pins to the first CPU the process may use: a cpuset's list may leave CPU 0 out", () => {
    expect(firstAllowedCpu('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\n')).toBe(0);
    expect(firstAllowedCpu('Cpus_allowed_list:\t2,4-5\n')).toBe(2);
    expect(firstAllowedCpu('Cpus_allowed:\tff\n')).toBeNull();
  });

  const core = process.platform === 'linux' ? pinnableCore() : null;
  needs('taskset (util-linux)', core !== null)(
    'pins a run to one core: every thread of it on that CPU, so its CPU time stays within its wall time',
    () => {
      // Unpinned, V8's compiler and GC threads run beside the main thread on the other cores (CPU above wall).
      const run = runAnvilTimed('anvil run', ['run', 'bench/scenarios/noisy-neighbour.yaml', '--stack', 'hci', '--output-format', 'json'], {
        pinToCore: core!,
      });
      expect(JSON.parse(run.stdout).jobs.length).toBeGreaterThan(0);
      expect(run.cpu_seconds).toBeGreaterThan(0.1);
      // One of /proc's 10 ms ticks of rounding either way.
      expect(run.cpu_seconds!).toBeLessThanOrEqual(run.seconds + 0.02);
    },
  );
});
