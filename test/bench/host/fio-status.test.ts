/**
 * fio's status lines, as fio 3.33 printed them to a pipe with --eta=always (fixtures captured from real
 * runs, see fixtures/status-lines/README), into the progress bar's figures; and the bar driven by a real
 * fio run through `anvil run --target host` on a fake terminal. Needs fio for the last part: runs in CI.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostProgressBar, type HostProgress } from '../../../bench/results/progress-bar.js';
import { which } from '../../../bench/targets/host/bounded-process.js';
import { fioStatusReader, parseEta_s, parseFioStatusLine, type FioStatus } from '../../../bench/targets/host/fio-status.js';
import { runOnHost } from '../../../bench/targets/host/run-on-host.js';
import { runJobFile } from '../../../bench/run.js';
import { tempDir } from '../../cli-harness.js';
import { needs } from '../../needs.js';

const needFio = needs('fio', which('fio') !== undefined);
const fixture = (name: string) => readFileSync(new URL(`fixtures/status-lines/${name}`, import.meta.url), 'utf8');

function statusesOf(text: string, chunk: number): FioStatus[] {
  const out: FioStatus[] = [];
  const reader = fioStatusReader((s) => out.push(s));
  for (let i = 0; i < text.length; i += chunk) reader.push(text.slice(i, i + chunk));
  reader.end();
  return out;
}

function fakeTerminal() {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('fio status lines', () => {
  it("parses percent, IOPS with fio's k suffix and the eta of a line", () => {
    expect(parseFioStatusLine('Jobs: 1 (f=1): [r(1)][45.5%][r=312MiB/s][r=79.9k IOPS][eta 00m:06s]')).toEqual({
      jobs: 1,
      fraction: 0.455,
      iops_per_s: 79_900,
      eta_s: 6,
    });
    expect(
      parseFioStatusLine('Jobs: 2 (f=2): [m(1),X(1)][75.0%][r=51.0MiB/s,w=22.1MiB/s][r=13.1k,w=5657 IOPS][eta 01h:02m:03s]'),
    ).toMatchObject({ jobs: 2, fraction: 0.75, iops_per_s: 13_100 + 5657, eta_s: 3723 });
    expect(parseFioStatusLine('Jobs: 1 (f=1): [f(1)][-.-%][r=48.1MiB/s][r=12.3k IOPS][eta 00m:00s]')).not.toHaveProperty('fraction');
    expect(parseFioStatusLine('Jobs: 1 (f=1)')).toEqual({ jobs: 1 });
    expect(parseFioStatusLine('fio: pid=12, err=25/file:io_u.c')).toBeUndefined();
    expect(parseEta_s('2d:01h:00m:05s')).toBe(2 * 86400 + 3600 + 5);
    expect(parseEta_s('soon')).toBeUndefined();
  });

  it("reads a real single-host run's stdout whichever way it is cut into chunks", () => {
    const text = fixture('randread-stdout.txt');
    const whole = statusesOf(text, text.length);
    const withFigures = whole.filter((s) => s.iops_per_s !== undefined);
    expect(whole.length - withFigures.length).toBe(3); // fio's first, bare lines
    expect(withFigures.length).toBeGreaterThanOrEqual(5);
    expect(statusesOf(text, 7)).toEqual(whole);
    const fractions = withFigures.map((s) => s.fraction ?? 0);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b)); // fio's percent only grows
    expect(fractions.at(-1)).toBe(1);
    for (const s of withFigures) expect(s.iops_per_s).toBeGreaterThan(1000);
  });

  it("adds reads and writes of a mixed run, reads the client's lines (sizes without /s) and rate-limited ones", () => {
    const mixed = statusesOf(fixture('randrw-stdout.txt'), 64);
    expect(mixed.find((s) => s.iops_per_s !== undefined)).toMatchObject({ fraction: 0.75, iops_per_s: 13_100 + 5657, eta_s: 1 });
    const client = statusesOf(fixture('client-normal-stdout.txt'), 64).filter((s) => s.jobs > 0 && s.iops_per_s !== undefined);
    expect(client.map((s) => s.fraction)).toEqual([0.5, 0.8, 1]);
    expect(client[1]!.iops_per_s).toBe(9562);
    // With rate_iops the head carries the rate range; the IOPS figure is still the measured one.
    const rateLines = statusesOf(fixture('rate-limited-stdout.txt'), 64);
    expect(rateLines.slice(0, 4)).toEqual(Array(4).fill({ jobs: 1 })); // "Jobs: 1 (f=1), 0-500 IOPS" before figures
    const limited = rateLines.filter((s) => s.iops_per_s !== undefined);
    expect(limited.length).toBeGreaterThanOrEqual(3);
    for (const s of limited) {
      expect(s.iops_per_s).toBeGreaterThan(400);
      expect(s.iops_per_s).toBeLessThan(600);
    }
  });

  it("shows fio's percent, eta and IOPS on a terminal, and clears the line", () => {
    const { writes, stream } = fakeTerminal();
    const bar = hostProgressBar(stream)!;
    bar.update({ fraction: 0.5, iops_per_s: 13_100, eta_s: 3, wall_s: 2.5 });
    bar.update({ wall_s: 3 });
    bar.done();
    expect(writes[0]).toMatch(/^\r\[#{15}\.{15}\] {2}50% fio wall 2\.5 s eta 3 s 13\.1k IOPS/);
    // eslint-disable-next-line no-control-regex -- the bar's own escape sequence (erase to end of line) is what is checked
    expect(writes[1]).toMatch(/^\r\[running\] fio wall 3\.0 s\x1b\[K$/);
    expect(writes.at(-1)).toBe('\r\x1b[K');
    expect(hostProgressBar({ isTTY: false, write: () => true } as unknown as NodeJS.WriteStream)).toBeUndefined();
  });
});

describe('progress of a real fio run', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = tempDir('anvil-status-test-');
    mkdirSync(join(scratch, 'tmp'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const JOB = '[rr]\nioengine=psync\nsize=8m\nbs=4k\nrw=randread\nruntime=4\ntime_based\n';

  needFio("fio's status lines reach onProgress while it runs, and the results are unchanged", async () => {
    const seen: HostProgress[] = [];
    let tick = 0;
    const run = await runOnHost({
      jobFile: 'rr.fio',
      text: JOB,
      filename: join(scratch, 'a.dat'),
      onProgress: (p) => seen.push(p),
      wallClock_s: () => ++tick,
    });
    expect(seen.length).toBeGreaterThanOrEqual(2); // 4 s of run, a status every 0.5 s
    expect(seen.map((p) => p.wall_s)).toEqual(seen.map((_, i) => i + 1));
    const first = seen.findIndex((p) => p.fraction !== undefined && p.fraction > 0 && (p.iops_per_s ?? 0) > 0);
    expect(first).toBeGreaterThanOrEqual(0);
    // Once fio has figures the bar keeps them, through lines that have none.
    expect(seen.slice(first).every((p) => p.fraction !== undefined && p.iops_per_s !== undefined)).toBe(true);
    expect(run.measurement.jobs[0]!.measured.read.total_ios).toBeGreaterThan(100);
  });

  needFio("anvil run --target host draws the bar on a terminal stderr and leaves stdout fio's JSON", async () => {
    const job = join(scratch, 'rr.fio');
    writeFileSync(job, JOB);
    const { writes, stream } = fakeTerminal();
    let stdout = '';
    await runJobFile(
      job,
      { target: 'host', profile: '', seed: 1, outputFormat: 'json', filename: join(scratch, 'b.dat') },
      { stdout: { write: (t: string) => (stdout += t) }, stderr: stream },
    );
    const drawn = writes.filter((w) => /^\r\[[#.]{30}\] +\d+% fio wall .* IOPS/.test(w));
    expect(drawn.length).toBeGreaterThanOrEqual(1); // fio has figures after its first 2 s or so
    expect(writes.filter((w) => w.startsWith('\r[')).length).toBeGreaterThanOrEqual(4);
    expect(writes.at(-1)).toBe('\r\x1b[K');
    expect((JSON.parse(stdout) as { jobs: { jobname: string }[] }).jobs[0]!.jobname).toBe('rr');
  });
});
