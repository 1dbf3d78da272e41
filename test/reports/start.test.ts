/** `npm start` (anvil start) ends with the reference TCO report and prints its path. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCommand } from '../../platform/cli/start-command.js';
import { tempDir } from '../cli-harness.js';

describe('anvil start', () => {
  it('ends with the reference TCO report and prints its path last', async () => {
    const out = tempDir('anvil-start-');
    let text = '';
    await startCommand({ profile: 'intel-p4510-4tb', seed: 1, out }, {
      write: (t: string) => ((text += t), true),
    } as unknown as NodeJS.WriteStream);
    const lines = text.trimEnd().split('\n');
    const report = join(out, 'tco', 'tco.html');
    expect(lines.slice(-2)[0]).toBe(`TCO report: ${report}`);
    expect(lines.at(-1)).toBe(`data: ${join(out, 'tco', 'tco.json')}, ${join(out, 'tco', 'cashflows.arrow')}`);
    expect(existsSync(report)).toBe(true);
    // The fio part ran first.
    expect(existsSync(join(out, 'summary.txt'))).toBe(true);
  });
});
