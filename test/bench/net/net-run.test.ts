/**
 * `anvil net run` between network namespaces it creates: with a tc limit the measured throughput is
 * within 10% of the limit, without one it is far above; a bridge gives every endpoint its own MAC and
 * IP; namespaces are gone afterwards, also after Ctrl-C. Needs root, iperf3 and ping: runs in CI (which
 * installs them), skips only on a machine without them. Parsers are checked on real iperf3 3.12 JSON.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { parseIperf3, type ThroughputResult, type ThroughputRow } from '../../../bench/net/iperf3.js';
import { listNamespaces, tbfBurst_bytes, type NetLab } from '../../../bench/net/lab.js';
import { pairRounds, parsePingTimes } from '../../../bench/net/rtt.js';
import { requireRoot, runNet } from '../../../bench/net/run-net.js';
import { netRunSpec } from '../../../bench/net/spec.js';
import { which } from '../../../bench/targets/host/bounded-process.js';
import { netRunCommand } from '../../../platform/cli/net-command.js';
import { tempDir } from '../../cli-harness.js';
import { needs } from '../../needs.js';
import { anvilBin } from '../../../bench/package-root.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const canRun = process.getuid?.() === 0 && which('iperf3') !== undefined && which('ping') !== undefined;
const needNet = needs('root, iperf3 and ping', canRun);
const BIN = anvilBin();

/** Namespaces named as Anvil's labs name them (anvil-<6 hex>-...). */
async function labNamespaces(): Promise<string[]> {
  return (await listNamespaces()).filter((n) => /^anvil-[0-9a-f]{6}-/.test(n)).sort();
}

describe('network results from real tool output', () => {
  it('reads iperf3 TCP JSON: per-interval bits/s and retransmits, receiver totals', () => {
    const r = parseIperf3(readFileSync(join(FIXTURES, 'iperf3-tcp-P2.json'), 'utf8'), 1);
    const doc = JSON.parse(readFileSync(join(FIXTURES, 'iperf3-tcp-P2.json'), 'utf8')) as {
      intervals: { sum: { bytes: number; retransmits: number } }[];
      end: { sum_received: { bits_per_second: number }; sum_sent: { retransmits: number } };
    };
    expect(r.rows).toHaveLength(doc.intervals.length);
    expect(r.rows.map((x) => x.bytes)).toEqual(doc.intervals.map((i) => i.sum.bytes));
    expect(r.rows.reduce((a, x) => a + x.retransmits, 0)).toBe(doc.intervals.reduce((a, i) => a + i.sum.retransmits, 0));
    expect(r.received_bps).toBe(doc.end.sum_received.bits_per_second);
    expect(r.retransmits).toBe(doc.end.sum_sent.retransmits);
    expect(r.rows[0]!.time_ns).toBeGreaterThan(0);
  });

  it('reads iperf3 UDP JSON: packets and loss', () => {
    const r = parseIperf3(readFileSync(join(FIXTURES, 'iperf3-udp-100M.json'), 'utf8'), 2);
    expect(r.rows.every((x) => x.packets > 0 && x.retransmits === 0)).toBe(true);
    expect(r.received_bps).toBeGreaterThan(90e6);
    expect(r.lost_percent).toBe(0);
    expect(() => parseIperf3('{"error": "unable to connect to server: Connection refused"}', 1)).toThrow(/endpoint 1: unable to connect/);
  });

  it('pairs every two endpoints exactly once, in rounds where no endpoint pings twice at once', () => {
    for (const n of [2, 3, 4, 7, 16]) {
      const rounds = pairRounds(n);
      expect(rounds).toHaveLength(n % 2 === 0 ? n - 1 : n);
      const pairs = rounds.flat().map(([a, b]) => `${a}-${b}`);
      expect(new Set(pairs).size).toBe((n * (n - 1)) / 2);
      expect(pairs).toHaveLength((n * (n - 1)) / 2);
      for (const [a, b] of rounds.flat()) expect(a).toBeGreaterThan(b);
      for (const round of rounds) {
        const used = round.flat();
        expect(new Set(used).size).toBe(used.length);
      }
    }
    expect(pairRounds(2)).toEqual([[[1, 0]]]);
  });

  it('reads ping reply times in ns', () => {
    expect(
      parsePingTimes('64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.305 ms\n64 bytes from 10.0.0.1: icmp_seq=2 ttl=64 time=12.1 ms\n'),
    ).toEqual([305_000, 12_100_000]);
  });

  it('checks the options, all problems at once, each with its field and what is allowed', () => {
    expect(netRunSpec({})).toMatchObject({ endpoints: 2, protocol: 'tcp', parallel: 1, duration_s: 3, pings: 200, rateQdisc: 'tbf' });
    expect(netRunSpec({ rate: '1G', rateQdisc: 'htb' }).rateQdisc).toBe('htb');
    expect(netRunSpec({ rate: '250mbit' }).rate_bps).toBe(250e6);
    try {
      netRunSpec({ endpoints: 1, protocol: 'sctp', rate: 'fast', parallel: 0, rateQdisc: 'cbq' });
      expect.unreachable();
    } catch (e) {
      const err = e as { code: string; details: string[] };
      expect(err.code).toBe('ANVIL_ERR_NET_SPEC');
      expect(err.details.map((d) => d.split(':')[0])).toEqual(
        expect.arrayContaining(['endpoints', 'protocol', 'parallel', 'rate', 'rateQdisc']),
      );
    }
    expect(tbfBurst_bytes(10e6)).toBe(65536);
    expect(tbfBurst_bytes(10e9)).toBe(12.5e6);
  });
});

