/**
 * Verdicts gathered over scenarios, stacks and seeds: the document `verdicts.json` holds, the spread and
 * worst case per check across seeds, and the verdict table `anvil check` prints. The document holds no
 * time or path that changes between two checks of the same inputs, so identical runs give identical files.
 */
import { textTable } from './text-table.js';
import { basename, extname } from 'node:path';
import { checkLabel, formatFigure, formatMargin } from '../../sim/core/figure-text.js';
import type { SlaStatus, SlaVerdict } from './evaluate.js';

/** Version of the verdicts.json layout. */
export const VERDICTS_SCHEMA_VERSION = 1;

/** The verdicts of one run: one scenario on one stack with one seed. */
export interface RunVerdicts {
  /** The scenario's name line, and its file as given. */
  readonly scenario: string;
  readonly file: string;
  readonly stack: string;
  readonly seed: number;
  readonly target: string;
  readonly verdicts: readonly SlaVerdict[];
}

/** One check of one SLA across the seeds it ran with. */
export interface CheckSpread {
  readonly scenario: string;
  /** The scenario file's name without folder and extension, as the table shows it. */
  readonly file: string;
  readonly stack: string;
  readonly sla: string;
  readonly check: string;
  readonly window: 'run' | 'interval';
  readonly scope: string;
  readonly unit: SlaVerdict['unit'];
  readonly limit: number;
  readonly allowed: number;
  readonly seeds: number;
  /** Lowest and highest measured figure over the seeds that measured one; null when none did. */
  readonly min: number | null;
  readonly max: number | null;
  /** The worst seed's verdict: lowest figure for a floor, highest for a ceiling. */
  readonly worst: {
    readonly seed: number;
    readonly measured: number;
    readonly margin: number;
    readonly margin_fraction: number | null;
    readonly where: string;
    readonly note?: string;
  } | null;
  /** Why no seed judged it, where none did. */
  readonly note?: string;
  /** fail if any seed failed, skipped if every seed was skipped, else pass. */
  readonly status: SlaStatus;
  readonly failed_seeds: readonly number[];
}

export interface VerdictsDocument {
  readonly anvil_verdicts: number;
  readonly anvil_version: string;
  readonly totals: { readonly checks: number; readonly passed: number; readonly failed: number; readonly skipped: number };
  readonly checks: readonly CheckSpread[];
  readonly runs: readonly RunVerdicts[];
}

const isFloor = (check: string) => check.startsWith('min_');

/** Each check across seeds, in the order the runs first give them. */
export function spreads(runs: readonly RunVerdicts[]): CheckSpread[] {
  const groups = new Map<string, { run: RunVerdicts; v: SlaVerdict }[]>();
  for (const run of runs)
    for (const v of run.verdicts) {
      const key = JSON.stringify([run.file, run.stack, v.sla, v.check, v.window]);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push({ run, v });
    }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const measured = g.filter((x) => x.v.measured !== null) as { run: RunVerdicts; v: SlaVerdict & { measured: number; margin: number } }[];
    const floor = isFloor(first.v.check);
    const worst = measured.reduce<(typeof measured)[number] | undefined>(
      (w, x) => (!w || (floor ? x.v.measured < w.v.measured : x.v.measured > w.v.measured) ? x : w),
      undefined,
    );
    const failed = g.filter((x) => x.v.status === 'fail').map((x) => x.run.seed);
    return {
      scenario: first.run.scenario,
      file: basename(first.run.file, extname(first.run.file)),
      stack: first.run.stack,
      sla: first.v.sla,
      check: first.v.check,
      window: first.v.window,
      scope: first.v.scope,
      unit: first.v.unit,
      limit: first.v.limit,
      allowed: first.v.allowed,
      seeds: g.length,
      min: measured.length > 0 ? Math.min(...measured.map((x) => x.v.measured)) : null,
      max: measured.length > 0 ? Math.max(...measured.map((x) => x.v.measured)) : null,
      worst: worst
        ? {
            seed: worst.run.seed,
            measured: worst.v.measured,
            margin: worst.v.margin,
            margin_fraction: worst.v.margin_fraction,
            where: worst.v.where,
            ...(worst.v.note !== undefined ? { note: worst.v.note } : {}),
          }
        : null,
      ...(measured.length === 0 && first.v.note !== undefined ? { note: first.v.note } : {}),
      status: failed.length > 0 ? 'fail' : measured.length === 0 ? 'skipped' : 'pass',
      failed_seeds: failed,
    };
  });
}

export function verdictsDocument(runs: readonly RunVerdicts[], version: string): VerdictsDocument {
  const all = runs.flatMap((r) => r.verdicts);
  return {
    anvil_verdicts: VERDICTS_SCHEMA_VERSION,
    anvil_version: version,
    totals: {
      checks: all.length,
      passed: all.filter((v) => v.status === 'pass').length,
      failed: all.filter((v) => v.status === 'fail').length,
      skipped: all.filter((v) => v.status === 'skipped').length,
    },
    checks: spreads(runs),
    runs,
  };
}

// The texts of a figure, a margin and a check live in sim/core/figure-text.ts, where the API reads them too.
export { checkLabel, formatFigure, formatMargin };

const STATUS_TEXT: Record<SlaStatus, string> = { pass: 'pass', fail: 'FAIL', skipped: 'skipped' };

/** The verdict table: one row per check (its worst seed, the spread over seeds when there are several), then the totals. */
export function verdictTable(doc: VerdictsDocument): string {
  const multiSeed = doc.checks.some((c) => c.seeds > 1);
  const header = ['SCENARIO', 'STACK', 'SLA', 'CHECK', 'MEASURED', 'LIMIT', 'MARGIN', 'VERDICT', ...(multiSeed ? ['SEEDS (spread)'] : [])];
  const rows = doc.checks.map((c) => {
    const tol = c.allowed !== c.limit ? ` (tolerance ${+((Math.abs(c.allowed - c.limit) / c.limit) * 100).toFixed(1)}%)` : '';
    const limit = `${isFloor(c.check) ? '>=' : '<='} ${formatFigure(c.limit, c.unit)}${tol}`;
    return [
      c.file,
      c.stack,
      c.sla,
      checkLabel(c.check, c.window),
      c.worst ? formatFigure(c.worst.measured, c.unit) : '-',
      limit,
      c.worst ? formatMargin(c.worst.margin, c.worst.margin_fraction, c.unit) : '-',
      STATUS_TEXT[c.status],
      ...(multiSeed
        ? [
            c.min !== null && c.max !== null
              ? `${c.seeds}: ${formatFigure(c.min, c.unit)} .. ${formatFigure(c.max, c.unit)}${c.worst ? `, worst seed ${c.worst.seed}` : ''}`
              : `${c.seeds}`,
          ]
        : []),
    ];
  });
  const t = doc.totals;
  return (
    [
      ...textTable(header, rows),
      // What a row cannot say: a check not judged and why, a figure from a thin tail or from the run where intervals were asked.
      ...doc.checks
        .map((c) => ({ c, note: c.worst?.note ?? c.note }))
        .filter((x) => x.note !== undefined)
        .map(({ c, note }) => `note: ${c.file} ${c.stack} ${c.sla} ${checkLabel(c.check, c.window)}: ${note}`),
      `${t.checks} checks over ${doc.runs.length} run${doc.runs.length === 1 ? '' : 's'}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`,
    ].join('\n') + '\n'
  );
}
