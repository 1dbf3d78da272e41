/** Runs fio job files on one `queue` device, with or without storage QoS before it, and reads each job's IOPS. */
import { parseProfile } from '../../../bench/profiles.js';
import { loadWorkloads } from '../../../bench/workloads/resolve.js';
import { Model } from '../../../sim/model/model.js';
import { storageQos, type StorageQos, type StorageQosParams } from '../../../sim/qos/storage-qos.js';

/** One server, exponential service of mean 100 us: C = 10,000 IOPS whatever the I/O size. */
export const CAPACITY_IOPS = 10_000;
const DEVICE = parseProfile('kind: queue\nservers: 1\nservice: { dist: exponential, mean: 100us }\n', 'queue.yaml');

export interface QosRun {
  /** Per job (by section name, its clones added up): IOPS over its measured window. */
  readonly iops: Record<string, number>;
  /** Per job: bytes per second. */
  readonly bw_bytes: Record<string, number>;
  /** Per job: mean completion latency, ns. */
  readonly clat_mean_ns: Record<string, number>;
  readonly qos: StorageQos | undefined;
  readonly model: Model;
}

/**
 * Each job section's name is the QoS client it goes through (`qos` absent: straight to the device).
 * @param jobFile fio job text; every job should be time based with a runtime
 * @param start_ns per job name, when it starts (default 0)
 */
export function runOnQueue(
  jobFile: string,
  qos: Omit<StorageQosParams, 'device'> | undefined,
  seed = 1,
  start_ns: Record<string, number> = {},
): QosRun {
  const model = new Model(seed, 1e8);
  model.addDevice('dev', DEVICE.kind, DEVICE.params);
  const built = qos ? storageQos(model, { device: 'dev', ...qos }) : undefined;
  const specs = loadWorkloads(jobFile, 'qos.fio', model.device('dev').instance.capacity_bytes, {}).specs;
  const jobs = specs.map((spec) => ({
    spec,
    job: model.addJob({ spec, start_ns: start_ns[spec.name] ?? 0, ...(built ? built.route(spec.name) : { device: 'dev' }) }),
  }));
  model.run(1e8);
  const iops: Record<string, number> = {};
  const bw_bytes: Record<string, number> = {};
  const clat_mean_ns: Record<string, number> = {};
  for (const { spec, job } of jobs) {
    const r = job.recorder;
    const seconds = r.window_ns / 1e9;
    const ios = r.read.total_ios + r.write.total_ios;
    // Clones of one job (numjobs) go through the same client: their figures add up.
    iops[spec.name] = (iops[spec.name] ?? 0) + ios / seconds;
    bw_bytes[spec.name] = (bw_bytes[spec.name] ?? 0) + (ios * spec.blockSize_bytes.read) / seconds;
    clat_mean_ns[spec.name] = r.read.clat.mean_ns;
  }
  return { iops, bw_bytes, clat_mean_ns, qos: built, model };
}

/** A random-read job section, time based. */
export function job(name: string, iodepth: number, extra = ''): string {
  return `[${name}]\nrw=randread\nbs=4k\niodepth=${iodepth}\nruntime=1\nramp_time=0.1\ntime_based\n${extra}`;
}
