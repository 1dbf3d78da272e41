/** Merging point folders that are damaged: a missing or corrupt jobs.arrow, or a point.json whose point count is out of bounds, is a coded error naming the file. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergedTable, readSweepFolders } from '../../../bench/sweep/merge.js';
import { MAX_SWEEP_POINTS } from '../../../bench/sweep/schema.js';
import { caughtAnvilError as caught } from '../../caught.js';
import { tempDir } from '../../cli-harness.js';

/** A sweep folder holding point p00000 with `points` in its manifest and, when given, `jobs` as its jobs.arrow. */
function sweepFolder(points: number, jobs?: string): { out: string; pointDir: string } {
  const out = tempDir();
  const pointDir = join(out, 'points', 'p00000');
  mkdirSync(pointDir, { recursive: true });
  const manifest = { sweep: 's', index: 0, id: 'p00000', points, axes: [['iodepth', 1]], seed: 1, profile: 'p', digest: 'd' };
  writeFileSync(join(pointDir, 'point.json'), JSON.stringify({ ...manifest, anvil_version: '0', command: 'anvil run' }));
  if (jobs !== undefined) writeFileSync(join(pointDir, 'jobs.arrow'), jobs);
  return { out, pointDir };
}

describe('sweep merge of damaged point folders', () => {
  it('names a point whose jobs.arrow is missing', () => {
    const { out, pointDir } = sweepFolder(1);
    const e = caught(() => mergedTable(readSweepFolders([out]).points));
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    expect(e.message).toContain(join(pointDir, 'jobs.arrow'));
    expect(e.message).toMatch(/cannot read .*ENOENT/);
  });

  it('names a point whose jobs.arrow is not an Arrow table', () => {
    const { out, pointDir } = sweepFolder(1, 'not arrow at all, just text that is long enough to be read as a message');
    const e = caught(() => mergedTable(readSweepFolders([out]).points));
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    expect(e.message).toContain(join(pointDir, 'jobs.arrow'));
    expect(e.message).toMatch(/not an Arrow IPC table/);
  });

  it.each([MAX_SWEEP_POINTS + 1, 1e15, -1, 2.5])('refuses a point.json giving %s points, naming it', (points) => {
    const { out, pointDir } = sweepFolder(points);
    const e = caught(() => readSweepFolders([out]));
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    expect(e.message).toContain(join(pointDir, 'point.json'));
    expect(e.message).toContain(`0 to ${MAX_SWEEP_POINTS} points`);
  });

  it('counts points up to the largest allowed count as missing', () => {
    const { out } = sweepFolder(MAX_SWEEP_POINTS);
    const folders = readSweepFolders([out]);
    expect(folders.total).toBe(MAX_SWEEP_POINTS);
    expect(folders.missing).toHaveLength(MAX_SWEEP_POINTS - 1);
  });
});
