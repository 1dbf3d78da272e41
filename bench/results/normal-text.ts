/** fio's "normal" output, compact: per job and direction IOPS, bandwidth and completion-latency figures. */
import { formatByteRate, formatDuration, formatRate } from '../../sim/core/units.js';
import type { RunMeasurement } from './measurement.js';

/** The human summary of a run, ending in a newline. */
export function normalText(run: RunMeasurement, version: string): string {
  const lines: string[] = [];
  // A host run has no seed: its line says 0, as it always has.
  lines.push(
    `anvil-${version}: target ${run.target}, profile ${run.profile.name} (${run.profile.title}), seed ${run.target === 'sim' ? run.seed : 0}`,
  );
  for (const job of run.jobs) {
    const spec = job.specs[0]!;
    const rw = `${spec.pattern === 'random' ? 'rand' : ''}${spec.trimMode ?? (spec.readFraction >= 1 ? 'read' : spec.readFraction <= 0 ? 'write' : 'rw')}`;
    const clones = job.specs.length > 1 ? `, ${job.specs.length} clones` : '';
    lines.push(`${job.name}: (groupid=${job.groupid}): rw=${rw}, bs=${spec.blockSize_bytes.read}, iodepth=${spec.iodepth}${clones}`);
    const window = job.measured.window_ns;
    for (const dir of ['read', 'write', 'trim'] as const) {
      const d = job.measured[dir]; // trim only where a host run trimmed
      if (!d || d.total_ios === 0) continue;
      const iops = (d.total_ios * 1e9) / window;
      const bw = (d.io_bytes * 1e9) / window;
      lines.push(`  ${dir}: IOPS=${formatRate(iops)}, BW=${formatByteRate(bw)} (${d.total_ios} ios in ${formatDuration(window)})`);
      const c = d.clat;
      lines.push(
        `    clat: min=${formatDuration(c.min_ns)}, max=${formatDuration(c.max_ns)}, avg=${formatDuration(c.mean_ns)}, stdev=${formatDuration(c.stddev_ns)}`,
      );
      // As fio's text: a percentile line for each latency whose percentiles the job asks for.
      const of = spec.percentilesOf ?? { slat: false, clat: true, lat: false };
      for (const [label, h] of [
        ['slat', d.slat],
        ['clat', c],
        ['lat', d.lat],
      ] as const) {
        if (!of[label]) continue;
        lines.push(
          `    ${label} percentiles: ${[50, 90, 99, 99.9, 99.99].map((p) => `${p}th=${formatDuration(h.percentile(p))}`).join(', ')}`,
        );
      }
    }
  }
  // A host run has no simulated time: fio measured it.
  if (run.target === 'sim') lines.push(`simulated ${formatDuration(run.simulated_ns)}, ${run.events} events`);
  return lines.join('\n') + '\n';
}
