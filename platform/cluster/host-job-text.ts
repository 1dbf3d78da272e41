/** The job text fio runs for a host workload: the model's defaults for fio (asynchronous, uncached) and each job's runtime within the scenario. */
import type { WorkloadSpec } from '../../sim/workload/spec.js';

/**
 * The job text fio runs for a workload: defaults first (libaio at the job's iodepth, direct I/O past the
 * page cache), which the job's own [global] and sections override, as on the model where every job is
 * asynchronous and uncached; and at the end of each job section its runtime within the scenario (its own,
 * or the scenario's duration where it names none or a longer one), as the model bounds its jobs.
 */
export function hostJobText(job: string, specs: readonly WorkloadSpec[], duration_ns: number, volume_bytes?: number): string {
  const out = ['; defaults of anvil run SCENARIO --target host', '[global]', 'ioengine=libaio', 'direct=1'];
  // On a user's device larger than the volume (--host-device), the jobs stay within the volume's size unless one names its own.
  if (volume_bytes !== undefined) out.push(`size=${volume_bytes}`);
  out.push('');
  let section: string | undefined;
  const close = () => {
    if (section === undefined || section === 'global') return;
    const own = specs.find((x) => x.name === section)?.runtime_ns ?? 0;
    const runtime_ns = own > 0 ? Math.min(own, duration_ns) : duration_ns;
    out.push(
      '; added by anvil run SCENARIO --target host: the runtime within the scenario',
      `runtime=${Math.max(1, Math.round(runtime_ns / 1e6))}ms`,
    );
  };
  for (const line of job.split('\n')) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) {
      close();
      section = header[1]!.trim();
    }
    out.push(line);
  }
  close();
  return out.join('\n') + '\n';
}
