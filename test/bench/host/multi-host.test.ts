/**
 * `--hosts`: fio's client/server mode. Conversion checked on a real fio 3.33 client/server document
 * (fixtures/client-server), and a live run against two fio servers this test starts on loopback
 * addresses 127.0.0.2 and 127.0.0.3 (and always stops).
 */
import { join } from 'node:path';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import pl from 'nodejs-polars';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { which, type Background } from '../../../bench/targets/host/bounded-process.js';
import { ALL_CLIENTS, documentJobs, parseFioDocument } from '../../../bench/targets/host/fio-document.js';
import { convertClientServer, parseServer, remoteFailure } from '../../../bench/targets/host/run-on-hosts.js';
import { BUCKETS, bucketValue } from '../../../sim/measure/latency-histogram.js';
import { anvilRun, tempDir } from '../../cli-harness.js';
import { FIXTURES } from './fixtures.js';
import { freePort, startFioServers } from './fio-servers.js';
import { needs } from '../../needs.js';

const needFio = needs('fio', which('fio') !== undefined);
const JOB = '[global]\nioengine=psync\nsize=8m\nbs=4k\nruntime=600ms\ntime_based\n\n[rr]\nrw=randread\n';

function binsOf(counts: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (let b = 0; b < BUCKETS; b++) if (counts[b]! > 0) out[`${bucketValue(b)}`] = counts[b]!;
  return out;
}

describe('client/server results', () => {
  it('convert per server and into fio\'s "All clients" aggregate, losslessly', () => {
    const dir = join(FIXTURES, 'client-server');
    const document = parseFioDocument(readFileSync(join(dir, 'fio.json'), 'utf8'), 'client-server');
    const { hosts, all } = convertClientServer(document, { logDir: dir, interval_ns: 250e6, fioVersion: 'fio-3.33' });
    const entries = documentJobs(document);
    expect(hosts.map((h) => h.host)).toEqual(['127.0.0.2:8770', '127.0.0.3:8771']);
    for (const h of hosts) {
      const entry = entries.find((e) => `${e.hostname}:${e.port}` === h.host && e.jobname !== ALL_CLIENTS)!;
      const read = h.measurement.jobs[0]!.measured.read;
      expect(read.total_ios).toBe(entry.read.total_ios);
      expect(binsOf(read.clat.counts)).toEqual(entry.read.clat_ns.bins);
      for (const [p, v] of Object.entries(entry.read.clat_ns.percentile!)) expect(read.clat.percentile(Number(p))).toBe(v);
      // fio 3.33's client sends histogram logs that do not add up to its totals: one exact row instead.
      expect(read.intervals.map((r) => [r.ios, r.bytes, r.interval_ns])).toEqual([
        [entry.read.total_ios, entry.read.io_bytes, entry.read.runtime * 1e6],
      ]);
    }
    const aggregate = entries.find((e) => e.jobname === ALL_CLIENTS)!;
    const allRead = all!.jobs[0]!.measured.read;
    expect(all!.jobs[0]!.name).toBe('rr');
    expect(allRead.total_ios).toBe(aggregate.read.total_ios);
    expect(allRead.total_ios).toBe(hosts.reduce((a, h) => a + h.measurement.jobs[0]!.measured.read.total_ios, 0));
    expect(Array.from(allRead.clat.counts).reduce((a, b) => a + b, 0)).toBe(aggregate.read.clat_ns.N);
    expect([allRead.clat.mean_ns, allRead.clat.stddev_ns, allRead.clat.max_ns]).toEqual([
      aggregate.read.clat_ns.mean,
      aggregate.read.clat_ns.stddev,
      aggregate.read.clat_ns.max,
    ]);
    expect(allRead.intervals.reduce((a, r) => a + r.ios, 0)).toBe(aggregate.read.total_ios);
  });

  it("names the server that failed, the one fio's client says exited, and one that sent no results", () => {
    const document = parseFioDocument(readFileSync(join(FIXTURES, 'client-server', 'fio.json'), 'utf8'), 'client-server');
    const two = [parseServer('127.0.0.2:8770'), parseServer('127.0.0.3:8771')];
    expect(remoteFailure('job.fio', two, document, '', 0)).toBeUndefined();
    const failedJob = {
      ...document,
      client_stats: document.client_stats!.map((j) => (j.hostname === '127.0.0.3' && j.jobname === 'rr' ? { ...j, error: 25 } : j)),
    };
    const fioSaid =
      '<vm> fio: pid=3591, err=25/file:ioengines.c:399, func=td_io_queue, error=Inappropriate ioctl for device\nclient <127.0.0.3>: exited with error 1\n';
    const e = remoteFailure('job.fio', two, failedJob, fioSaid, 1)!;
    expect(e.code).toBe('ANVIL_ERR_FIO_FAILED');
    expect(e.message).toMatch(/server 127\.0\.0\.3:8771 \(job rr error 25\) running job\.fio/);
    expect(e.message).not.toMatch(/127\.0\.0\.2/);
    expect(e.details.join('\n')).toMatch(/Inappropriate ioctl/);
    // fio's document cut short: the client's own line still names the server.
    expect(remoteFailure('job.fio', two, undefined, fioSaid, 1)!.message).toMatch(/server 127\.0\.0\.3:8771 running/);
    const third = remoteFailure('job.fio', [...two, parseServer('127.0.0.4:8772')], document, '', 0)!;
    expect(third.code).toBe('ANVIL_ERR_HOST_UNREACHABLE');
    expect(third.message).toMatch(/^fio server 127\.0\.0\.4:8772 returned no results/);
    expect(remoteFailure('job.fio', two, document, 'fio: something odd', 1)!.code).toBe('ANVIL_ERR_FIO_FAILED');
  });

  it('reads host[:port] lists and refuses anything else', () => {
    expect(parseServer('10.0.0.2')).toEqual({ host: '10.0.0.2', port: 8765 });
    expect(parseServer('node-1:9000')).toEqual({ host: 'node-1', port: 9000 });
    expect(parseServer('[fd00::2]:8766')).toEqual({ host: 'fd00::2', port: 8766 });
    expect(() => parseServer('a b')).toThrow(/host\[:port\]/);
    expect(() => parseServer('h:70000')).toThrow(/1-65535/);
  });
});

