/**
 * The `anvil` binary as a user runs it (the compiled CLI that `npm test` builds first): exit codes,
 * catalogue errors on stderr and never a stack trace, nothing but JSON on stdout, no progress bar on a pipe.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFiles } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const QUEUE = 'kind: queue\nservers: 1\nservice: { dist: exponential, mean: 10us }\n';
const STACK = /^\s+at\s|node:internal|TypeError|ReferenceError/m;

function anvil(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('anvil CLI', () => {
  it('is built (npm test runs tsc first)', () => {
    expect(existsSync(BIN)).toBe(true);
  });

  it('prints help and the version', () => {
    const help = anvil(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/run \[options\] <jobfile>/);
    const runHelp = anvil(['run', '--help']);
    expect(runHelp.stdout).toMatch(/--output-format <format>/);
    expect(runHelp.stdout).toMatch(/json\+/);
    expect(anvil(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs a job file and prints only fio JSON on stdout, nothing on stderr on a pipe', () => {
    const dir = writeFiles({ 'q.yaml': QUEUE, 'j.fio': '[j]\nrw=randread\nbs=4k\niodepth=4\nruntime=200ms\ntime_based\n' });
    const r = anvil(['run', join(dir, 'j.fio'), '--profile', join(dir, 'q.yaml'), '--output-format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(r.stdout) as { jobs: { read: { iops: number } }[] };
    expect(doc.jobs[0]!.read.iops).toBeGreaterThan(0);
  });

  it('rejects a bad job file with the file, the lines and what is allowed, and exit code 1', () => {
    const dir = writeFiles({ 'bad.fio': '[global]\nrw=randread\nlatency_target=5ms\n\n[a]\nbs=huge\niodepth=0\n' });
    const r = anvil(['run', join(dir, 'bad.fio'), '--profile', 'intel-p4510-4tb']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^ANVIL_ERR_JOB_/);
    expect(r.stderr).toContain("bad.fio:3: option 'latency_target' is not supported");
    expect(r.stderr).toContain('bad.fio:6: bs=huge');
    expect(r.stderr).toContain('bad.fio:7: iodepth');
    expect(r.stderr).toMatch(/options the model supports: rw, bs, iodepth/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('says what is wrong with flags, files and profiles, with catalogue codes', () => {
    const dir = writeFiles({
      'j.fio': '[j]\nrw=read\n',
      'bad.yaml': 'kind: queue\nservers: 0\nservice: { dist: exponential, mean: fast }\n',
    });
    const cases: [string[], number, RegExp][] = [
      [['run', join(dir, 'j.fio'), '--bogus'], 2, /^ANVIL_ERR_USAGE: unknown option '--bogus'/],
      [['run', join(dir, 'j.fio'), '--seed', '-3'], 2, /^ANVIL_ERR_USAGE: .*seed/],
      [['run', join(dir, 'j.fio'), '--output-format', 'xml'], 2, /^ANVIL_ERR_USAGE: .*normal, json, json\+/],
      [['run', join(dir, 'j.fio'), '--target', 'cloud'], 1, /^ANVIL_ERR_TARGET: .*--target sim/],
      [['run', join(dir, 'missing.fio')], 1, /^ANVIL_ERR_FILE_NOT_FOUND: .*missing\.fio/],
      [['run', join(dir, 'j.fio'), '--profile', 'no-such-drive'], 1, /^ANVIL_ERR_PROFILE_NOT_FOUND: .*built-in profiles: /],
      [
        ['run', join(dir, 'j.fio'), '--profile', join(dir, 'bad.yaml')],
        1,
        /^ANVIL_ERR_PROFILE_INVALID: [^\n]*bad\.yaml[\s\S]*\/servers[\s\S]*\/service/,
      ],
      [['nonsense'], 2, /^ANVIL_ERR_USAGE: unknown command 'nonsense'/],
    ];
    for (const [args, code, message] of cases) {
      const r = anvil(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr, args.join(' ')).not.toMatch(STACK);
    }
  });

  it('lists profiles and device kinds', () => {
    const kinds = anvil(['devices']);
    expect(kinds.code).toBe(0);
    expect(kinds.stdout).toMatch(/^null \(v1\)/m);
    expect(kinds.stdout).toMatch(/^queue \(v1\)/m);
    expect(kinds.stdout).toMatch(/^ {2}servers: number of identical servers/m);
  });
});
