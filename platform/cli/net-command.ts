/** `anvil net run`: iperf3 and ping between network namespaces Anvil creates (and removes). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { AnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { NetRunSchema, netRunSpec } from '../../bench/net/spec.js';
import type { NetMeasurement } from '../../bench/net/run-net.js';
import { runTimestamp } from '../../bench/results/run-output.js';
import type { CliIo } from './cli-io.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { decimalAbove, decimalFrom, wholeNumber } from './arguments.js';

export interface NetCommandOptions {
  endpoints?: string | number;
  protocol?: string;
  parallel?: string | number;
  duration?: string | number;
  interval?: string | number;
  rate?: string;
  rateQdisc?: string;
  udpBitrate?: string;
  pings?: string | number;
  outputFormat: 'normal' | 'json';
  out?: string;
}

const help = (key: keyof typeof NetRunSchema.properties) => {
  const p = NetRunSchema.properties[key] as { description?: string; default?: unknown };
  return `${p.description}${p.default !== undefined ? ` (default ${p.default})` : ''}`;
};

/** A numeric flag's parser, with the range the spec's schema gives the field. */
const ranged = (key: keyof typeof NetRunSchema.properties) => {
  const p = NetRunSchema.properties[key] as { type?: string; minimum?: number; exclusiveMinimum?: number; maximum?: number };
  const max = p.maximum ?? Number.MAX_SAFE_INTEGER;
  if (p.type === 'integer') return wholeNumber(p.minimum ?? 0, max);
  return p.exclusiveMinimum !== undefined ? decimalAbove(p.exclusiveMinimum, max) : decimalFrom(p.minimum ?? 0, max);
};

/** Registers `net run` on the program. */
export function registerNetCommands(cli: Command): void {
  const net = cli
    .command('net')
    .description('measure the network between endpoints on this host (iperf3, ping) in namespaces Anvil creates; needs root');
  net
    .command('run')
    .description(
      'throughput (iperf3, TCP or UDP, parallel streams) and round-trip time between network namespaces, optionally rate-limited with tc',
    )
    .option('--endpoints <n>', help('endpoints'), ranged('endpoints'))
    .option('--protocol <tcp|udp>', help('protocol'))
    .option('-P, --parallel <n>', help('parallel'), ranged('parallel'))
    .option('--duration <s>', help('duration_s'), ranged('duration_s'))
    .option('--interval <s>', help('interval_s'), ranged('interval_s'))
    .option('--rate <rate>', help('rate'))
    .option('--rate-qdisc <tbf|htb>', help('rateQdisc'))
    .option('--udp-bitrate <rate>', help('udpBitrate'))
    .option('--pings <n>', help('pings'), ranged('pings'))
    .option('--output-format <format>', 'stdout format: normal or json', 'normal')
    .option('--out <dir>', 'also write net.json and Arrow tables (net_intervals, rtt_histogram) here')
    .action(async (opts: NetCommandOptions) => {
      await netRunCommand(opts);
    });
}

// The flags arrive parsed (arguments.ts); callers in code may pass text. The spec's schema checks both.
const num = (v: string | number | undefined) => (v === undefined ? undefined : Number(v));

export async function netRunCommand(
  opts: NetCommandOptions,
  io: CliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<NetMeasurement> {
  if (opts.outputFormat !== 'normal' && opts.outputFormat !== 'json')
    throw new AnvilError('ANVIL_ERR_USAGE', `--output-format ${opts.outputFormat}: use normal or json`);
  const spec = netRunSpec({
    endpoints: num(opts.endpoints),
    protocol: opts.protocol,
    parallel: num(opts.parallel),
    duration_s: num(opts.duration),
    interval_s: num(opts.interval),
    rate: opts.rate,
    rateQdisc: opts.rateQdisc,
    udpBitrate: opts.udpBitrate,
    pings: num(opts.pings),
  });
  const { runNet } = await import('../../bench/net/run-net.js');
  const { netArrowTables, netDocument, netText } = await import('../../bench/net/net-results.js');
  const m = await runNet(spec);
  const version = anvilVersion();
  const doc = netDocument(m, { version, timestamp_s: runTimestamp() });
  io.stdout.write(opts.outputFormat === 'json' ? JSON.stringify(doc, null, 2) + '\n' : netText(m));
  if (opts.out) {
    try {
      ensureOutputDir(opts.out);
      writeFileSync(join(opts.out, 'net.json'), JSON.stringify(doc, null, 2) + '\n');
      for (const [name, bytes] of netArrowTables(m, { version })) writeFileSync(join(opts.out, name), bytes);
    } catch (e) {
      throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${opts.out}: ${(e as Error).message}`);
    }
  }
  return m;
}
