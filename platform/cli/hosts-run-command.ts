/**
 * `anvil run JOBFILE --target host --hosts h1,h2`: the job file on every fio server at once (fio's
 * client/server mode). stdout is fio's own document (`client_stats`, an entry per job and server plus
 * "All clients"); `--out` writes summary.json and the three Arrow tables with a `host` column.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../errors.js';
import { anvilVersion } from '../../bench/package-root.js';
import { hostProgressBar } from '../../bench/results/progress-bar.js';
import type { RunMeasurement } from '../../bench/results/measurement.js';
import { arrowTablesByHost } from '../../bench/targets/host/host-tables.js';
import { parseServer, runOnHosts, type HostsRun } from '../../bench/targets/host/run-on-hosts.js';
import { ALL_CLIENTS } from '../../bench/targets/host/fio-document.js';
import { hostMeta, hostRunInput, writeStdout } from './host-run-command.js';
import type { CommandIo, RunCommandOptions } from './run-command.js';
import { ensureOutputDir } from '../../bench/results/output-dir.js';

/** Returns the aggregate measurement (or the only host's). */
export async function hostsRunCommand(jobFile: string, text: string, options: RunCommandOptions, io: CommandIo): Promise<RunMeasurement> {
  const servers = (options.hosts ?? []).map(parseServer);
  const bar = hostProgressBar(io.stderr);
  const run = await runOnHosts({ ...hostRunInput(jobFile, text, options, bar), servers }).finally(() => bar?.done());
  const version = anvilVersion();
  const measurements = [...run.hosts.map((h) => h.measurement), ...(run.all ? [run.all] : [])];
  writeStdout(io, options, run.document, measurements, version);
  if (options.out) await writeHostsOutDir(options.out, run, { version, jobFile, filename: options.filename, hosts: run.hosts.map((h) => h.host) });
  return run.all ?? run.hosts[0]!.measurement;
}

async function writeHostsOutDir(dir: string, run: HostsRun, meta: { version: string; jobFile: string; filename?: string | undefined; hosts: string[] }): Promise<void> {
  const { RESULT_SCHEMA_VERSION } = await import('../../bench/results/arrow-tables.js');
  try {
    ensureOutputDir(dir);
    const first = run.all ?? run.hosts[0]!.measurement;
    const summary = { ...run.document, anvil: hostMeta(first, { ...meta, schemaVersion: RESULT_SCHEMA_VERSION, fioVersion: run.fioVersion }) };
    writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    const rows = [...run.hosts, ...(run.all ? [{ host: ALL_CLIENTS, measurement: run.all }] : [])];
    for (const [name, bytes] of arrowTablesByHost(rows, { version: meta.version, jobfile: meta.jobFile })) writeFileSync(join(dir, name), bytes);
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_OUTPUT', `cannot write results to ${dir}: ${(e as Error).message}`);
  }
}
