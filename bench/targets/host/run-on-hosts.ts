/**
 * The `host` target on several machines: fio's own client/server mode. Each machine runs `fio
 * --server`; Anvil runs one fio client against all of them with the same job file and reads back one
 * document with an entry per job and server plus fio's "All clients" aggregate. Every server is checked
 * to answer before the run, so a missing one is named rather than waited for.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AnvilError } from '../../../platform/errors.js';
import type { IntervalRow } from '../../../sim/measure/job-recorder.js';
import type { HostRunMeasurement } from '../../results/measurement.js';
import { resetInterrupted, runBounded, throwIfInterrupted } from './bounded-process.js';
import type { HostProgress } from '../../results/progress-bar.js';
import { findFio } from './fio-binary.js';
import { ALL_CLIENTS, documentJobs, parseFioDocument, type FioDirection, type FioDocument, type FioJob } from './fio-document.js';
import { measurementFromFio } from './from-fio.js';
import { readThreadLogs } from './interval-logs.js';
import { logInterval_ms, runHorizon_ns, withAdditions } from './host-job-file.js';
import { fioFailed, fioTimeout_ms } from './run-on-host.js';

/** fio's default server port. */
export const FIO_SERVER_PORT = 8765;

export interface FioServer {
  readonly host: string;
  readonly port: number;
}

/** `host`, `host:port`, `[v6]:port` to a server address; ANVIL_ERR_USAGE for anything else. */
export function parseServer(text: string): FioServer {
  const v6 = /^\[([0-9a-fA-F:]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([A-Za-z0-9._-]+)(?::(\d+))?$/.exec(text);
  const m = v6 ?? plain;
  const port = m?.[2] === undefined ? FIO_SERVER_PORT : Number(m[2]);
  if (!m || !Number.isInteger(port) || port < 1 || port > 65535)
    throw new AnvilError('ANVIL_ERR_USAGE', `--hosts: '${text}' is not host[:port] (port 1-65535), e.g. 10.0.0.2 or 10.0.0.2:8766`);
  return { host: m[1]!, port };
}

/** fio's --client value for a server. */
function clientArg(s: FioServer): string {
  return s.host.includes(':') ? `ip6:${s.host},${s.port}` : `${s.host},${s.port}`;
}

/** Resolves when something accepts a TCP connection at the server's address within `timeout_ms`. */
export function checkServer(s: FioServer, timeout_ms = 3000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect({ host: s.host, port: s.port });
    const fail = (why: string) => {
      socket.destroy();
      reject(
        new AnvilError(
          'ANVIL_ERR_HOST_UNREACHABLE',
          `fio server ${s.host}:${s.port} does not answer (${why}); start \`fio --server=ip:${s.host},${s.port}\` on that machine (and open the port), or drop it from --hosts`,
        ),
      );
    };
    socket.setTimeout(timeout_ms, () => fail(`no answer in ${timeout_ms / 1000} s`));
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code ?? e.message));
    socket.once('connect', () => {
      socket.end();
      resolvePromise();
    });
  });
}

/** What one server measured. */
export interface HostMeasurement {
  /** The server as fio names it in results: "host:port". */
  readonly host: string;
  readonly measurement: HostRunMeasurement;
}

export interface HostsRun {
  readonly document: FioDocument;
  /** One per server, in --hosts order. */
  readonly hosts: readonly HostMeasurement[];
  /** fio's "All clients" aggregate, when there are several servers. */
  readonly all?: HostRunMeasurement;
  readonly fioVersion: string;
}

export interface HostsRunOptions {
  readonly jobFile: string;
  readonly text: string;
  readonly servers: readonly FioServer[];
  /** fio's `filename` for every job, a path on each server. */
  readonly filename?: string;
  readonly timeout_s?: number;
  /**
   * Called twice a second with the wall time against the jobs' planned runtime: fio 3.33's client
   * prints no status lines when its output is JSON (checked: not even with --eta=always), so there is
   * no fio percent or IOPS to show.
   */
  readonly onProgress?: (progress: HostProgress) => void;
}

