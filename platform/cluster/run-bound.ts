/**
 * `--max-ios` for a cluster scenario: the bound the job-file path checks on an estimate before it starts
 * (bench/targets/run-cost.ts) is checked here on the run itself, because a cluster's I/O count depends on
 * placement, mirroring, QoS and resync. Between slices of simulated time (a 200th of the run each) the
 * I/Os the drives have served (every plex copy, warm-up and resync included) are added up; past the limit
 * the run stops with ANVIL_ERR_RUN_TOO_LARGE, saying how far it got and what the whole run would take,
 * and writes nothing.
 */
import { formatDuration } from '../../sim/core/units.js';
import { AnvilError } from '../errors.js';
import type { AssembledCluster } from './assemble.js';

/** The I/Os every drive of the cluster has completed so far. */
export function drivesIos(built: AssembledCluster): number {
  let ios = 0;
  for (const devices of built.drives.values()) for (const name of devices) ios += built.model.device(name).instance.completedIos ?? 0;
  return ios;
}

/**
 * A check to call between slices of the run: throws ANVIL_ERR_RUN_TOO_LARGE once the drives have served
 * more than `maxIos` I/Os. `file` and `duration_ns` are for the message.
 */
export function runBound(built: AssembledCluster, maxIos: number, file: string, duration_ns: number): () => void {
  return () => {
    const ios = drivesIos(built);
    if (ios <= maxIos) return;
    const now = built.model.sim.now;
    const whole = Math.ceil((ios * Math.max(duration_ns, now)) / now / 1e6) * 1e6;
    throw new AnvilError(
      'ANVIL_ERR_RUN_TOO_LARGE',
      `${file}: the run stopped at ${formatDuration(now)} of ${formatDuration(duration_ns)} simulated: its drives had served ${ios} I/Os, ` +
        `above the limit of ${maxIos} (--max-ios); at this pace the whole run simulates about ${whole} I/Os. ` +
        `Shorten the scenario's duration or lower its rates, or raise the limit with --max-ios ${whole}`,
    );
  };
}
