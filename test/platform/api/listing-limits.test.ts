/**
 * `anvil events|audit --limit` and `GET /events|/audit?limit=` take one range each (platform/domain/limits.ts):
 * what the embedded CLI takes the API takes, and one past the maximum is refused by both.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_LIMIT_RANGE, EVENT_LIMIT_RANGE } from '../../../platform/domain/limits.js';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { seededWorld } from './api-harness.js';
import { join } from 'node:path';

const state = join(tempDir('anvil-limits-'), 'state.db');

describe('listing limits', () => {
  for (const [verb, range] of [
    ['events', EVENT_LIMIT_RANGE],
    ['audit', AUDIT_LIMIT_RANGE],
  ] as const) {
    it(`${verb}: the CLI and the API accept 1..${range.max} and refuse ${range.max + 1}`, async () => {
      const w = await seededWorld();
      expect((await w.call('admin', 'GET', `/apis/anvil.dev/v1/${verb}?limit=${range.max}`)).statusCode).toBe(200);
      expect((await w.call('admin', 'GET', `/apis/anvil.dev/v1/${verb}?limit=${range.min}`)).statusCode).toBe(200);
      expect((await w.call('admin', 'GET', `/apis/anvil.dev/v1/${verb}?limit=${range.max + 1}`)).statusCode).toBe(400);
      await w.app.close();

      const ok = await anvilInProcess([verb, '--limit', String(range.max), '--state', state], { ANVIL_USER: 'admin' });
      expect(ok.code, ok.stderr).toBe(0);
      const refused = await anvilInProcess([verb, '--limit', String(range.max + 1), '--state', state], { ANVIL_USER: 'admin' });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(String(range.max));
    });
  }
});
