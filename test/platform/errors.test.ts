import { describe, expect, it } from 'vitest';
import { AnvilError, ERRORS } from '../../platform/errors.js';

describe('error catalogue', () => {
  // Its prose copy, docs/reference/errors.md, is generated from ERRORS (npm run docs) and kept fresh by
  // test/docs/reference-pages.test.ts: there is no hand-kept copy to drift.
  it('keys equal their codes, and every code has an HTTP error status and a meaning', () => {
    for (const [key, spec] of Object.entries(ERRORS)) {
      expect(spec.code).toBe(key);
      expect(spec.status, key).toBeGreaterThanOrEqual(400);
      expect(spec.status, key).toBeLessThan(600);
      expect(spec.summary.trim(), key).not.toBe('');
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
