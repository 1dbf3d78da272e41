/**
 * Issue 14, "on hardware, confirmation rounds run by themselves": the round loop of `anvil check --target
 * host --baseline DIR` driven by a fake runner whose comparisons turn conclusive after a given number of
 * rounds: it stops as soon as every comparison is conclusive, at the --confirm-rounds bound otherwise,
 * runs nothing with 0, re-runs only the inconclusive scenarios, and says each round and why it stopped.
 */
import { describe, expect, it } from 'vitest';
import type { StackComparison } from '../../bench/check/baseline-report.js';
import type { BaselineComparison, ComparisonVerdict } from '../../bench/check/baseline.js';
import { confirmInconclusive, type ConfirmResult } from '../../platform/cli/check-confirm.js';

function comparison(sla: string, verdict: ComparisonVerdict): BaselineComparison {
  return {
    sla,
    check: 'min_iops',
    unit: 'IOPS',
    seeds: [1],
    baseline: 1000,
    current: 990,
    change: -0.01,
    ci: [-0.08, 0.06],
    confidence: 0.975,
    alpha: 0.05,
    tolerance: 0.05,
    p_value: 0.2,
    p_holm: 0.2,
    verdict,
  };
}

/**
 * A fake host: scenario `a` is inconclusive until it has run `aConclusiveAfter` confirmation rounds (then
 * ok); scenario `b` is ok from the start. Records which scenarios each round ran.
 */
async function fakeCheck(
  bound: number,
  aConclusiveAfter: number,
): Promise<{ result: ConfirmResult; ran: string[][]; said: string[]; alphas: number[] }> {
  const ran: string[][] = [];
  const said: string[] = [];
  const alphas: number[] = [];
  let aRounds = 0;
  const result = await confirmInconclusive({
    bound,
    compare: (alpha) => {
      alphas.push(alpha);
      return Promise.resolve<StackComparison[]>([
        {
          key: 'a',
          scenario: 'A',
          stack: 'hci',
          baseline: 'base/a/hci',
          comparisons: [comparison('a-iops', aRounds >= aConclusiveAfter ? 'ok' : 'inconclusive')],
        },
        { key: 'b', scenario: 'B', stack: 'hci', baseline: 'base/b/hci', comparisons: [comparison('b-iops', 'ok')] },
      ]);
    },
    runRound: (groups, round) => {
      ran.push(groups.map((g) => `${g.key}@${round}`));
      if (groups.some((g) => g.key === 'a')) aRounds++;
      return Promise.resolve();
    },
    say: (line) => said.push(line),
  });
  return { result, ran, said, alphas };
}

describe('confirmation rounds of anvil check --target host --baseline', () => {
  it('runs the inconclusive scenario again until its comparison is conclusive, then stops', async () => {
    const { result, ran, said } = await fakeCheck(3, 2);
    expect(result.stopped).toBe('conclusive');
    expect(result.rounds).toBe(2);
    // Only the inconclusive scenario runs again; the check's own runs are round 1.
    expect(ran).toEqual([['a@2'], ['a@3']]);
    expect(result.compared.flatMap((s) => s.comparisons.map((c) => c.verdict))).toEqual(['ok', 'ok']);
    expect(said).toEqual([
      'confirmation: each of up to 4 comparisons judged at alpha 0.0125 (0.05 split over them, Bonferroni), so the rounds keep the family-wise 0.05',
      'confirmation round 1 of at most 3: 1 comparison inconclusive; running a on hci again',
      'confirmation round 1: 1 comparison still inconclusive',
      'confirmation round 2 of at most 3: 1 comparison inconclusive; running a on hci again',
      'confirmation round 2: every comparison conclusive',
      'confirmation: every comparison conclusive after 2 rounds',
    ]);
  });

  it('stops at the bound with the comparison still inconclusive, and says so', async () => {
    const { result, ran, said } = await fakeCheck(2, 5);
    expect(result.stopped).toBe('bound');
    expect(result.rounds).toBe(2);
    expect(ran).toEqual([['a@2'], ['a@3']]);
    expect(result.compared[0]!.comparisons[0]!.verdict).toBe('inconclusive');
    expect(said.at(-1)).toBe('confirmation: stopped at the bound of 2 rounds (--confirm-rounds); 1 comparison still inconclusive');
  });

  it('runs no round with --confirm-rounds 0, and says the comparison stays inconclusive', async () => {
    const { result, ran, said } = await fakeCheck(0, 1);
    expect(result).toMatchObject({ stopped: 'disabled', rounds: 0 });
    expect(ran).toEqual([]);
    expect(said).toEqual(['confirmation: 1 comparison inconclusive; no confirmation rounds (--confirm-rounds 0)']);
  });

  // Sequential testing: every look, the first included, is judged at the family's alpha over the bound's looks.
  it('judges every look at alpha / (rounds + 1), Bonferroni over the planned looks, and at alpha with no rounds', async () => {
    const three = await fakeCheck(3, 5);
    expect(three.alphas).toEqual([0.0125, 0.0125, 0.0125, 0.0125]);
    expect(three.result.alpha).toBe(0.0125);
    const one = await fakeCheck(1, 0);
    expect(one.alphas).toEqual([0.025]);
    const none = await fakeCheck(0, 1);
    expect(none.alphas).toEqual([0.05]);
    expect(none.result.alpha).toBe(0.05);
  });

  it('runs no round and says nothing when the first comparison is conclusive', async () => {
    const { result, ran, said } = await fakeCheck(3, 0);
    expect(result).toMatchObject({ stopped: 'conclusive', rounds: 0 });
    expect(ran).toEqual([]);
    expect(said).toEqual([]);
  });
});
