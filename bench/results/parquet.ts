/**
 * Arrow IPC files as Parquet, for readers that take Parquet without extensions (DuckDB, pandas, Spark):
 * the same columns and types (Int64 counts and ns times stay Int64). parquet-wasm is a WebAssembly module,
 * loaded only when a Parquet file is asked for (apache-arrow too: the CLI names the formats at start-up).
 */

/** A table's file formats under --out: `arrow` (Arrow IPC file format, NAME.arrow) and `parquet` (NAME.parquet). */
export type TableFormat = 'arrow' | 'parquet';

export const TABLE_FORMATS: readonly TableFormat[] = ['arrow', 'parquet'];

/** The Parquet file of an Arrow IPC file's bytes (file format). */
export async function parquetOf(arrowFile: Uint8Array): Promise<Uint8Array> {
  const { tableFromIPC, tableToIPC } = await import('apache-arrow');
  const { Table, writeParquet } = await import('parquet-wasm/node');
  return writeParquet(Table.fromIPCStream(tableToIPC(tableFromIPC(arrowFile), 'stream')));
}

/** `name.arrow` as `name.parquet`. */
export function parquetName(arrowName: string): string {
  return arrowName.replace(/\.arrow$/, '') + '.parquet';
}
