/**
 * `anvil sweep` into a folder that holds another sweep's results (other axes, another number of points):
 * refused with a coded error naming the folder and what to do, the earlier results left as they were;
 * `anvil sweep merge` over folders of two sweeps is refused the same way. Never the Parquet writer's
 * internal error, never a table mixing two sweeps' columns.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli-harness.js';
import { anvil, filesOf } from './sweep-harness.js';

const FIO = join(process.cwd(), 'docs', 'examples', 'sweeps', 'randread.fio');
describe('a sweep into a folder holding another sweep', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
    const two = anvil(['sweep', FIO, '--axis', 'iodepth=1,2', '--axis', 'bs=4k,8k', '--out', 'Y', '--jobs', '1'], dir);
    expect(two.stderr).toBe('');
    expect(two.status).toBe(0);
    const one = anvil(['sweep', FIO, '--axis', 'iodepth=1,2', '--out', 'one', '--jobs', '1'], dir);
    expect(one.status).toBe(0);
  });

  it('is refused with ANVIL_ERR_SWEEP saying what the folder holds and what to do; the earlier results stay as they were', () => {
    cpSync(join(dir, 'Y'), join(dir, 'Y2'), { recursive: true });
    const before = filesOf(join(dir, 'Y2'));
    const r = anvil(['sweep', FIO, '--axis', 'iodepth=1,2', '--out', 'Y2', '--jobs', '1'], dir);
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.stderr).toMatch(/^ANVIL_ERR_SWEEP: Y2 holds the results of another sweep \(sweep randread, 4 points, axes iodepth, bs/);
    expect(r.stderr).toContain('this one is sweep randread, 2 points, axes iodepth');
    expect(r.stderr).toMatch(/another --out folder/);
    expect(r.status).not.toBe(0);
    expect(r.status).not.toBe(70);
    expect(filesOf(join(dir, 'Y2'))).toEqual(before);
  });

  it('run again into its own folder still runs nothing again', () => {
    const r = anvil(['sweep', FIO, '--axis', 'iodepth=1,2', '--axis', 'bs=4k,8k', '--out', 'Y', '--jobs', '1'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0 points run, 4 unchanged/);
  });

  it('merged with the folder of another sweep is refused with ANVIL_ERR_SWEEP naming both', () => {
    const r = anvil(['sweep', 'merge', 'Y', 'one', '--out', 'merged'], dir);
    expect(r.stderr).not.toMatch(/internal error/i);
    expect(r.stderr).toMatch(
      /^ANVIL_ERR_SWEEP: one\/points\/p00000\/point\.json is a point of another sweep \(sweep randread, 2 points, axes iodepth\)/,
    );
    expect(r.stderr).toContain('than Y/points/p00000/point.json (sweep randread, 4 points, axes iodepth, bs)');
    expect(r.status).not.toBe(70);
  });
});
