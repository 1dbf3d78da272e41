/** Real fio 3.33 outputs committed under fixtures/ (see make-fixtures.sh), read as the host target reads them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentJobs, parseFioDocument, type FioDocument } from '../../../bench/targets/host/fio-document.js';
import { measurementFromFio } from '../../../bench/targets/host/from-fio.js';
import { readThreadLogs } from '../../../bench/targets/host/interval-logs.js';
import type { RunMeasurement } from '../../../bench/results/measurement.js';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

/** A fixture folder's document and its conversion (logs at 250 ms, as make-fixtures.sh writes them). */
export function loadFixture(name: string): { document: FioDocument; run: RunMeasurement; dir: string } {
  const dir = join(FIXTURES, name);
  const document = parseFioDocument(readFileSync(join(dir, 'fio.json'), 'utf8'), name);
  const run = measurementFromFio({
    jobs: documentJobs(document),
    globalOptions: document['global options'] ?? {},
    threadLogs: readThreadLogs(dir, 'anvil'),
    interval_ns: 250e6,
    title: 'fixture',
  });
  return { document, run, dir };
}
