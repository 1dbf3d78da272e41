/**
 * docs/reference/job-options.md from the job-file option table (bench/workloads/options.ts, FIO_OPTIONS):
 * the fio options the model runs, those it accepts and ignores, and those it rejects with what to write
 * instead; any option not in the table is rejected too. Sorted by option name within each group.
 */
import {
  FIO_OPTIONS,
  MAX_BS_BYTES,
  MAX_IODEPTH,
  MAX_JOBS,
  MAX_NUMJOBS,
  MAX_PERCENTILES,
  type FioOption,
} from '../../../bench/workloads/options.js';
import { code, generatedBanner, page, table, text } from './markdown.js';

function bySupport(support: FioOption['support']): FioOption[] {
  return FIO_OPTIONS.filter((o) => o.support === support).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function valueOf(o: FioOption): string {
  return o.values ? `${o.kind}: ${o.values.map(code).join(', ')}` : o.kind;
}

const aliasesOf = (o: FioOption) => o.aliases.map(code).join(', ');
const defaultOf = (o: FioOption) => (o.default === undefined ? '' : code(o.default));

/** The page's Markdown. */
export function jobOptionsReference(): string {
  return page([
    generatedBanner('the option table of bench/workloads/options.ts'),
    '# Job-file options',
    "Anvil reads fio's own job-file format (`[global]`, job sections, `option=value`). Every option falls in one " +
      "of three groups below. An option the table does not name, or one of fio's aliases of a supported option " +
      "(write the option's own name), is rejected with `ANVIL_ERR_JOB_OPTION_UNSUPPORTED` naming its file and line; " +
      'a value the model cannot use gives `ANVIL_ERR_JOB_VALUE` (see [errors.md](errors.md)). Names and enum values ' +
      'are case-sensitive, as in fio. The host target (fio on real machines) runs the same files with fio itself.',
    '## Options the model runs',
    table(
      ['option', 'value', "fio's default", 'what it does', "fio's aliases (not accepted)"],
      bySupport('model').map((o) => [code(o.name), valueOf(o), defaultOf(o), text(o.help), aliasesOf(o)]),
    ),
    '## Options accepted and ignored',
    'The model accepts these and writes a note; they matter on real hardware only.',
    table(
      ['option', 'value', "fio's default", 'what it does in fio', 'note'],
      bySupport('ignored').map((o) => [code(o.name), valueOf(o), defaultOf(o), text(o.help), text(o.note ?? '')]),
    ),
    '## Options rejected',
    'A job file with one of these is refused; the note says what to write instead.',
    table(
      ['option', 'what it does in fio', 'instead'],
      bySupport('rejected').map((o) => [code(o.name), text(o.help), text(o.note ?? '')]),
    ),
    '## Limits',
    table(
      ['limit', 'value'],
      [
        ['`iodepth`, I/Os in flight per job', String(MAX_IODEPTH)],
        ['`numjobs`, clones per job section', String(MAX_NUMJOBS)],
        ['jobs in one file (clones of every section together)', String(MAX_JOBS)],
        ['`bs`, bytes', String(MAX_BS_BYTES)],
        ['entries in `percentile_list`', String(MAX_PERCENTILES)],
      ],
    ),
  ]);
}