/** The median of `values` (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * A shaped TCP stream's rate against its limit. The steady rate (the median of iperf3's half-second
 * rows) is within 10% of the limit; the whole run's average at the receiver is not above it. A loaded
 * machine stretches the start and end of iperf3's run (its server times the test from its own start to
 * its own end, both late when it waits for a CPU), so the whole-run average comes out low there (0.896
 * of the limit measured at load 12 on 2 cores, with rows at 0.94): its lower bound is looser, the
 * steady rows hold the 10%. TCP's payload is at most 1448/1514 of the frames the qdisc counts (0.956).
 */
function expectShapedTcp(t: ThroughputResult, limit_bps: number): void {
  expect(t.rows.length).toBeGreaterThanOrEqual(3);
  const steady = median(t.rows.map((r) => r.bits_per_second)) / limit_bps;
  expect(steady).toBeGreaterThan(0.9);
  expect(steady).toBeLessThan(1.1);
  expect(t.received_bps / limit_bps).toBeLessThan(1.1);
  expect(t.received_bps / limit_bps).toBeGreaterThan(0.8);
}

/**
 * iperf3's rows of one client tile its run: from 0, in time order, each starting where the one before
 * ended, the last at the run's end or within a row of it. (How many there are depends on when iperf3's
 * timer fires, late on a loaded machine: not counted.)
 */
function expectRowsTileTheRun(rows: readonly ThroughputRow[], duration_ns: number): void {
  expect(rows.length).toBeGreaterThanOrEqual(2);
  let end_ns = 0;
  for (const r of rows) {
    expect(Math.abs(r.time_ns - r.interval_ns - end_ns)).toBeLessThanOrEqual(1000); // iperf3 prints seconds to the µs
    expect(r.interval_ns).toBeGreaterThan(0);
    end_ns = r.time_ns;
  }
  expect(end_ns).toBeGreaterThanOrEqual(0.9 * duration_ns);
}

