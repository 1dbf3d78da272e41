import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AnvilError, ERRORS } from '../../platform/errors.js';

describe('error catalogue', () => {
  it('keys equal their codes, and platform/errors.md documents exactly these codes with their status', () => {
    for (const [key, spec] of Object.entries(ERRORS)) expect(spec.code).toBe(key);
    const doc = readFileSync(new URL('../../platform/errors.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `(ANVIL_ERR_[A-Z_]+)` \| (\d+) \| (.+) \|$/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
    expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(ERRORS).sort());
    for (const [code, status, summary] of rows) {
      const spec = ERRORS[code as keyof typeof ERRORS];
      expect(status, String(code)).toBe(spec.status);
      expect(summary, String(code)).toBe(spec.summary);
    }
  });

  it('formats the code, the message and one line per detail', () => {
    const e = new AnvilError('ANVIL_ERR_JOB_VALUE', 'job.fio: 2 problems', [
      'job.fio:3: bs=x is not a size',
      'job.fio:4: iodepth=0 is below 1',
    ]);
    expect(e.format()).toBe('ANVIL_ERR_JOB_VALUE: job.fio: 2 problems\n  job.fio:3: bs=x is not a size\n  job.fio:4: iodepth=0 is below 1');
    expect(e.status).toBe(400);
  });
});
