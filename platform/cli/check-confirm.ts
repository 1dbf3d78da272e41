/**
 * Confirmation rounds of `anvil check --target host --baseline DIR`: on hardware a run does not repeat
 * (a seed fixes the model, not a host), so where a comparison with the baseline is inconclusive the check
 * runs the inconclusive scenarios again, adds each new run to the evidence (one more run beside the
 * seed's first, compared unpaired: bench/check/baseline.ts) and compares again, until every comparison is
 * conclusive or `--confirm-rounds` rounds have run. Each look (the first comparison and one after each
 * round) is judged at alpha / (rounds + 1), Bonferroni over the planned looks (bench/check/sequential.ts
 * says why), so the rounds keep the family-wise alpha of one comparison. The loop knows nothing of hosts:
 * the caller gives how a round runs and how the evidence is compared, so a test drives it with a fake runner.
 */
import { COMPARISON_ALPHA } from '../../bench/check/baseline.js';
import type { StackComparison } from '../../bench/check/baseline-report.js';
import { lookAlpha } from '../../bench/check/sequential.js';

/** Confirmation rounds a check runs by default on hardware. */
export const DEFAULT_CONFIRM_ROUNDS = 3;
/** Most confirmation rounds: each is another full run of every inconclusive scenario on the host. */
export const MAX_CONFIRM_ROUNDS = 20;

/** Why the rounds stopped: every comparison conclusive, the bound reached, or rounds off (--confirm-rounds 0). */
export type ConfirmStop = 'conclusive' | 'bound' | 'disabled';

export interface ConfirmResult {
  readonly compared: StackComparison[];
  /** Confirmation rounds run (0 when the first comparison was conclusive or rounds are off). */
  readonly rounds: number;
  readonly stopped: ConfirmStop;
  /** The family-wise alpha every look was judged at: COMPARISON_ALPHA over the bound's looks. */
  readonly alpha: number;
}

/** The scenario and stack groups (key/stack) with an inconclusive comparison, in order. */
export function inconclusiveGroups(compared: readonly StackComparison[]): StackComparison[] {
  const out = new Map<string, StackComparison>();
  for (const s of compared)
    if (s.comparisons.some((c) => c.verdict === 'inconclusive') && !out.has(`${s.key}/${s.stack}`)) out.set(`${s.key}/${s.stack}`, s);
  return [...out.values()];
}

const countOf = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
const inconclusiveCount = (compared: readonly StackComparison[]) =>
  compared.reduce((n, s) => n + s.comparisons.filter((c) => c.verdict === 'inconclusive').length, 0);

/**
 * Compares, and while a comparison is inconclusive and fewer than `bound` rounds have run, runs round
 * 2, 3, ... of the inconclusive groups (`runRound` adds their runs to the evidence `compare` reads) and
 * compares again, every look at `compare`'s `alpha`: the family's split over the bound's looks. Says
 * each round and why it stopped through `say` (one line each).
 */
export async function confirmInconclusive(options: {
  readonly bound: number;
  readonly compare: (alpha: number) => Promise<StackComparison[]>;
  readonly runRound: (groups: readonly StackComparison[], round: number) => Promise<void>;
  readonly say: (line: string) => void;
}): Promise<ConfirmResult> {
  const alpha = lookAlpha(COMPARISON_ALPHA, options.bound);
  let compared = await options.compare(alpha);
  let rounds = 0;
  for (;;) {
    const open = inconclusiveGroups(compared);
    if (open.length === 0) {
      if (rounds > 0) options.say(`confirmation: every comparison conclusive after ${countOf(rounds, 'round')}`);
      return { compared, rounds, stopped: 'conclusive', alpha };
    }
    if (options.bound === 0) {
      options.say(
        `confirmation: ${countOf(inconclusiveCount(compared), 'comparison')} inconclusive; no confirmation rounds (--confirm-rounds 0)`,
      );
      return { compared, rounds, stopped: 'disabled', alpha };
    }
    if (rounds >= options.bound) {
      options.say(
        `confirmation: stopped at the bound of ${countOf(options.bound, 'round')} (--confirm-rounds); ${countOf(inconclusiveCount(compared), 'comparison')} still inconclusive`,
      );
      return { compared, rounds, stopped: 'bound', alpha };
    }
    rounds++;
    const round = rounds + 1; // the check's own runs are round 1
    if (rounds === 1)
      options.say(
        `confirmation: each of up to ${options.bound + 1} comparisons judged at alpha ${alpha.toPrecision(3)} (${COMPARISON_ALPHA} split over them, Bonferroni), so the rounds keep the family-wise ${COMPARISON_ALPHA}`,
      );
    options.say(
      `confirmation round ${rounds} of at most ${options.bound}: ${countOf(inconclusiveCount(compared), 'comparison')} inconclusive; running ${open.map((s) => `${s.key} on ${s.stack}`).join(', ')} again`,
    );
    await options.runRound(open, round);
    compared = await options.compare(alpha);
    const left = inconclusiveCount(compared);
    options.say(
      `confirmation round ${rounds}: ${left === 0 ? 'every comparison conclusive' : `${countOf(left, 'comparison')} still inconclusive`}`,
    );
  }
}
