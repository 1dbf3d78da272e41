/**
 * fio's slat_percentiles, clat_percentiles and lat_percentiles: which of slat_ns, clat_ns and lat_ns carry a
 * `percentile` table (and `bins` in json+) must be what fio 3.x itself writes for the same options. fio runs here
 * too (CI installs it), on its null engine. A closed-loop job on the model waits for nothing before submission, so
 * its slat is all zeros: fio writes N=0 and no table where it records no submission latency (a sync engine), and so
 * must the model, whatever slat_percentiles says.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { AnvilError } from '../../platform/errors.js';
import { anvilRun } from '../cli-harness.js';
import { needs } from '../needs.js';

const hasFio = spawnSync('fio', ['--version']).status === 0;
const needFio = needs('fio', hasFio);
const QUEUE = 'kind: queue\nservers: 2\nservice: { dist: lognormal, mean: 40us, stddev: 30us }\n';
type Blocks = Record<'slat_ns' | 'clat_ns' | 'lat_ns', string[]> & { slatSamples: number };

function shape(json: string): Blocks {
  const read = (JSON.parse(json) as { jobs: { read: Record<string, Record<string, unknown>> }[] }).jobs[0]!.read;
  const keysOf = (k: string) =>
    Object.keys(read[k]!)
      .filter((x) => x === 'percentile' || x === 'bins')
      .sort();
  return { slat_ns: keysOf('slat_ns'), clat_ns: keysOf('clat_ns'), lat_ns: keysOf('lat_ns'), slatSamples: read.slat_ns!.N as number };
}

function fio(options: string[], format: string): Blocks {
  const r = spawnSync(
    'fio',
    ['--name=x', '--ioengine=null', '--size=4M', '--rw=randread', '--bs=4k', ...options.map((o) => `--${o}`), `--output-format=${format}`],
    { encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return shape(r.stdout);
}

describe('latency percentiles as fio writes them', () => {
  const cases: string[][] = [
    [],
    ['lat_percentiles=1'],
    ['clat_percentiles=0'],
    ['lat_percentiles=1', 'clat_percentiles=0'],
    ['slat_percentiles=1'],
  ];
  for (const options of cases) {
    for (const format of ['json', 'json+'] as const) {
      needFio(
        `${options.join(' ') || 'defaults'}, ${format}: the same blocks carry percentile and bins as in fio's own output`,
        async () => {
          const job = `[x]\nrw=randread\nbs=4k\niodepth=4\nruntime=50ms\ntime_based\n${options.join('\n')}\n`;
          const anvil = shape((await anvilRun(job, { profileYaml: QUEUE, outputFormat: format })).stdout);
          const real = fio(options, format);
          expect(real.slatSamples).toBe(0);
          expect(anvil).toEqual(real);
        },
      );
    }
  }

  it('a percentile option that is not 0 or 1 is refused with the line', async () => {
    const e = await anvilRun('[x]\nrw=randread\nlat_percentiles=yes\n', { profileYaml: QUEUE, outputFormat: 'json' }).then(
      () => undefined,
      (x: unknown) => x as AnvilError,
    );
    expect(e?.code).toBe('ANVIL_ERR_JOB_VALUE');
    expect(e?.details.join('\n')).toMatch(/3.*lat_percentiles=yes is not 0 or 1/);
  });
});
