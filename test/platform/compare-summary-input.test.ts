/** `anvil compare` given a run folder whose summary.json is not JSON or not a run summary: exit 2, ANVIL_ERR_COMPARE_INPUT naming the file, never an internal error. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, writeFiles } from '../cli-harness.js';

describe('anvil compare of an unreadable summary.json', () => {
  it.each([
    ['truncated JSON', '{"anvil": {"seed": 1'],
    ['JSON null', 'null'],
    ['a JSON list', '[1, 2]'],
  ])('refuses %s, naming the file (exit 2)', async (_what, text) => {
    const dir = writeFiles({ 'summary.json': text });
    const r = await anvilInProcess(['compare', dir, dir]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(`ANVIL_ERR_COMPARE_INPUT: ${join(dir, 'summary.json')}: `);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
