/**
 * fio options as sweep axes: in every job of a base job file (`option: iodepth`), and inside a cluster
 * scenario's workloads, whose jobs are job files written inline (`field: job.iodepth` in every workload,
 * `field: workloads.1.job.iodepth` in the second, `field: workloads.orders-db.iodepth` in those of pod
 * orders-db). The option is checked against the model's table when the sweep is read, and each value
 * against the job file's reader, so a bad one is named by its axis before any point runs.
 */
import { isAnvilError } from '../../platform/errors.js';
import { scanJobFile } from '../workloads/jobfile.js';
import { findOption, unsupportedMessage } from '../workloads/options.js';
import { loadWorkloads } from '../workloads/resolve.js';

/** The canonical name of an fio option (its aliases included), or the name itself. */
function canonical(name: string): string {
  return findOption(name)?.option.name ?? name;
}

/**
 * `text` with `option=value` in every job section: any line setting the option (under any of its names,
 * in [global] or a job) is dropped, and the new line follows each job's header, so no job keeps its own.
 */
export function setJobOption(text: string, option: string, value: string | number, fileName = 'job.fio'): string {
  const { file } = scanJobFile(text, fileName, {});
  const target = canonical(option);
  const drop = new Set<number>();
  const after = new Set<number>();
  for (const section of file.sections) {
    if (!section.global) after.add(section.line);
    for (const o of section.options) if (canonical(o.name) === target) drop.add(o.line);
  }
  const out: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (drop.has(i + 1)) return;
    out.push(line);
    if (after.has(i + 1)) out.push(`${option}=${value}`);
  });
  return out.join('\n');
}

/** Which workloads a job-option field sets: every one, the N-th, or those of a pod. */
export type WorkloadSelector = { readonly all: true } | { readonly index: number } | { readonly pod: string };

export interface JobOptionField {
  readonly workloads: WorkloadSelector;
  readonly option: string;
}

const OPTION = '[a-z_][a-z0-9_]*';

/** A scenario field that names an fio option in workloads' jobs, or undefined for any other field. */
export function jobOptionField(field: string): JobOptionField | undefined {
  let m = new RegExp(`^job\\.(${OPTION})$`).exec(field);
  if (m) return { workloads: { all: true }, option: m[1]! };
  m = new RegExp(`^workloads\\.([0-9]+)\\.job\\.(${OPTION})$`).exec(field);
  if (m) return { workloads: { index: Number(m[1]) }, option: m[2]! };
  // A pod's name (not a number): workloads.POD.OPTION or workloads.POD.job.OPTION.
  m = new RegExp(`^workloads\\.([a-z0-9][-a-z0-9]*)\\.(?:job\\.)?(${OPTION})$`).exec(field);
  if (m && !/^[0-9]+$/.test(m[1]!) && m[2] !== 'job') return { workloads: { pod: m[1]! }, option: m[2]! };
  return undefined;
}

/** A workload as the scenario gives it. */
export interface WorkloadEntry {
  readonly pod?: unknown;
  readonly job?: unknown;
}

/** The pod name a workload's `pod` names (TENANT/NAME gives NAME). */
function podName(pod: unknown): string | undefined {
  return typeof pod === 'string' ? pod.slice(pod.indexOf('/') + 1) : undefined;
}

/** The indices of `workloads` that `selector` takes. */
export function selectedWorkloads(workloads: readonly WorkloadEntry[], selector: WorkloadSelector): number[] {
  if ('all' in selector) return workloads.map((_, i) => i);
  if ('index' in selector) return selector.index < workloads.length ? [selector.index] : [];
  return workloads.flatMap((w, i) => (podName(w.pod) === selector.pod ? [i] : []));
}

/** What the axis `name` (a job-option `field`) cannot do on `workloads`: its option, its workloads, each value. */
export function jobOptionProblems(
  workloads: readonly WorkloadEntry[],
  name: string,
  field: string,
  target: JobOptionField,
  values: readonly (string | number)[],
): string[] {
  const unsupported = unsupportedMessage(target.option);
  if (unsupported !== undefined || findOption(target.option) === undefined)
    return [`axis ${name}: field ${field}: ${unsupported ?? `option '${target.option}' is not an fio option the model knows`}`];
  const chosen = selectedWorkloads(workloads, target.workloads);
  if (chosen.length === 0) {
    const pods = [...new Set(workloads.map((w) => podName(w.pod)).filter((p) => p !== undefined))];
    return [
      `axis ${name}: field ${field}: no workload of the scenario is there (it has ${workloads.length}${pods.length > 0 ? `, on pods ${pods.join(', ')}` : ''}); name one as workloads.N.job.${target.option} or workloads.POD.${target.option}, or every one as job.${target.option}`,
    ];
  }
  const problems: string[] = [];
  for (const value of new Set(values))
    for (const i of chosen) {
      const job = workloads[i]!.job;
      if (typeof job !== 'string') continue; // the scenario's own problem, said when it is read
      const fileName = `workloads.${i}.job`;
      try {
        loadWorkloads(job, fileName, undefined, {});
      } catch {
        continue; // the base's own job is wrong already: said when the scenario runs
      }
      try {
        loadWorkloads(setJobOption(job, target.option, value, fileName), fileName, undefined, {});
      } catch (e) {
        if (!isAnvilError(e)) throw e;
        const lines = e.details.length > 0 ? `: ${e.details.join('; ')}` : '';
        problems.push(`axis ${name}: field ${field} = ${JSON.stringify(value)}: ${e.message}${lines}`);
        break;
      }
    }
  return problems;
}