/** Runs the job file on every server at once through one fio client. */
export async function runOnHosts(options: HostsRunOptions): Promise<HostsRun> {
  const fio = findFio();
  resetInterrupted();
  await Promise.all(options.servers.map((s) => checkServer(s)));
  const work = mkdtempSync(join(tmpdir(), 'anvil-host-'));
  try {
    const interval_ms = logInterval_ms(runHorizon_ns(options.text));
    const job = join(work, 'job.fio');
    // The logs come back to the client, which writes them under the work folder with each server's name.
    writeFileSync(
      job,
      withAdditions(options.text, {
        ...(options.filename !== undefined ? { filename: options.filename } : {}),
        logPrefix: join(work, 'anvil'),
        interval_ms,
      }),
    );
    const output = join(work, 'fio.json');
    const args = ['--output-format=json+', `--output=${output}`, ...options.servers.flatMap((s) => [`--client=${clientArg(s)}`, job])];
    const ticker = wallTicker(options.onProgress, runHorizon_ns(options.text));
    const r = await runBounded(fio.path, args, {
      timeout_ms: fioTimeout_ms(options.text, options.timeout_s),
      label: 'fio client',
      cwd: resolve(work),
    }).finally(ticker.stop);
    throwIfInterrupted(`fio on ${options.jobFile}`);
    const text = readFileSync(output, { encoding: 'utf8', flag: 'a+' });
    let document: FioDocument | undefined;
    try {
      document = parseFioDocument(text, `fio's output for ${options.jobFile}`);
    } catch (e) {
      if (r.code === 0) throw e;
    }
    if (document === undefined) throw remoteFailure(options.jobFile, options.servers, undefined, r.stderr + text, r.code);
    const failure = remoteFailure(options.jobFile, options.servers, document, r.stderr + text, r.code);
    if (failure) throw failure;
    const { hosts, all } = convertClientServer(document, {
      logDir: work,
      interval_ns: interval_ms * 1e6,
      fioVersion: fio.version,
      servers: options.servers,
    });
    return { document, hosts, ...(all ? { all } : {}), fioVersion: fio.version };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * What went wrong on which server: jobs that ended with an error (named by server and job, with fio's
 * own lines), servers fio's client says exited with an error, and servers with no results at all
 * (a server that went away during the run). Undefined when every server reported cleanly.
 */
export function remoteFailure(
  jobFile: string,
  servers: readonly FioServer[],
  document: FioDocument | undefined,
  text: string,
  code: number | null,
): AnvilError | undefined {
  const entries = document ? documentJobs(document).filter((j) => j.jobname !== ALL_CLIENTS) : [];
  const name = (s: FioServer) => `${s.host}:${s.port}`;
  const entriesOf = (s: FioServer) => entries.filter((j) => j.hostname === s.host && (j.port === undefined || j.port === s.port));
  const exited = new Set([...text.matchAll(/client <([^>]+)>: exited with error/g)].map((m) => m[1]!));
  const failed = servers.filter((s) => entriesOf(s).some((j) => j.error !== 0) || exited.has(s.host));
  if (failed.length > 0) {
    const what = failed.map((s) => {
      const bad = entriesOf(s)
        .filter((j) => j.error !== 0)
        .map((j) => `job ${j.jobname} error ${j.error}`);
      return `${name(s)}${bad.length > 0 ? ` (${bad.join(', ')})` : ''}`;
    });
    // fio's own lines about errors (its servers' lines come prefixed with the server's hostname).
    const said = [
      ...new Set(
        text
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => /err=|error=|exited with error/.test(l)),
      ),
    ].slice(0, 8);
    const details = said.length > 0 ? said.map((l) => `fio: ${l}`) : fioFailed(jobFile, text, code).details;
    return new AnvilError(
      'ANVIL_ERR_FIO_FAILED',
      `fio failed on server ${what.join(', ')} running ${jobFile}; fix what fio says on that machine (files fio created there are not removed: see docs/benchmark-a-drive.md, "Several machines") and run again`,
      details,
    );
  }
  if (document) {
    const silent = servers.filter((s) => entriesOf(s).length === 0);
    if (silent.length > 0) {
      return new AnvilError(
        'ANVIL_ERR_HOST_UNREACHABLE',
        `fio server ${silent.map(name).join(', ')} returned no results for ${jobFile} (it stopped or lost the connection during the run); check fio --server on that machine and run again`,
      );
    }
    if (code === 0) return undefined;
  }
  return fioFailed(jobFile, text, code);
}

/** Reports wall time (and its share of a finite horizon) every half second until stopped. */
function wallTicker(onProgress: ((p: HostProgress) => void) | undefined, horizon_ns: number): { stop: () => void } {
  if (!onProgress) return { stop: () => undefined };
  const started = performance.now();
  const timer = setInterval(() => {
    const wall_s = (performance.now() - started) / 1000;
    onProgress({
      wall_s,
      ...(Number.isFinite(horizon_ns) && horizon_ns > 0 ? { fraction: Math.min(1, (wall_s * 1e9) / horizon_ns) } : {}),
    });
  }, 500);
  return { stop: () => clearInterval(timer) };
}

/**
 * A client/server document (and the logs the client wrote in `logDir`) as one measurement per server,
 * in `servers` order (by default the order the document names them), plus the aggregate.
 */
export function convertClientServer(
  document: FioDocument,
  c: { logDir: string; interval_ns: number; fioVersion: string; servers?: readonly FioServer[] },
): { hosts: HostMeasurement[]; all?: HostRunMeasurement } {
  const entries = documentJobs(document);
  const globalOptions = document['global options'] ?? {};
  const perHost = entries.filter((j) => j.jobname !== ALL_CLIENTS);
  const servers = c.servers ?? [
    ...new Map(perHost.map((j) => [`${j.hostname}:${j.port}`, { host: j.hostname ?? '', port: j.port ?? FIO_SERVER_PORT }])).values(),
  ];
  const hosts = servers.map((s): HostMeasurement => {
    const mine = perHost.filter((j) => j.hostname === s.host && (j.port === undefined || j.port === s.port));
    const name = `${s.host}:${s.port}`;
    const measurement = measurementFromFio({
      jobs: mine,
      globalOptions,
      threadLogs: readThreadLogs(c.logDir, 'anvil', s.host),
      interval_ns: c.interval_ns,
      title: `${c.fioVersion} on ${name}`,
    });
    return { host: name, measurement: { ...measurement, profile: { ...measurement.profile, name } } };
  });
  const aggregates = entries.filter((j) => j.jobname === ALL_CLIENTS);
  const all =
    aggregates.length > 0 ? aggregateMeasurement(aggregates, perHost, hosts, globalOptions, c.interval_ns, c.fioVersion) : undefined;
  return { hosts, ...(all ? { all } : {}) };
}

/**
 * fio's "All clients" entries as a measurement: fio's aggregate figures, with the histogram (which fio
 * does not print for the aggregate) the sum of the servers' bins of the same group, and the interval
 * series the sum of the servers' rows.
 */
function aggregateMeasurement(
  aggregates: readonly FioJob[],
  perHost: readonly FioJob[],
  hosts: readonly HostMeasurement[],
  globalOptions: Readonly<Record<string, string>>,
  interval_ns: number,
  fioVersion: string,
): HostRunMeasurement {
  const jobs = aggregates.map((a): FioJob => {
    const members = perHost.filter((j) => j.groupid === a.groupid);
    const withBins = (d: FioDirection, dir: 'read' | 'write' | 'trim'): FioDirection => ({
      ...d,
      clat_ns: { ...d.clat_ns, bins: sumBins(members.map((m) => m[dir]?.clat_ns.bins ?? {})) },
    });
    return {
      ...a,
      jobname: members[0]?.jobname ?? a.jobname,
      'job options': members[0]?.['job options'] ?? {},
      read: withBins(a.read, 'read'),
      write: withBins(a.write, 'write'),
      ...(a.trim ? { trim: withBins(a.trim, 'trim') } : {}),
    };
  });
  // The series of each group: the servers' rows of that group, summed.
  const intervalsOf = (entry: number, dir: 'read' | 'write' | 'trim') => {
    const group = aggregates[entry]!.groupid;
    return sumRows(
      hosts.flatMap((h) => h.measurement.jobs.filter((j) => j.groupid === group).flatMap((j) => j.measured[dir]?.intervals ?? [])),
      interval_ns,
    );
  };
  const m = measurementFromFio({ jobs, globalOptions, threadLogs: [], interval_ns, title: `${fioVersion}, all clients`, intervalsOf });
  return { ...m, profile: { ...m.profile, name: ALL_CLIENTS } };
}

function sumBins(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const bins of all) for (const [k, v] of Object.entries(bins)) out[k] = (out[k] ?? 0) + v;
  return out;
}

