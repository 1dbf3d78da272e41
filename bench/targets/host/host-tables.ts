/**
 * The Arrow tables of a multi-host run: the model's three tables (intervals, latency histogram, jobs),
 * one per file for all hosts together, with a leading `host` column ("host:port", or "All clients" for
 * fio's aggregate). Built from the same writer as every other run, so the columns mean the same.
 */
import { Field, RecordBatch, Schema, Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { arrowTables } from '../../results/arrow-tables.js';
import type { HostRunMeasurement } from '../../results/measurement.js';

const HOST_DOC = 'fio server the row was measured on (host:port), or "All clients" for the aggregate over every server';

export function arrowTablesByHost(
  runs: readonly { host: string; measurement: HostRunMeasurement }[],
  meta: { version: string; jobfile: string },
): Map<string, Uint8Array> {
  const perHost = runs.map((r) => ({ host: r.host, files: arrowTables(r.measurement, meta) }));
  const out = new Map<string, Uint8Array>();
  for (const name of perHost[0]?.files.keys() ?? []) {
    const tables = perHost.map((p) => ({ host: p.host, table: tableFromIPC(p.files.get(name)!) }));
    const first = tables[0]!.table.schema;
    const fields = [new Field('host', new Utf8(), false, new Map([['description', HOST_DOC]])), ...first.fields];
    const metadata = new Map(first.metadata);
    metadata.set('target', 'host');
    metadata.set('hosts', runs.map((r) => r.host).join(','));
    const schema = new Schema(fields, metadata);
    const batches = tables.flatMap(({ host, table }) => {
      if (table.numRows === 0) return [];
      const hostColumn = vectorFromArray(
        Array.from({ length: table.numRows }, () => host),
        new Utf8(),
      );
      const columns = Object.fromEntries([['host', hostColumn], ...first.fields.map((f) => [f.name, table.getChild(f.name)!])]);
      const plain = new Table(columns);
      return plain.batches.map((b) => new RecordBatch(schema, b.data));
    });
    out.set(name, tableToIPC(new Table(schema, batches), 'file'));
  }
  return out;
}
