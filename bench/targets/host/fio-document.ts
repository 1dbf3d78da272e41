/**
 * fio 3.x's JSON document as Anvil reads it (stat.c show_thread_status_json; json+ adds `bins`), single
 * host or client/server (`client_stats`, each entry with a `hostname`). Only the fields Anvil converts are
 * typed; the document itself is kept whole, so nothing fio wrote is lost.
 */
import { AnvilError } from '../../../platform/errors.js';

/** fio's latency statistics for one kind (slat, clat, lat), ns. */
export interface FioLatencyStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly stddev: number;
  readonly N: number;
  /** Percentile (key printf("%f"), e.g. "99.000000") -> ns. */
  readonly percentile?: Readonly<Record<string, number>>;
  /** json+ only: bucket value (ns, fio's plat_idx_to_val) -> count. */
  readonly bins?: Readonly<Record<string, number>>;
}

/** One data direction of a job. */
export interface FioDirection {
  readonly io_bytes: number;
  readonly bw_bytes: number;
  readonly iops: number;
  /** ms */
  readonly runtime: number;
  readonly total_ios: number;
  readonly slat_ns: FioLatencyStats;
  readonly clat_ns: FioLatencyStats;
  readonly lat_ns: FioLatencyStats;
}

/** One entry of `jobs[]` (or `client_stats[]`). */
export interface FioJob {
  readonly jobname: string;
  readonly groupid: number;
  readonly error: number;
  /** Set in client/server mode: which server ran the job. */
  readonly hostname?: string;
  /** Set in client/server mode: the server's port. */
  readonly port?: number;
  readonly 'job options'?: Readonly<Record<string, string>>;
  readonly read: FioDirection;
  readonly write: FioDirection;
  readonly trim?: FioDirection;
  /** ms */
  readonly job_runtime?: number;
}

/** A whole fio JSON document. */
export interface FioDocument {
  readonly 'fio version': string;
  readonly timestamp: number;
  readonly 'global options'?: Readonly<Record<string, string>>;
  /** Single-host runs. */
  readonly jobs?: readonly FioJob[];
  /** Client/server runs: one entry per job and server, plus "All clients" aggregates. */
  readonly client_stats?: readonly FioJob[];
}

/** The jobname fio gives the aggregate over every server of a client/server run. */
export const ALL_CLIENTS = 'All clients';

/**
 * Parses fio's JSON output. fio may print notes before the document (e.g. "fio: ..."), so parsing
 * starts at the first line that opens an object. Throws ANVIL_ERR_FIO_OUTPUT when there is no document.
 */
export function parseFioDocument(text: string, source: string): FioDocument {
  const start = text.search(/^\{/m);
  if (start < 0)
    throw new AnvilError(
      'ANVIL_ERR_FIO_OUTPUT',
      `${source} holds no fio JSON document; run fio with --output-format=json+ and check its stderr`,
    );
  let doc: unknown;
  try {
    doc = JSON.parse(text.slice(start));
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_FIO_OUTPUT', `${source} is not valid fio JSON (${(e as Error).message}); is it cut short?`);
  }
  const d = doc as Partial<FioDocument>;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d['fio version'] !== 'string' ||
    (!Array.isArray(d.jobs) && !Array.isArray(d.client_stats))
  ) {
    throw new AnvilError('ANVIL_ERR_FIO_OUTPUT', `${source} is JSON but not fio's: it needs "fio version" and "jobs" (or "client_stats")`);
  }
  return d as FioDocument;
}

/** The job entries of a document: `jobs`, or `client_stats` for client/server runs. */
export function documentJobs(doc: FioDocument): readonly FioJob[] {
  return doc.jobs ?? doc.client_stats ?? [];
}

/** fio's json output is json+ without the `bins`: the same document, bins dropped. */
export function withoutBins(doc: FioDocument): FioDocument {
  return JSON.parse(JSON.stringify(doc, (key, value: unknown) => (key === 'bins' ? undefined : value))) as FioDocument;
}
