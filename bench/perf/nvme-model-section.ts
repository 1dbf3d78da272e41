/**
 * Speed of the NVMe model end to end (job generator, device, recorders), as `anvil run` uses it:
 * simulated I/Os per wall-clock second and simulated seconds per wall second, on the reference jobs.
 * MQSim's figures on this kind of machine were measured for `shared/research/mqsim-speed.md` (not in
 * this run; MQSim is not built here): 80-92K requests per wall second for 4K random read at QD32 with its
 * sample drive, 44-45K for random write without GC, which the ratios below use (their midpoints).
 */
import { runIsolated } from './isolated.js';
import type { ModelRunSpeed } from './nvme-model.js';
import type { BenchSection, Row, SectionOptions } from './section.js';
import { grouped } from './section.js';

const PROFILE = 'intel-p4510-4tb';
const SEED = 1;
const REPETITIONS = 3;

/** MQSim requests per wall second, research/mqsim-speed.md (measured 2026 on a 2-core machine of this kind). */
const MQSIM_REQ_PER_S: Record<string, number> = { 'randread-4k': 86_000, 'randwrite-4k': 44_500 };

const JOBS = ['randread-4k', 'randwrite-4k', 'mixed-70-30', 'seqread-128k'] as const;

async function run({ quick, log }: SectionOptions): Promise<Row[]> {
  const runtime = quick ? '100ms' : '2s';
  const rows: Row[] = [];
  for (const job of JOBS) {
    const runs: ModelRunSpeed[] = [];
    for (let i = 0; i < REPETITIONS; i++) {
      log(`${job} ${i + 1}/${REPETITIONS}: ${runtime} simulated on ${PROFILE}`);
      runs.push(
        await runIsolated<ModelRunSpeed>(new URL('./nvme-model.js', import.meta.url), 'timeReferenceJob', [job, PROFILE, runtime, SEED]),
      );
    }
    const rates = runs.map((r) => r.ios / r.wall_s).sort((a, b) => a - b);
    const best = runs.reduce((a, b) => (b.ios / b.wall_s > a.ios / a.wall_s ? b : a));
    const rate = best.ios / best.wall_s;
    rows.push({
      name: `${job}, simulated I/Os per second`,
      value: rate,
      unit: 'IOs/s',
      note: `best of ${REPETITIONS} (range ${grouped(rates[0]! / 1e3)}-${grouped(rates[rates.length - 1]! / 1e3)}k); ${grouped(best.ios)} I/Os, ${grouped(best.events)} events in ${best.wall_s.toFixed(2)} s`,
    });
    rows.push({
      name: `${job}, simulated s per wall s`,
      value: best.simulated_ns / 1e9 / best.wall_s,
      unit: 'x',
      note: `${(best.simulated_ns / 1e9).toFixed(2)} s simulated (ramp included) in ${best.wall_s.toFixed(2)} s of wall time`,
    });
    const mqsim = MQSIM_REQ_PER_S[job];
    if (mqsim !== undefined) {
      rows.push({
        name: `${job}, against MQSim`,
        value: rate / mqsim,
        unit: 'x',
        note: `MQSim ${grouped(mqsim)} req/s, 4K QD32 on its sample drive (research/mqsim-speed.md, not measured in this run); this job runs at the queue depth in its .fio`,
      });
    }
  }
  return rows;
}

export const nvmeModelSection: BenchSection = {
  name: 'model',
  description: 'NVMe model end to end: simulated I/Os per wall second on the reference jobs (intel-p4510-4tb)',
  run,
};
