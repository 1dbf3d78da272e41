/**
 * fio's job-file syntax (init.c `__parse_jobs_ini`), read into sections of options with their line
 * numbers; what the options mean is `options.ts`' and `resolve.ts`' business. The rules, as in fio:
 * - `[name]` starts a section; a name beginning with `global` is a `[global]` section (fio compares the
 *   first six characters). Options before the first section are an error.
 * - Everything from the first `;` or `#` on a line is a comment (fio's strip_blank_end cuts there, with
 *   or without whitespace before it); blank lines are skipped.
 * - `key=value`, `key = value`, or a bare `key` (`time_based`). Names are case-sensitive.
 * - `${VAR}` in a value is replaced by the environment variable, or by nothing when it is unset (the
 *   option remembers which variables were unset, so the model can refuse the value rather than guess).
 * - `include` directives are refused: Anvil reads one file.
 * Every problem is collected with its line, so a file's errors are reported all at once.
 */
import { AnvilError, type ErrorCode } from '../../platform/errors.js';
import { SUPPORTED_OPTIONS_LINE } from './options.js';

/** Environment used for `${VAR}` expansion (`process.env` unless given). */
export type JobEnv = Readonly<Record<string, string | undefined>>;

/** One problem found in a job file; `line` is 1-based, 0 when it concerns the whole file. */
export interface JobProblem {
  readonly line: number;
  readonly code: ErrorCode;
  readonly message: string;
}

/** One option line of a section. */
export interface JobOption {
  /** Option name as written (case-sensitive, like fio). */
  readonly name: string;
  /** Value after comment stripping and `${VAR}` expansion; undefined for a bare option. */
  readonly value: string | undefined;
  /** Value as written, before expansion; undefined for a bare option. */
  readonly rawValue: string | undefined;
  /** 1-based line number. */
  readonly line: number;
  /** `${VAR}` references in the value whose variable was unset (fio substitutes an empty string). */
  readonly unsetVars: readonly string[];
}

/** A `[section]`: `[global]` defaults or one job. */
export interface JobSection {
  /** The text between the brackets. */
  readonly name: string;
  /** 1-based line of the header. */
  readonly line: number;
  /** True for `[global]` (any name starting with `global`, as fio decides). */
  readonly global: boolean;
  readonly options: readonly JobOption[];
}

/** A job file as written: its sections in order. */
export interface JobFile {
  /** The file name as the user gave it, used in every message. */
  readonly fileName: string;
  readonly sections: readonly JobSection[];
}

/** The sections of a file plus every syntax problem found (the sections are best effort when there are problems). */
export interface ScannedJobFile {
  readonly file: JobFile;
  readonly problems: readonly JobProblem[];
}

/** Cuts a line at its first `;` or `#`, as fio's strip_blank_end does, and trims it. */
function stripComment(line: string): string {
  const cut = line.search(/[;#]/);
  return (cut < 0 ? line : line.slice(0, cut)).trim();
}

/** fio's `${VAR}` expansion (options.c fio_option_dup_subs): unset variables become ''. */
function expand(value: string, env: JobEnv): { text: string; unset: string[] } {
  const unset: string[] = [];
  const text = value.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) unset.push(name);
    return v ?? '';
  });
  return { text, unset };
}

/** Reads a job file's syntax, collecting problems rather than stopping at the first. */
export function scanJobFile(text: string, fileName: string, env: JobEnv = process.env): ScannedJobFile {
  const sections: { name: string; line: number; global: boolean; options: JobOption[] }[] = [];
  const problems: JobProblem[] = [];
  const syntax = (line: number, message: string) => problems.push({ line, code: 'ANVIL_ERR_JOB_SYNTAX', message });
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const p = stripComment(lines[i]!);
    if (p === '') continue;
    const current = sections[sections.length - 1];
    if (p.startsWith('[')) {
      const m = /^\[([^\]]*)\]$/.exec(p);
      const name = m ? m[1]! : p.slice(1).replace(/\].*$/, '');
      if (!m) syntax(line, `'${p}' is not a section header; write [jobname] on a line of its own`);
      else if (name.trim() === '') syntax(line, 'a section header needs a name, e.g. [global] or [randread-4k]');
      sections.push({ name, line, global: name.startsWith('global'), options: [] });
      continue;
    }
    if (/^include(\s|$)/.test(p)) {
      syntax(line, `'${p}': include directives are not supported; copy the included options into this file`);
      continue;
    }
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    const rawValue = eq < 0 ? undefined : p.slice(eq + 1).trim();
    if (name === '') {
      syntax(line, `'${p}' has no option name before '='`);
      continue;
    }
    if (!current) {
      syntax(line, `option '${name}' comes before any section; fio needs a [global] or [jobname] header first`);
      continue;
    }
    const expanded = rawValue === undefined ? undefined : expand(rawValue, env);
    current.options.push({ name, value: expanded?.text.trim(), rawValue, line, unsetVars: expanded?.unset ?? [] });
  }
  return { file: { fileName, sections }, problems };
}

/**
 * Reads a job file's syntax. Throws an `AnvilError` (ANVIL_ERR_JOB_SYNTAX) listing every syntax
 * problem with its line; option names and values are not checked here.
 */
export function parseJobFile(text: string, fileName: string, env: JobEnv = process.env): JobFile {
  const { file, problems } = scanJobFile(text, fileName, env);
  if (problems.length > 0) throw jobFileError(fileName, problems);
  return file;
}

/** One problem as a detail line: `FILE:LINE: message` (or `FILE: message` for the whole file). */
export function formatProblem(fileName: string, p: JobProblem): string {
  return p.line > 0 ? `${fileName}:${p.line}: ${p.message}` : `${fileName}: ${p.message}`;
}

const CODE_ORDER: readonly ErrorCode[] = [
  'ANVIL_ERR_JOB_SYNTAX',
  'ANVIL_ERR_JOB_OPTION_UNSUPPORTED',
  'ANVIL_ERR_JOB_VALUE',
  'ANVIL_ERR_JOB_EMPTY',
];

/**
 * One error for all of a file's problems, sorted by line. Its code is the most basic kind present
 * (syntax, then unsupported option, then value, then no job); `details` has one `FILE:LINE: ...` each.
 */
export function jobFileError(fileName: string, problems: readonly JobProblem[]): AnvilError {
  const sorted = [...problems].sort((a, b) => a.line - b.line);
  const code = CODE_ORDER.find((c) => sorted.some((p) => p.code === c)) ?? 'ANVIL_ERR_JOB_VALUE';
  const details = sorted.map((p) => formatProblem(fileName, p));
  // The list of what is allowed is said once, after the lines that name options outside it.
  if (sorted.some((p) => p.code === 'ANVIL_ERR_JOB_OPTION_UNSUPPORTED')) details.push(SUPPORTED_OPTIONS_LINE);
  if (sorted.length === 1 && code === 'ANVIL_ERR_JOB_EMPTY') {
    return new AnvilError(code, `${fileName} defines no job: add a [jobname] section (options in [global] only set defaults)`, details);
  }
  const n = sorted.length;
  return new AnvilError(
    code,
    `${fileName}: ${n} problem${n === 1 ? '' : 's'}; the model cannot run this job file until each line below is fixed`,
    details,
  );
}
