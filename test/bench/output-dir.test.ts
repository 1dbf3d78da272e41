/** The results folder is made level by level, and every way it can fail is a catalogue error, before any run. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureOutputDir } from '../../bench/results/output-dir.js';
import { caughtAnvilError } from '../caught.js';
import { anvilRun, tempDir } from '../cli-harness.js';

describe('ensureOutputDir', () => {
  it('makes the missing levels of a nested folder, and accepts one that exists', () => {
    const dir = join(tempDir(), 'a', 'b', 'c');
    ensureOutputDir(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(() => ensureOutputDir(dir)).not.toThrow();
  });

  it('refuses a path below a file, naming the file', () => {
    const root = tempDir();
    writeFileSync(join(root, 'job.fio'), '[j]\n');
    const e = caughtAnvilError(() => ensureOutputDir(join(root, 'job.fio', 'x')));
    expect(e.code).toBe('ANVIL_ERR_OUTPUT');
    expect(e.message).toContain(`${join(root, 'job.fio')} exists and is not a folder`);
  });

  // Node's recursive mkdir never returns under /proc; level by level it is an error at once.
  it.runIf(existsSync('/proc/self'))('refuses a folder under /proc instead of hanging', () => {
    const e = caughtAnvilError(() => ensureOutputDir('/proc/anvil-no-such/x'));
    expect(e.code).toBe('ANVIL_ERR_OUTPUT');
    expect(e.message).toMatch(/making \/proc\/anvil-no-such failed/);
  });

  it('anvil run refuses an --out below a file with a catalogue error', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'file'), '');
    let ran = false;
    await expect(
      anvilRun('[j]\nrw=randread\nbs=4k\nruntime=10ms\ntime_based\n', { out: join(root, 'file', 'out') }).then(() => (ran = true)),
    ).rejects.toMatchObject({ code: 'ANVIL_ERR_OUTPUT' });
    expect(ran).toBe(false);
  });
});
