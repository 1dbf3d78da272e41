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

/**
 * Every unordered pair of `n` endpoints once, as rounds in which no endpoint is in two pairs (the
 * circle method: n-1 rounds for even n, n for odd), so a round's pings can run at once without one
 * endpoint's replies queueing behind another's. Each pair is [from, to] with from > to.
 */
export function pairRounds(n: number): [number, number][][] {
  const slots = n % 2 === 0 ? n : n + 1; // an odd count gets a "bye" slot
  const ring = Array.from({ length: slots }, (_, i) => i);
  const rounds: [number, number][][] = [];
  for (let r = 0; r < slots - 1; r++) {
    const round: [number, number][] = [];
    for (let i = 0; i < slots / 2; i++) {
      const a = ring[i]!;
      const b = ring[slots - 1 - i]!;
      if (a < n && b < n) round.push([Math.max(a, b), Math.min(a, b)]);
    }
    rounds.push(round.sort((x, y) => y[0] - x[0] || y[1] - x[1]));
    // Keep the first slot, rotate the others one place.
    ring.splice(1, 0, ring.pop()!);
  }
  return rounds;
}

/** Round-trip time between every pair of endpoints, `count` echoes each, in the order of `pairRounds`. */
export async function measureRttPairs(lab: NetLab, count: number): Promise<RttResult[]> {
  const results: RttResult[] = [];
  for (const round of pairRounds(lab.endpoints.length)) {
    results.push(...(await Promise.all(round.map(([from, to]) => measureRtt(lab, lab.endpoints[from]!, lab.endpoints[to]!, count)))));
  }
  return results;
}
