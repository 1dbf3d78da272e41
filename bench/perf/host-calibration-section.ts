/**
 * Model accuracy on this host: calibrate on a file in the temporary folder (the sweep of `anvil
 * calibrate`), fit a `fitted` profile (and, for comparison, the older `queue` fit) to it, print the fit
 * error on the sweep and the leave-one-depth-out error, and the error on held-out jobs (other depths,
 * 8K and 32K sizes, 70/30 and 30/70 mixes) run twice on the host, interleaved with the sweep so the
 * machine's drift hits fit and held-out alike, against the mean of the two runs. Beside them, the host's
 * own repeatability (a reference job across the whole run, the sweep's repeats, the held-out pairs),
 * flagged when it is larger than the goal. The published reference is MQSim's 3-5% at QD1 on synthetic
 * workloads (Tavakkol et al., FAST 2018).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crossValidate, fitFitted, fittedProfileYaml } from '../calibrate/fit-fitted.js';
import { fitQueue, queueProfileYaml } from '../calibrate/fit-queue.js';
import { fitErrors, meanAbs } from '../calibrate/fit-report.js';
import { HELD_OUT_JOBS, heldOutErrors } from '../calibrate/held-out.js';
import { CALIBRATION_GOAL, hostRepeatability, repeatabilityLines, worstSpread } from '../calibrate/repeatability.js';
import { REFERENCE_JOB, runCalibration } from '../calibrate/schedule.js';
import { sweepJobs } from '../calibrate/sweep.js';
import { parseProfile } from '../profiles.js';
import { findFio } from '../targets/host/fio-binary.js';
import type { BenchSection, Row, SectionOptions } from './section.js';

const us = (ns: number) => (ns / 1000).toFixed(0);

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  try {
    findFio();
  } catch (e) {
    return [{ name: 'calibrated model, held-out jobs', value: null, unit: '%', note: (e as Error).message }];
  }
  const work = mkdtempSync(join(tmpdir(), 'anvil-bench-calibrate-'));
  try {
    const runtime_s = quick ? 0.3 : 1;
    const size_bytes = 256 << 20;
    const filename = join(work, 'data.bin');
    const repeat = quick ? 1 : 3;
    const runs = await runCalibration({ filename, size_bytes, runtime_s, repeat, log, heldOut: HELD_OUT_JOBS, heldOutRuns: 2 });
    const points = runs.points;
    const meta = { filename, host: 'bench', date: '', fioVersion: '' };
    const fitted = parseProfile(fittedProfileYaml(fitFitted(points, size_bytes), points, meta), join(work, 'fitted.yaml'));
    const queue = parseProfile(
      queueProfileYaml(fitQueue(points), points, { ...meta, capacity_bytes: size_bytes }),
      join(work, 'queue.yaml'),
    );
    const out: Row[] = [];
    const training = fitErrors(fitted, points, { size_bytes, runtime_s, seed: 1 });
    out.push({
      name: 'fit: mean |IOPS error| on the sweep',
      value: meanAbs(training, (r) => r.iops_error_pct),
      unit: '%',
      note: `${training.length} job directions the profile was fitted to (${sweepJobs().length} jobs, ${runtime_s} s each, median of ${repeat}; ${runs.total} runs in all, interleaved)`,
    });
    out.push({ name: 'fit: mean |p99 error| on the sweep', value: meanAbs(training, (r) => r.clat_p99_error_pct), unit: '%' });
    const cv = crossValidate(points, size_bytes);
    out.push({
      name: 'cross-validated: mean |IOPS error|',
      value: meanAbs(cv, (r) => r.iops_error_pct),
      unit: '%',
      note: `${cv.length} inner depths, each left out of the fit and predicted from the others`,
    });
    out.push({ name: 'cross-validated: mean |p99 error|', value: meanAbs(cv, (r) => r.clat_p99_error_pct), unit: '%' });
    const heldOut = heldOutErrors(
      [
        { name: 'fitted', profile: fitted },
        { name: 'queue', profile: queue },
      ],
      runs.heldOut,
      { size_bytes, runtime_s, seed: 1 },
    );
    for (const r of heldOut) {
      const [a, b] = r.measured;
      const f = r.predicted.find((p) => p.profile === 'fitted')!;
      const label = `held out ${r.job}${r.direction === 'write' ? ' (write)' : r.job.startsWith('mix') ? ' (read)' : ''}`;
      out.push({
        name: `${label}: IOPS error`,
        value: f.iops_error_pct,
        unit: '%',
        note: `measured ${a.iops.toFixed(0)} and ${b.iops.toFixed(0)} IOPS (repeatability ${r.iops_repeatability_pct.toFixed(1)}%), predicted ${f.point.iops.toFixed(0)}`,
      });
      out.push({
        name: `${label}: p99 error`,
        value: f.clat_p99_error_pct,
        unit: '%',
        note: `measured ${us(a.clat_p99_ns)} and ${us(b.clat_p99_ns)} us (repeatability ${r.p99_repeatability_pct.toFixed(1)}%), predicted ${us(f.point.clat_p99_ns)}`,
      });
    }
    const errorsOf = (profile: string, pick: 'iops_error_pct' | 'clat_p99_error_pct') =>
      meanAbs(heldOut, (r) => r.predicted.find((p) => p.profile === profile)?.[pick] ?? 0);
    out.push({
      name: 'held-out jobs: mean |IOPS error|',
      value: errorsOf('fitted', 'iops_error_pct'),
      unit: '%',
      note: `${heldOut.length} job directions not in the sweep; the queue fit on the same sweep: ${errorsOf('queue', 'iops_error_pct').toFixed(1)}%`,
      target: { max: 10, source: 'issue 16: held-out mean |IOPS error| <= 10%' },
    });
    out.push({
      name: 'held-out jobs: mean |p99 error|',
      value: errorsOf('fitted', 'clat_p99_error_pct'),
      unit: '%',
      note: `the queue fit: ${errorsOf('queue', 'clat_p99_error_pct').toFixed(1)}%`,
      target: { max: 15, source: 'issue 16: held-out mean |p99 error| <= 15%' },
    });
    // A stall of the machine in one host run (seen: 39 IOPS where the other run had 21K) swamps a mean;
    // the median, and the mean over the jobs whose two runs agree, say what the model does when the machine holds still.
    const median = (values: number[]) => {
      const sorted = values.sort((a, b) => a - b);
      return sorted.length === 0 ? 0 : (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    };
    const fittedOf = (r: (typeof heldOut)[number]) => r.predicted.find((p) => p.profile === 'fitted')!;
    out.push({
      name: 'held-out jobs: median |IOPS error|',
      value: median(heldOut.map((r) => Math.abs(fittedOf(r).iops_error_pct))),
      unit: '%',
      note: `median |p99 error| ${median(heldOut.map((r) => Math.abs(fittedOf(r).clat_p99_error_pct))).toFixed(1)}%`,
    });
    const steady = heldOut.filter((r) => r.iops_repeatability_pct <= 10);
    out.push({
      name: 'held-out jobs whose 2 runs agree within 10%: mean |IOPS error|',
      value: steady.length > 0 ? meanAbs(steady, (r) => fittedOf(r).iops_error_pct) : null,
      unit: '%',
      note: `${steady.length} of ${heldOut.length} job directions; their mean |p99 error| ${meanAbs(steady, (r) => fittedOf(r).clat_p99_error_pct).toFixed(1)}%`,
    });
    // The machine's own spread, measured in the same run, beside the model's error (issue 16: not guessed).
    const repeatability = hostRepeatability(runs);
    const worst = worstSpread(repeatability);
    const [referenceLine, ...otherLines] = repeatabilityLines(repeatability, REFERENCE_JOB.name);
    out.push({
      name: 'host repeatability: held-out pairs, mean |run 2 - run 1| IOPS',
      value: repeatability.held_out_iops_spread_pct ?? null,
      unit: '%',
      note: `p99: ${(repeatability.held_out_p99_spread_pct ?? 0).toFixed(1)}%; libaio direct on ${tmpdir()}; MQSim reference: 3-5% at QD1 (FAST 2018)`,
    });
    out.push({
      name: `host drift: ${REFERENCE_JOB.name} across the run, IOPS spread`,
      value: repeatability.reference_iops_spread_pct,
      unit: '%',
      note: referenceLine!.replace(/^host repeatability: /, ''),
    });
    if (repeatability.repeats_iops_spread_pct !== undefined)
      out.push({
        name: 'host repeatability: sweep repeats, mean IOPS spread',
        value: repeatability.repeats_iops_spread_pct,
        unit: '%',
        note: `p99: ${(repeatability.repeats_p99_spread_pct ?? 0).toFixed(1)}%; ${repeat} runs of each sweep job, rounds in alternating order`,
      });
    out.push({
      name: "host's own spread vs the goal",
      value: worst.iops_pct,
      unit: '%',
      note:
        worst.iops_pct > CALIBRATION_GOAL.iops_pct || worst.p99_pct > CALIBRATION_GOAL.p99_pct
          ? otherLines[otherLines.length - 1]!
          : `largest IOPS spread ${worst.iops_pct.toFixed(1)}%, p99 ${worst.p99_pct.toFixed(1)}%: within the goal (${CALIBRATION_GOAL.iops_pct}%, ${CALIBRATION_GOAL.p99_pct}%), so the held-out error is the model's`,
    });
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const hostCalibrationSection: BenchSection = {
  name: 'host-calibration',
  description:
    'calibrate a fitted profile on this host: fit error, leave-one-depth-out error, then held-out jobs run twice (percent error)',
  run,
};
