/**
 * One row of the job-file option table (`options.ts`): what the model does with an option, the kind of
 * value it takes, its help and how it writes into a job's settings. Apart from the table so the files
 * that hold parts of it (`options-pattern.ts`, `options-real-io.ts`) need not import the table itself.
 */
import type { JobSettings } from './job-settings.js';

/** What the model does with an option: runs it, ignores it with a note, or rejects the file. */
export type OptionSupport = 'model' | 'ignored' | 'rejected';
/** The kind of value an option takes, as in fio's option types. */
export type OptionKind =
  'enum' | 'size' | 'size-list' | 'int' | 'int-list' | 'percent' | 'duration' | 'flag' | 'bool' | 'float-list' | 'string';

/** One row of the option table. */
export interface FioOption {
  readonly name: string;
  /** fio's other spellings of the option (options.c `.alias`), accepted as fio accepts them. */
  readonly aliases: readonly string[];
  readonly support: OptionSupport;
  readonly kind: OptionKind;
  /** fio's default, as fio writes it; undefined when fio has none. */
  readonly default: string | undefined;
  /** Accepted values of an `enum`. */
  readonly values?: readonly string[];
  /** One line of help. */
  readonly help: string;
  /** For ignored and rejected options: why, or what to write instead. */
  readonly note?: string;
  /** A note that depends on the value written, when that says more than `note`. */
  readonly noteFor?: (value: string | undefined) => string | undefined;
  /** For an ignored option: the problem text when this value cannot be ignored (an engine that does no block I/O). */
  readonly refuse?: (value: string | undefined) => string | undefined;
  /** Writes `value` (undefined for a bare option) into `s`; returns problem text, or undefined if fine. */
  readonly apply?: (s: JobSettings, value: string | undefined) => string | undefined;
}