/**
 * The servers' interval rows summed by end time: I/Os and bytes add up, the mean is weighted by I/Os,
 * the maximum is the largest; percentiles of a sum of intervals cannot be rebuilt from rows, so they
 * are the larger of the servers' (an upper bound, and exact with one server).
 */
function sumRows(rows: readonly IntervalRow[], interval_ns: number): IntervalRow[] {
  // Servers end their last interval a millisecond or two apart: rows are matched by interval number.
  const bySlot = new Map<number, IntervalRow[]>();
  for (const r of rows) {
    const slot = Math.ceil(r.time_ns / interval_ns - 1e-9);
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), r]);
  }
  return [...bySlot.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, rs]) => {
      const time_ns = Math.max(...rs.map((r) => r.time_ns));
      const ios = rs.reduce((a, r) => a + r.ios, 0);
      return {
        time_ns,
        interval_ns: Math.max(...rs.map((r) => r.interval_ns)),
        ios,
        bytes: rs.reduce((a, r) => a + r.bytes, 0),
        clat_mean_ns: ios > 0 ? rs.reduce((a, r) => a + r.clat_mean_ns * r.ios, 0) / ios : 0,
        clat_p50_ns: Math.max(...rs.map((r) => r.clat_p50_ns)),
        clat_p99_ns: Math.max(...rs.map((r) => r.clat_p99_ns)),
        clat_p999_ns: Math.max(...rs.map((r) => r.clat_p999_ns)),
        clat_max_ns: Math.max(...rs.map((r) => r.clat_max_ns)),
      };
    });
}
