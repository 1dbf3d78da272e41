/**
 * Round-trip time between two endpoints with ping (ICMP echo), each reply's time recorded in the same
 * latency histogram the storage results use, so RTT percentiles mean what fio's do.
 */
import { AnvilError } from '../../platform/errors.js';
import { LatencyHistogram } from '../../sim/measure/latency-histogram.js';
import { runBounded, which } from '../targets/host/bounded-process.js';
import type { Endpoint, NetLab } from './lab.js';

export interface RttResult {
  readonly from: number;
  readonly to: number;
  readonly sent: number;
  readonly received: number;
  readonly histogram: LatencyHistogram;
}

/** Reply times in ns from ping's output ("... time=0.045 ms"). */
export function parsePingTimes(text: string): number[] {
  return [...text.matchAll(/time[=<]([\d.]+) ms/g)].map((m) => Math.round(Number(m[1]) * 1e6));
}

/** `count` echoes 10 ms apart from `from` to `to`. */
export async function measureRtt(lab: NetLab, from: Endpoint, to: Endpoint, count: number): Promise<RttResult> {
  const ping = which('ping');
  if (!ping) throw new AnvilError('ANVIL_ERR_HOST_TOOL_MISSING', 'ping is not installed; install it with `apt-get install iputils-ping`');
  const [cmd, args] = lab.inside(from, [ping, '-n', '-c', `${count}`, '-i', '0.01', '-W', '1', to.ip]);
  const r = await runBounded(cmd, args, { timeout_ms: count * 10 + 10_000, label: 'ping' });
  const times = parsePingTimes(r.stdout);
  const histogram = new LatencyHistogram();
  for (const t of times) histogram.record(t);
  return { from: from.index, to: to.index, sent: count, received: times.length, histogram };
}
