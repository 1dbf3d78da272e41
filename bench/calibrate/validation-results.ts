/** Validation rows as Arrow (`validation.arrow`) and JSON, with the profile and run they belong to. */
import { columnTableIpc } from '../results/column-table.js';
import { RESULT_SCHEMA_VERSION } from '../results/arrow-tables.js';
import type { ValidationRow } from './validate.js';

const DOCS: Record<keyof ValidationRow, string> = {
  job: 'job file (and job, when the file has several)',
  direction: 'read or write',
  measured_iops: 'I/Os per second fio measured on the host',
  predicted_iops: 'I/Os per second the model predicts with the profile',
  iops_error_pct: '(predicted - measured) / measured, percent',
  measured_clat_mean_ns: 'mean completion latency measured, ns',
  predicted_clat_mean_ns: 'mean completion latency predicted, ns',
  clat_mean_error_pct: 'error of the mean latency, percent',
  measured_clat_p99_ns: '99th percentile completion latency measured, ns',
  predicted_clat_p99_ns: '99th percentile completion latency predicted, ns',
  clat_p99_error_pct: 'error of the p99 latency, percent',
};

export function validationArrow(
  rows: readonly ValidationRow[],
  meta: { version: string; profile: string; filename: string; seed: number },
): Uint8Array {
  const keys = Object.keys(DOCS) as (keyof ValidationRow)[];
  const cols = keys.map((k) => ({ name: k, doc: DOCS[k], values: rows.map((r) => r[k]), utf8: k === 'job' || k === 'direction' }));
  return columnTableIpc(
    cols,
    new Map([
      ['anvil_schema_version', `${RESULT_SCHEMA_VERSION}`],
      ['anvil_version', meta.version],
      ['target', 'host+sim'],
      ['profile', meta.profile],
      ['filename', meta.filename],
      ['seed', `${meta.seed}`],
    ]),
  );
}
