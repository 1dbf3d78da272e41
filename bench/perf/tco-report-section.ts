/**
 * The TCO report's cost: the reference scenario end to end (catalogue, sizing, cash flows, Monte Carlo,
 * tornado, HTML with four charts, tco.json, Arrow) with 10,000 Monte Carlo samples. Measured twice: with
 * an empty model cache (the NVMe model is searched for IOPS at the SLA) and with a warm one (what a
 * re-run of an unchanged scenario costs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { anvilVersion, packageRoot } from '../package-root.js';
import { analyseFile } from '../../reports/tco/tco.js';
import { writeReport } from '../../reports/render/write-report.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

export const tcoReportSection: BenchSection = {
  name: 'tco-report',
  description: 'reference TCO report end to end (model search, 10,000 Monte Carlo samples, tornado, HTML + JSON + Arrow)',
  async run(options: SectionOptions): Promise<Row[]> {
    const samples = options.quick ? 1000 : 10000;
    const scenario = join(packageRoot(), 'reports', 'scenarios', 'reference.yaml');
    const work = mkdtempSync(join(tmpdir(), 'anvil-bench-tco-'));
    try {
      const cache = join(work, 'cache');
      const report = (out: string) => {
        const start = process.hrtime.bigint();
        const analysis = analyseFile(scenario, { cacheDir: cache, samples });
        const analysed = seconds(start);
        writeReport(analysis, join(work, out), ['html'], anvilVersion());
        return { total: seconds(start), analysed, runs: analysis.driveRuns.reduce((n, r) => n + r.result.modelRuns, 0) };
      };
      options.log(`cold model cache, ${grouped(samples)} samples`);
      const cold = report('cold');
      options.log(`warm model cache, ${grouped(samples)} samples`);
      const warm = report('warm');
      return [
        {
          name: `reference report, ${grouped(samples)} samples, cold cache`,
          value: cold.total,
          unit: 's',
          note: `${cold.runs} NVMe model runs to find IOPS at the SLA, then the report`,
        },
        {
          name: `reference report, ${grouped(samples)} samples, warm cache`,
          value: warm.total,
          unit: 's',
          note: 'model results from the cache; Monte Carlo, tornado and rendering',
        },
        {
          name: 'Monte Carlo + tornado throughput',
          value: samples / warm.analysed,
          unit: 'samples/s',
          note: 'full evaluations (sizing, cash flows, NPV, break-even) per second, warm cache',
        },
      ];
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  },
};
