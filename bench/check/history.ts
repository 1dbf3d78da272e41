/**
 * Nightly history for change-point detection (`anvil check --history DIR`): each check appends one row per
 * scenario and stack to DIR/SCENARIO.STACK.csv, the shape Apache Otava's CSV importer reads (a time column,
 * attribute columns, one metric column per SLA check holding the worst seed's figure). Otava finds the
 * change points across nights; Anvil only keeps the file.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnvilError } from '../../platform/errors.js';
import type { CheckSpread } from './verdict-report.js';

/** The attribute columns after `time`; every other column is a metric. */
export const HISTORY_ATTRIBUTES = ['anvil_version', 'seeds'] as const;

/** Seconds since the epoch as a time Otava's CSV importer parses: `2026-01-01 03:00:00 +0000`. */
export function historyTime(epoch_s: number): string {
  return `${new Date(epoch_s * 1000).toISOString().slice(0, 19).replace('T', ' ')} +0000`;
}

/** A check's metric column: SLA, limit and window (`orders-iops.min_iops.interval`). */
export const metricColumn = (c: Pick<CheckSpread, 'sla' | 'check' | 'window'>) => `${c.sla}.${c.check}.${c.window}`;

/** A CSV field: quoted where it holds a comma, quote or line break. */
const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Appends one row per scenario and stack of `checks` to `dir`; a file whose header names other columns (the
 * SLAs changed) is refused, since Otava reads one set of columns per test.
 */
export function appendHistory(dir: string, checks: readonly CheckSpread[], ctx: { epoch_s: number; version: string }): string[] {
  const groups = new Map<string, CheckSpread[]>();
  for (const c of checks) {
    const key = `${c.file}.${c.stack}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(c);
  }
  const written: string[] = [];
  for (const [key, group] of groups) {
    const file = join(dir, `${key}.csv`);
    const header = ['time', ...HISTORY_ATTRIBUTES, ...group.map(metricColumn)].map(field).join(',');
    const seeds = Math.max(...group.map((c) => c.seeds));
    const row = [historyTime(ctx.epoch_s), ctx.version, `${seeds}`, ...group.map((c) => (c.worst ? `${c.worst.measured}` : ''))]
      .map(field)
      .join(',');
    const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const firstLine = before.split('\n', 1)[0] ?? '';
    if (before !== '' && firstLine !== header)
      throw new AnvilError(
        'ANVIL_ERR_OUTPUT',
        `history ${file} has the columns ${firstLine}; this check's are ${header} (its SLAs changed); move the file aside to start a new history`,
      );
    try {
      appendFileSync(file, `${before === '' ? `${header}\n` : ''}${row}\n`);
    } catch (e) {
      throw new AnvilError(
        'ANVIL_ERR_OUTPUT',
        `cannot append to history ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    written.push(file);
  }
  return written;
}
