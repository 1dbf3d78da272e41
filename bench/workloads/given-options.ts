/**
 * A job file's options as it gives them, per section, for fio's JSON (`global options`, each job's
 * `job options`): a section's own `key=value` lines, values after `${VAR}` expansion, later lines of a
 * key replacing earlier ones; bare flags (`time_based`, `stonewall`) are not listed, as fio lists none.
 */
import { scanJobFile, type JobEnv, type JobOption } from './jobfile.js';

/** Each section's own options (the results' `GivenOptions`, declared here too: job files know no results). */
export interface GivenOptions {
  readonly global: Readonly<Record<string, string>>;
  /** By job name. */
  readonly jobs: ReadonlyMap<string, Readonly<Record<string, string>>>;
}

/** The options of `text`'s sections; `[global]` sections merged in file order; jobs by their name (section name, or `name=`). */
export function givenOptions(text: string, fileName: string, env: JobEnv = process.env): GivenOptions {
  const global: Record<string, string> = {};
  const jobs = new Map<string, Record<string, string>>();
  for (const section of scanJobFile(text, fileName, env).file.sections) {
    const own = valuesOf(section.options);
    if (section.global) Object.assign(global, own);
    else jobs.set(own.name ?? section.name, own);
  }
  return { global, jobs };
}

function valuesOf(options: readonly JobOption[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of options) if (o.value !== undefined) out[o.name] = o.value;
  return out;
}
