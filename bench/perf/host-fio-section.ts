/**
 * The host target's overhead: IOPS of `anvil run --target host` against fio run directly, on the same
 * 4K random-read job on a file in the temporary folder, runs alternating, as a ratio of medians. The
 * issue asks for the same IOPS within noise; the spread of fio's own runs is printed beside it.
 */
import { median } from 'simple-statistics';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBounded } from '../targets/host/bounded-process.js';
import { findFio } from '../targets/host/fio-binary.js';
import { documentJobs, parseFioDocument } from '../targets/host/fio-document.js';
import { runOnHost } from '../targets/host/run-on-host.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

const REPETITIONS = 5;
const QUICK_REPETITIONS = 2;

/** direct=1 so the drive, not the page cache, is measured; libaio at QD 16 as a typical 4K random-read job. */
function jobText(runtime_s: number): string {
  return `[global]\nioengine=libaio\ndirect=1\nsize=256m\nbs=4k\niodepth=16\nruntime=${runtime_s}\ntime_based\n\n[randread-4k]\nrw=randread\n`;
}

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  let fio: ReturnType<typeof findFio>;
  try {
    fio = findFio();
  } catch (e) {
    return [{ name: 'anvil --target host / fio, 4K randread IOPS', value: null, unit: 'x', note: (e as Error).message }];
  }
  const work = mkdtempSync(join(tmpdir(), 'anvil-bench-host-'));
  try {
    const runtime_s = quick ? 1 : 3;
    const text = jobText(runtime_s);
    const data = join(work, 'data.bin');
    const jobFile = join(work, 'job.fio');
    writeFileSync(jobFile, text.replace('[global]\n', `[global]\nfilename=${data}\n`));
    const direct: number[] = [];
    const anvil: number[] = [];
    const n = quick ? QUICK_REPETITIONS : REPETITIONS;
    for (let i = 0; i < n; i++) {
      log(`4K randread ${i + 1}/${n}: fio directly, ${runtime_s} s`);
      const r = await runBounded(fio.path, ['--output-format=json', jobFile], { timeout_ms: (runtime_s + 60) * 1000, label: 'fio' });
      direct.push(documentJobs(parseFioDocument(r.stdout, 'fio')).reduce((a, j) => a + j.read.iops, 0));
      log(`4K randread ${i + 1}/${n}: anvil run --target host`);
      const h = await runOnHost({ jobFile: 'randread-4k', text, filename: data });
      anvil.push(h.measurement.jobs.reduce((a, j) => a + (j.measured.read.total_ios * 1e9) / j.measured.window_ns, 0));
    }
    const spread = (v: number[]) => `${grouped(Math.min(...v))}-${grouped(Math.max(...v))}`;
    return [
      {
        name: 'anvil --target host / fio, 4K randread IOPS',
        value: median(anvil) / median(direct),
        unit: 'x',
        note: `median of ${n} alternating ${runtime_s} s runs each, ${fio.version}, libaio QD16 direct on ${tmpdir()}; fio ${spread(direct)}, anvil ${spread(anvil)} IOPS`,
        target: { min: 0.9, source: 'issue 3: the same IOPS as fio directly, within noise' },
      },
      { name: 'fio directly, 4K randread', value: median(direct), unit: 'IOPS', note: `median of ${n}` },
      { name: 'anvil run --target host, 4K randread', value: median(anvil), unit: 'IOPS', note: `median of ${n}` },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const hostFioSection: BenchSection = {
  name: 'host-fio',
  description: 'IOPS of anvil run --target host against fio directly, same 4K random-read job',
  run,
};