describe('anvil net run', () => {
  needNet(
    'with a tc limit (tbf, or htb) measures within 10% of it, in both TCP and UDP; without, far above; namespaces removed',
    async () => {
      let lab: NetLab | undefined;
      const limit = 200e6;
      // 100 pings: the loaded ones (10 ms apart from 300 ms in) span a second of the 3 s stream, so most
      // of them meet it even when a loaded machine starts iperf3 late.
      const tcp = await runNet(netRunSpec({ rate: '200mbit', duration_s: 3, pings: 100 }), { onLab: (l) => (lab = l) });
      expectShapedTcp(tcp.throughput[0]!, limit);
      expect(tcp.rtt!.histogram.n).toBe(100);
      expect(tcp.rtt!.histogram.percentile(99)).toBeGreaterThan(0);
      // Under load, pings wait in the rate limit's queue behind the TCP stream (and a few are dropped there).
      expect(tcp.rttLoaded!.histogram.n).toBeGreaterThanOrEqual(75);
      expect(tcp.rttLoaded!.histogram.percentile(50)).toBeGreaterThan(5 * tcp.rtt!.histogram.percentile(50));
      expect((await listNamespaces()).filter((n) => n.includes(lab!.id))).toEqual([]);

      // UDP at twice a 50mbit limit. UDP is not paced by the receiver: on a starved CPU iperf3 may send less
      // than the limit, and then the limit cannot be reached; what must hold is that the qdisc passes what was
      // sent up to the limit, no more. 50mbit, not 200: the receiver's socket buffer (208 KiB by default)
      // holds 33 ms of the stream at 50mbit but 8 ms at 200, and a receiver kept off a loaded machine's CPU
      // longer than that drops datagrams the qdisc passed (0.82 of what was sent arrived at 200mbit, load 12).
      const udpLimit = 50e6;
      const udp = await runNet(netRunSpec({ protocol: 'udp', udpBitrate: '100M', rate: '50mbit', duration_s: 2, pings: 0 }));
      const udpCeiling = Math.min(udpLimit, udp.throughput[0]!.sent_bps);
      expect(udp.throughput[0]!.received_bps / udpCeiling).toBeGreaterThan(0.9);
      expect(udp.throughput[0]!.received_bps / udpLimit).toBeLessThan(1.1);

      let htbLab: NetLab | undefined;
      const htb = await runNet(netRunSpec({ rate: '200mbit', rateQdisc: 'htb', duration_s: 3, pings: 0 }), { onLab: (l) => (htbLab = l) });
      expectShapedTcp(htb.throughput[0]!, limit);
      expect((await listNamespaces()).filter((n) => n.includes(htbLab!.id))).toEqual([]);

      // Unlimited, the rate is the machine's (CPU-bound over veth): any rate past the limited runs' 1.1 shows
      // no limit applies; twice the limit keeps a clear margin, and a loaded 2-core machine still gives
      // more than four times it (load 14).
      const free = await runNet(netRunSpec({ duration_s: 2, pings: 0 }));
      expect(free.throughput[0]!.received_bps).toBeGreaterThan(2 * limit);
    },
  );

  needNet('puts several endpoints on a bridge, each with its own MAC and IP, all clients measured; results in Arrow', async () => {
    const out = tempDir('anvil-net-test-');
    const before = await labNamespaces();
    let stdout = '';
    const m = await netRunCommand(
      { endpoints: '3', parallel: '2', duration: '1', interval: '0.25', pings: '10', outputFormat: 'json', out },
      { stdout: { write: (t: string) => (stdout += t) }, stderr: process.stderr },
    );
    expect(m.lab.topology).toBe('bridge');
    expect(new Set(m.lab.endpoints.map((e) => e.mac)).size).toBe(3);
    expect(new Set(m.lab.endpoints.map((e) => e.ip)).size).toBe(3);
    expect(m.throughput.map((t) => t.endpoint)).toEqual([1, 2]);
    const doc = JSON.parse(stdout) as {
      throughput: { received_bps: number; clients: unknown[] };
      rtt_ns: { N: number; percentile: Record<string, number> };
    };
    expect(doc.throughput.clients).toHaveLength(2);
    expect(doc.rtt_ns.N).toBe(10);
    expect(doc.rtt_ns.percentile['99.000000']).toBeGreaterThan(0);
    const intervals = pl.readIPC(readFileSync(join(out, 'net_intervals.arrow')));
    expect(intervals.columns).toEqual(['endpoint', 'time_ns', 'interval_ns', 'bytes', 'bits_per_second', 'retransmits', 'packets']);
    expect(intervals.dtypes.map(String)).toEqual([pl.Int32, pl.Int64, pl.Int64, pl.Int64, pl.Float64, pl.Int64, pl.Int64].map(String));
    expect(intervals.height).toBe(m.throughput.reduce((a, t) => a + t.rows.length, 0));
    // Each client's rows (0.25 s apart when iperf3's timer is on time) tile its 1 s run.
    for (const t of m.throughput) expectRowsTileTheRun(t.rows, 1e9);
    const rtt = pl.readIPC(readFileSync(join(out, 'rtt_histogram.arrow')));
    const idle = rtt.filter(pl.col('load').eq(pl.lit('idle')));
    expect(Number(idle.getColumn('count').sum())).toBe(3 * 10); // pairs 1-0, 2-0, 2-1
    for (const [from, to] of [
      [1, 0],
      [2, 0],
      [2, 1],
    ] as const) {
      expect(
        Number(
          idle
            .filter(
              pl
                .col('from')
                .eq(pl.lit(from))
                .and(pl.col('to').eq(pl.lit(to))),
            )
            .getColumn('count')
            .sum(),
        ),
      ).toBe(10);
    }
    expect(m.rttPairs!.map((r) => [r.from, r.to, r.histogram.n]).sort()).toEqual([
      [1, 0, 10],
      [2, 0, 10],
      [2, 1, 10],
    ]);
    expect((JSON.parse(stdout) as { rtt_pairs_ns: unknown[] }).rtt_pairs_ns).toHaveLength(3);
    expect(
      Number(
        rtt
          .filter(pl.col('load').eq(pl.lit('loaded')))
          .getColumn('count')
          .sum(),
      ),
    ).toBe(m.rttLoaded!.histogram.n);
    expect(await labNamespaces()).toEqual(before);
    rmSync(out, { recursive: true, force: true });
  });

  needNet('removes everything after Ctrl-C and says so', async () => {
    const before = await labNamespaces();
    const child = spawn(process.execPath, [BIN, 'net', 'run', '--duration', '20', '--pings', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    // Wait until its namespaces exist (bounded generously: node starts slowly on a loaded machine), then interrupt.
    for (let i = 0; i < 2400 && (await labNamespaces()).length === before.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await labNamespaces()).length).toBeGreaterThan(before.length);
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toMatch(/ANVIL_ERR_INTERRUPTED: .*removed/);
    expect(await labNamespaces()).toEqual(before);
    // Its iperf3 servers are gone: those bound in the net lab's subnet (lab.ts's 10.213.0.0/24), as a host
    // scenario test running beside this file starts iperf3 servers of its own with the same options.
    expect(spawnSync('pgrep', ['-f', 'iperf3 -s -1 --forceflush -B 10\\.213\\.0\\.']).status).toBe(1);
  });

  needNet('says how to install iperf3 when it is missing, before creating anything', async () => {
    const before = await labNamespaces();
    // A PATH with ip (/usr/sbin) but without iperf3 (/usr/bin).
    const r = spawnSync(process.execPath, [BIN, 'net', 'run', '--duration', '1'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: '/usr/sbin:/sbin' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_IPERF_MISSING: .*apt-get install iperf3/);
    expect(await labNamespaces()).toEqual(before);
  });

  it('refuses to run without root, saying to use sudo', () => {
    expect(() => requireRoot(1000)).toThrow(
      expect.objectContaining({ code: 'ANVIL_ERR_NOT_ROOT', message: expect.stringMatching(/needs root; run it with sudo/) }),
    );
    expect(() => requireRoot(0)).not.toThrow();
  });
});
