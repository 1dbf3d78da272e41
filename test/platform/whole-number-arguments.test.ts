/**
 * Issue 12, "share one seed/integer parser across commands": every whole-number argument of the CLI is
 * read by arguments.ts's one reader, exactly. A token id (`anvil token revoke USER ID`) was read by its own
 * pattern, which let a 16-digit id through and rounded it (9999999999999999 became 10000000000000000);
 * a seed has one range, the same on the command line and in a TCO scenario.
 */
import { describe, expect, it } from 'vitest';
import { SEED_MAX } from '../../sim/core/random.js';
import { ScenarioSchema } from '../../reports/tco/scenario-schema.js';
import { anvilInProcess, tempDir } from '../cli-harness.js';
import { join } from 'node:path';

// Not whole numbers, or not exactly representable: each is refused by every whole-number argument.
const NOT_EXACT = ['abc', '-1', '1.0', '1e3', '0x10', ' 7', '9999999999999999', '99999999999999999999'];

describe('whole-number arguments are read alike by every command', () => {
  const state = join(tempDir(), 'state.db');

  it.each(NOT_EXACT)('anvil token revoke and anvil run --seed both refuse "%s" as a usage error naming the range', async (text) => {
    const revoke = await anvilInProcess(['token', 'revoke', 'nobody', text, '--state', state]);
    const revokeRange = `a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`;
    expect([revoke.code, revoke.stderr]).toEqual([
      2,
      `ANVIL_ERR_USAGE: token id "${text}" is not a token id: use the ID column of anvil token list (${revokeRange}); see anvil token revoke --help\n`,
    ]);
    const run = await anvilInProcess(['run', 'job.fio', '--seed', text]);
    expect([run.code, run.stderr]).toEqual([
      2,
      `ANVIL_ERR_USAGE: option '--seed <n>' argument '${text}' is invalid: a seed is a whole number from 0 to ${SEED_MAX}, e.g. --seed 42; see anvil run --help\n`,
    ]);
  });

  it('passes the largest exact id on to the command (which then finds no such user), unrounded', async () => {
    const revoke = await anvilInProcess(['token', 'revoke', 'nobody', String(Number.MAX_SAFE_INTEGER), '--state', state]);
    expect(revoke.stderr).not.toContain('ANVIL_ERR_USAGE');
    expect(revoke.code).not.toBe(0);
  });

  it('a scenario file allows the seeds --seed allows', () => {
    expect(ScenarioSchema.properties.seed).toMatchObject({ minimum: 0, maximum: SEED_MAX });
  });
});
