/** Axis names are columns of the merged table: a repeated name, or one of the table's own columns, is refused by line and axis. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MERGED_TABLE_COLUMNS } from '../../../bench/sweep/merged-columns.js';
import { parseSweep } from '../../../bench/sweep/plan.js';
import { caughtAnvilError as caught } from '../../caught.js';
import { writeFiles } from '../../cli-harness.js';

const JOB = '[global]\nrw=randread\nbs=4k\niodepth=8\n[a]\nruntime=10ms\n';

function sweep(yaml: string) {
  const dir = writeFiles({ 'base.fio': JOB });
  return parseSweep(yaml, join(dir, 'sweep.yaml'));
}

describe('sweep axis names', () => {
  it('refuses two axes of one name, naming the second axis and its line', () => {
    const e = caught(() =>
      sweep(
        'kind: Sweep\nbase: base.fio\naxes:\n  - option: iodepth\n    values: [1, 2]\n  - option: bs\n    name: iodepth\n    values: [4k]\n',
      ),
    );
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    expect(e.details.join('\n')).toMatch(/sweep\.yaml:6: \/axes\/1: axis iodepth has the name of \/axes\/0/);
  });

  it.each(['point', 'seed', 'stack', 'job', 'direction', 'iops', 'clat_p99_ns'])('refuses an axis named %s', (name) => {
    const e = caught(() =>
      sweep(
        `kind: Sweep\nbase: base.fio\naxes:\n  - option: bs\n    values: [4k]\n  - option: iodepth\n    name: ${name}\n    values: [1]\n`,
      ),
    );
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    expect(e.details.join('\n')).toMatch(new RegExp(`sweep\\.yaml:6: /axes/1: axis ${name} has the name of a column of the merged table`));
  });

  it('takes the reserved names from the merged table, and an axis of another name is kept', () => {
    expect(MERGED_TABLE_COLUMNS).toEqual(expect.arrayContaining(['point', 'seed', 'stack', 'job', 'direction', 'iops']));
    const plan = sweep('kind: Sweep\nbase: base.fio\naxes:\n  - option: iodepth\n    name: qd\n    values: [1, 2]\n');
    expect(plan.axes.map((a) => a.name)).toEqual(['qd']);
  });
});
