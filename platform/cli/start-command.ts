/**
 * `anvil start` (what `npm start` runs): every reference job under bench/workloads/reference on one
 * profile, each job's results in out/<job>/, and one summary of them all in out/summary.txt; then the
 * TCO report of the reference scenario in out/tco/.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../bench/package-root.js';
import { runJobFile } from '../../bench/run.js';
import { normalText } from '../../bench/results/normal-text.js';
import { runTimestamp } from '../../bench/results/run-output.js';
import { anvilVersion } from '../../bench/package-root.js';
import { formatByteRate, formatDuration, formatRate } from '../../sim/core/units.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';

export async function startCommand(
  opts: { profile: string; seed: number; out: string },
  out: NodeJS.WriteStream = process.stdout,
): Promise<void> {
  const dir = join(packageRoot(), 'bench', 'workloads', 'reference');
  const jobs = readdirSync(dir)
    .filter((f) => f.endsWith('.fio'))
    .sort();
  ensureOutputDir(opts.out);
  const texts: string[] = [];
  out.write(
    `${'job'.padEnd(16)} ${'dir'.padEnd(5)} ${'IOPS'.padStart(8)} ${'bandwidth'.padStart(12)} ${'clat mean'.padStart(10)} ${'p99'.padStart(10)} ${'p99.99'.padStart(10)}\n`,
  );
  for (const file of jobs) {
    const name = file.replace(/\.fio$/, '');
    const sink = { write: () => true };
    const run = await runJobFile(
      join(dir, file),
      { target: 'sim', profile: opts.profile, seed: opts.seed, outputFormat: 'normal', out: join(opts.out, name) },
      { stdout: sink, stderr: process.stderr },
    );
    texts.push(normalText(run, { version: anvilVersion(), timestamp_s: runTimestamp() }));
    for (const job of run.jobs) {
      for (const d of ['read', 'write'] as const) {
        const r = job.measured[d];
        if (r.total_ios === 0) continue;
        const w = job.measured.window_ns;
        out.write(
          `${name.padEnd(16)} ${d.padEnd(5)} ${formatRate((r.total_ios * 1e9) / w).padStart(8)} ${formatByteRate((r.io_bytes * 1e9) / w).padStart(12)} ${formatDuration(r.clat.mean_ns).padStart(10)} ${formatDuration(r.clat.percentile(99)).padStart(10)} ${formatDuration(r.clat.percentile(99.99)).padStart(10)}\n`,
        );
      }
    }
  }
  writeFileSync(join(opts.out, 'summary.txt'), texts.join('\n'));
  out.write(`\nresults: ${opts.out}/<job>/summary.json (fio JSON + run metadata) and *.arrow; all summaries in ${opts.out}/summary.txt\n`);
  // Last: the three-year TCO report of the reference scenario (whose drive profile is its own, not --profile).
  const { tcoCommand } = await import('./tco-command.js');
  out.write('\n');
  await tcoCommand(
    join(packageRoot(), 'reports', 'scenarios', 'reference.yaml'),
    { out: join(opts.out, 'tco'), format: ['html'], cache: join('.anvil-cache', 'tco') },
    out,
  );
}
