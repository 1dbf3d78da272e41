/**
 * fio's normal text and its JSON's top level, as fio 3.33 itself writes them for the same job file (fio runs
 * here on its null engine; CI installs it). The text is compared section by section: every line reduced to
 * its label (what comes before its first ':' or '=', digits and units blanked), runs of the same label
 * (percentile rows, latency distribution rows) counted once, so the model's figures may differ from the null
 * engine's while the layout a script parses may not.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { anvilRun, tempDir } from '../cli-harness.js';
import { needs } from '../needs.js';

const hasFio = spawnSync('fio', ['--version']).status === 0;
const needFio = needs('fio', hasFio);

// Two reporting groups, the second of two clones reported together; 1.1 s so fio takes bandwidth samples.
const JOB = `[global]
ioengine=null
size=64m
runtime=1100ms
time_based
bs=4k

[rr]
rw=randread
iodepth=4

[w]
stonewall
rw=write
bs=64k
numjobs=2
group_reporting
`;

function fio(format: 'normal' | 'json'): string {
  const dir = tempDir('anvil-fio-text-');
  const file = join(dir, 'job.fio');
  writeFileSync(file, JOB);
  const r = spawnSync('fio', [file, `--output-format=${format}`], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** A line's label: the text before its first ':' or '=', digits as '#', latency and bandwidth units blanked. */
function label(line: string): string {
  if (/^(fio-\d|anvil-)/.test(line)) return 'VERSION';
  if (line.startsWith('     |')) return '     |';
  const unitless = line.replace(/\((nsec|usec|msec)\)/g, '(UNIT)').replace(/\(\s*(KiB|MiB)\/s\)/, '(BW)');
  return unitless.split(/[:=]/)[0]!.replace(/\d+/g, '#');
}

/** The labels of a text in order, runs collapsed, without fio's disk statistics and the model's own last line. */
function layout(text: string): string[] {
  const lines = text.split('\n');
  const end = lines.findIndex((l) => l.startsWith('Disk stats') || l.startsWith('Model stats'));
  const labels: string[] = [];
  for (const line of end < 0 ? lines : lines.slice(0, end)) {
    const l = label(line);
    if (labels.at(-1) !== l) labels.push(l);
  }
  while (labels.at(-1) === '') labels.pop();
  return labels;
}

describe("fio's own layout", () => {
  needFio('the normal text has fio 3.33 sections in fio order: job lines, version, job blocks, group status', async () => {
    // fio's null engine at iodepth 4 queues, so it has submission latencies; a closed-loop job on the model
    // submits at once and has none (slat is shown only where measured, in both).
    const real = layout(fio('normal')).filter((l) => l !== '    slat (UNIT)');
    const { stdout } = await anvilRun(JOB, { outputFormat: 'normal' });
    expect(layout(stdout)).toEqual(real);
    // The sections fio's parsers look for are there, not only matching labels.
    expect(stdout).toMatch(/^rr: \(groupid=0, jobs=1\): err= 0: pid=0: /m);
    expect(stdout).toMatch(/^w: \(groupid=1, jobs=2\): /m);
    expect(stdout).toMatch(/^ {4}clat percentiles \((nsec|usec|msec)\):\n {5}\| {2}1\.00th=\[/m);
    expect(stdout).toMatch(/^ {3}READ: bw=\S+ \(\S+\), \S+-\S+ \(\S+-\S+\), io=\S+ \(\S+\), run=\d+-\d+msec$/m);
    expect(stdout).toMatch(/^ {2}WRITE: bw=/m);
  });

  needFio('the figures in the text are those of the JSON', async () => {
    const text = (await anvilRun(JOB, { outputFormat: 'normal' })).stdout;
    const json = JSON.parse((await anvilRun(JOB, { outputFormat: 'json' })).stdout) as {
      jobs: { read: { total_ios: number }; write: { total_ios: number } }[];
    };
    const issued = [...text.matchAll(/issued rwts: total=(\d+),(\d+),(\d+),0/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(issued).toEqual(json.jobs.map((j) => [j.read.total_ios, j.write.total_ios]));
    expect(issued[0]![0]).toBeGreaterThan(0);
  });

  needFio("the JSON's top level, job keys and each section's options are fio's", async () => {
    type Doc = { [k: string]: unknown; jobs: Record<string, unknown>[] };
    const real = JSON.parse(fio('json')) as Doc;
    const anvil = JSON.parse((await anvilRun(JOB, { outputFormat: 'json' })).stdout) as Doc;
    expect(Object.keys(anvil)).toEqual(Object.keys(real).filter((k) => k !== 'disk_util'));
    expect(anvil['global options']).toEqual(real['global options']);
    expect(anvil.jobs.map((j) => j['job options'])).toEqual(real.jobs.map((j) => j['job options']));
    expect(anvil.jobs.map((j) => Object.keys(j))).toEqual(real.jobs.map((j) => Object.keys(j)));
    expect(Object.keys(anvil.jobs[0]!.iodepth_submit as object)).toEqual(Object.keys(real.jobs[0]!.iodepth_submit as object));
    // ctime(3)'s layout, as fio writes `time`.
    expect(anvil.time).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
    expect(real.time).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
  });
});
