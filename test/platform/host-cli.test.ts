/**
 * The host commands through the built `anvil` binary: exit codes, catalogue errors on stderr, never a
 * stack trace, and results on stdout only.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { which } from '../../bench/targets/host/bounded-process.js';
import { writeFiles } from '../cli-harness.js';
import { needs } from '../needs.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const STACK = /^\s+at\s|node:internal|TypeError|ReferenceError/m;
const needFio = needs('fio', which('fio') !== undefined);
const JOB = '[global]\nioengine=psync\nsize=4m\nbs=4k\nruntime=200ms\ntime_based\n\n[r]\nrw=randread\n';

function anvil(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('anvil host commands', () => {
  it('lists the host options and commands in help', () => {
    expect(anvil(['run', '--help']).stdout).toMatch(/--filename <path>[\s\S]*--hosts <list>[\s\S]*--timeout <s>/);
    const help = anvil(['--help']).stdout;
    for (const c of ['net', 'host', 'calibrate', 'validate']) expect(help).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });

  it('exits 2 on a bad --hosts list, 1 with the code on a path it cannot write', () => {
    const dir = writeFiles({ 'j.fio': JOB });
    const bad = anvil(['run', join(dir, 'j.fio'), '--target', 'host', '--hosts', 'a b,c']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^ANVIL_ERR_USAGE: .*host\[:port\]/);
    const path = anvil(['run', join(dir, 'j.fio'), '--target', 'host', '--filename', join(dir, 'no', 'x.bin')]);
    expect(path.code).toBe(1);
    expect(path.stderr).toMatch(/^ANVIL_ERR_HOST_PATH: /);
    expect(path.stderr).not.toMatch(STACK);
    expect(path.stdout).toBe('');
  });

  needFio('prints only fio JSON on stdout and nothing on stderr on a pipe', () => {
    const dir = writeFiles({ 'j.fio': JOB });
    const r = anvil(['run', join(dir, 'j.fio'), '--target', 'host', '--filename', join(dir, 'data.bin'), '--output-format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { jobs: { read: { total_ios: number } }[] }).jobs[0]!.read.total_ios).toBeGreaterThan(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses net options it cannot use, every problem at once', () => {
    const r = anvil(['net', 'run', '--protocol', 'sctp', '--rate-qdisc', 'cbq']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_NET_SPEC: the network test options have 2 problems\n {2}protocol: [^\n]+\n {2}rateQdisc: /);
    // A number out of range is a usage error of the flag, found before the spec is built.
    const endpoints = anvil(['net', 'run', '--endpoints', '1']);
    expect([endpoints.code, endpoints.stderr]).toEqual([
      2,
      expect.stringMatching(
        /^ANVIL_ERR_USAGE: option '--endpoints <n>' argument '1' is invalid: use a whole number from 2 to 16; see anvil net run --help\n$/,
      ),
    ]);
  });
});
