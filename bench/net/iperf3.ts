/**
 * iperf3 between endpoints: a one-off server per client in endpoint 0's namespace, the client in its
 * own, JSON output. The client's JSON is kept whole; the interval series and totals are read from it.
 */
import { AnvilError } from '../../platform/errors.js';
import { runBounded, startBackground, wasInterrupted, which, type Background } from '../targets/host/bounded-process.js';
import type { Endpoint, NetLab } from './lab.js';

/** One row of an iperf3 client's interval series (all its streams summed). */
export interface ThroughputRow {
  /** Client endpoint index. */
  readonly endpoint: number;
  /** End of the interval, ns since the test began. */
  readonly time_ns: number;
  readonly interval_ns: number;
  readonly bytes: number;
  readonly bits_per_second: number;
  /** TCP retransmits in the interval (0 for UDP). */
  readonly retransmits: number;
  /** UDP datagrams in the interval (0 for TCP). */
  readonly packets: number;
}

/** What one client measured. */
export interface ThroughputResult {
  readonly endpoint: number;
  readonly rows: ThroughputRow[];
  /** Bits per second the receiver got over the whole test (iperf3 end.sum_received). */
  readonly received_bps: number;
  readonly sent_bps: number;
  readonly retransmits: number;
  /** UDP: datagrams lost, percent. */
  readonly lost_percent: number;
  /** iperf3's own JSON. */
  readonly iperf3: unknown;
}

interface IperfSum {
  end: number;
  seconds: number;
  bytes: number;
  bits_per_second: number;
  retransmits?: number;
  packets?: number;
  lost_percent?: number;
}
interface IperfJson {
  error?: string;
  intervals?: { sum: IperfSum }[];
  end?: { sum_sent?: IperfSum; sum_received?: IperfSum; sum?: IperfSum };
}

export function findIperf3(): string {
  const path = which('iperf3');
  if (!path)
    throw new AnvilError(
      'ANVIL_ERR_IPERF_MISSING',
      'iperf3 is not installed; install it with `apt-get install iperf3` (Debian/Ubuntu) or `dnf install iperf3`',
    );
  return path;
}

/** Reads an iperf3 client's JSON into rows and totals. */
export function parseIperf3(text: string, endpoint: number): ThroughputResult {
  let doc: IperfJson;
  try {
    doc = JSON.parse(text) as IperfJson;
  } catch {
    throw new AnvilError('ANVIL_ERR_NET_SETUP', `iperf3 on endpoint ${endpoint} printed no JSON: ${text.trim().slice(0, 200)}`);
  }
  if (doc.error) throw new AnvilError('ANVIL_ERR_NET_SETUP', `iperf3 on endpoint ${endpoint}: ${doc.error}`);
  const rows = (doc.intervals ?? []).map(({ sum }) => ({
    endpoint,
    time_ns: Math.round(sum.end * 1e9),
    interval_ns: Math.round(sum.seconds * 1e9),
    bytes: sum.bytes,
    bits_per_second: sum.bits_per_second,
    retransmits: sum.retransmits ?? 0,
    packets: sum.packets ?? 0,
  }));
  const received = doc.end?.sum_received ?? doc.end?.sum;
  const sent = doc.end?.sum_sent ?? doc.end?.sum;
  return {
    endpoint,
    rows,
    received_bps: received?.bits_per_second ?? 0,
    sent_bps: sent?.bits_per_second ?? 0,
    retransmits: sent?.retransmits ?? 0,
    lost_percent: received?.lost_percent ?? 0,
    iperf3: doc,
  };
}

export interface ThroughputOptions {
  readonly protocol: 'tcp' | 'udp';
  readonly parallel: number;
  readonly duration_s: number;
  readonly interval_s: number;
  readonly udpBitrate_bps: number;
}

const BASE_PORT = 5201;

/** Runs every client (endpoints 1..n) against endpoint 0 at once and returns what each measured. */
export async function measureThroughput(lab: NetLab, o: ThroughputOptions): Promise<ThroughputResult[]> {
  const iperf3 = findIperf3();
  const [server, ...clients] = lab.endpoints as [Endpoint, ...Endpoint[]];
  const bound_ms = (o.duration_s + 20) * 1000;
  const servers: Background[] = [];
  try {
    for (const c of clients) {
      const [cmd, args] = lab.inside(server, [iperf3, '-s', '-1', '--forceflush', '-B', server.ip, '-p', `${BASE_PORT + c.index}`]);
      const s = startBackground(cmd, args, { timeout_ms: bound_ms, label: 'iperf3 server' });
      servers.push(s);
      await waitFor(
        () => /Server listening/.test(s.output().stdout),
        5000,
        `iperf3 server for endpoint ${c.index} did not start: ${s.output().stderr.trim()}`,
      );
    }
    const runs = clients.map((c) => {
      const args = [
        iperf3,
        '-c',
        server.ip,
        '-p',
        `${BASE_PORT + c.index}`,
        '-B',
        c.ip,
        '-t',
        `${o.duration_s}`,
        '-i',
        `${o.interval_s}`,
        '-P',
        `${o.parallel}`,
        '--connect-timeout',
        '3000',
        '--json',
      ];
      if (o.protocol === 'udp') args.push('-u', '-b', `${Math.round(o.udpBitrate_bps)}`);
      const [cmd, full] = lab.inside(c, args);
      return runBounded(cmd, full, { timeout_ms: bound_ms, label: `iperf3 client on endpoint ${c.index}` }).then((r) => {
        // A client stopped by Ctrl-C prints an error document: the interruption is the news, not the error.
        if (wasInterrupted())
          throw new AnvilError('ANVIL_ERR_INTERRUPTED', 'anvil net run was interrupted; everything it created has been removed');
        return parseIperf3(r.stdout, c.index);
      });
    });
    return await Promise.all(runs);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

/** Polls `ready` every 20 ms up to `timeout_ms`. */
async function waitFor(ready: () => boolean, timeout_ms: number, message: string): Promise<void> {
  for (let waited = 0; waited < timeout_ms; waited += 20) {
    if (ready()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new AnvilError('ANVIL_ERR_NET_SETUP', message);
}