describe('anvil run --target host --hosts', () => {
  const servers: Background[] = [];
  const addresses: string[] = [];
  let scratch: string;

  beforeAll(async () => {
    if (which('fio') === undefined) return;
    scratch = tempDir('anvil-hosts-test-');
    // The servers live through this describe's tests (afterAll stops them): their bound only ends a hung one,
    // and the tests after this hook take minutes on a loaded machine, not the seconds they take quietly.
    addresses.push(...(await startFioServers(['127.0.0.2', '127.0.0.3'], servers, 900_000)));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  needFio('runs on both servers: per-host entries, the aggregate, Arrow tables with a host column', async () => {
    const out = join(scratch, 'out');
    mkdirSync(out);
    const { stdout } = await anvilRun(JOB, {
      target: 'host',
      hosts: addresses,
      filename: join(scratch, 'data.bin'),
      outputFormat: 'json',
      out,
    });
    const doc = JSON.parse(stdout) as { client_stats: { jobname: string; hostname: string; port: number; read: { total_ios: number } }[] };
    const per = doc.client_stats.filter((j) => j.jobname !== ALL_CLIENTS);
    expect(per.map((j) => `${j.hostname}:${j.port}`).sort()).toEqual([...addresses].sort());
    const aggregate = doc.client_stats.find((j) => j.jobname === ALL_CLIENTS)!;
    expect(aggregate.read.total_ios).toBe(per.reduce((a, j) => a + j.read.total_ios, 0));

    const jobs = pl.readIPC(readFileSync(join(out, 'jobs.arrow')));
    expect(jobs.columns[0]).toBe('host');
    const reads = jobs.filter(pl.col('direction').eq(pl.lit('read')));
    expect((reads.getColumn('host').toArray() as string[]).sort()).toEqual([...addresses, ALL_CLIENTS].sort());
    const intervals = pl.readIPC(readFileSync(join(out, 'intervals.arrow')));
    for (const host of [...addresses, ALL_CLIENTS]) {
      const rows = intervals.filter(
        pl
          .col('host')
          .eq(pl.lit(host))
          .and(pl.col('direction').eq(pl.lit('read'))),
      );
      const expected =
        host === ALL_CLIENTS ? aggregate.read.total_ios : per.find((j) => `${j.hostname}:${j.port}` === host)!.read.total_ios;
      expect(Number(rows.getColumn('ios').sum()), host).toBe(expected);
    }
  });

  needFio("names the servers on which fio failed (a trim on a regular file), with fio's own error", async () => {
    const trim = '[tr]\nioengine=psync\nsize=4m\nrw=randtrim\nruntime=300ms\ntime_based\n';
    const err = await anvilRun(trim, { target: 'host', hosts: addresses, filename: join(scratch, 'trim.bin') }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ANVIL_ERR_FIO_FAILED' });
    const { message, details } = err as { message: string; details: string[] };
    for (const a of addresses) expect(message).toContain(`${a} (job tr error 25)`);
    expect(details.join('\n')).toMatch(/err=25/);
    expect(readdirSync(scratch).filter((n) => n.startsWith('anvil-host-'))).toEqual([]);
  });

  needFio('names a server that does not answer, and says how to start one', async () => {
    const port = await freePort('127.0.0.3');
    await expect(anvilRun(JOB, { target: 'host', hosts: [addresses[0]!, `127.0.0.3:${port}`] })).rejects.toMatchObject({
      code: 'ANVIL_ERR_HOST_UNREACHABLE',
      message: expect.stringMatching(new RegExp(`127\\.0\\.0\\.3:${port} does not answer.*fio --server=ip:127\\.0\\.0\\.3,${port}`)),
    });
    expect(readdirSync(scratch).filter((n) => n.startsWith('anvil-host-'))).toEqual([]);
  });
});
