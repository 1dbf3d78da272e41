/**
 * From a job file to the model's `WorkloadSpec`s, with fio's inheritance: a `[global]` section sets
 * defaults for the jobs after it (a later `[global]` adds to them, for the jobs after that one), a job
 * section starts from those defaults and overrides them, and `numjobs=N` makes N clones. Every problem
 * in the file is collected and thrown as one `AnvilError`; options the model ignores give notes.
 */
import { workloadSpec, type WorkloadSpec } from '../../sim/workload/spec.js';
import { jobFileError, scanJobFile, type JobEnv, type JobOption, type JobProblem, type JobSection } from './jobfile.js';
import { MAX_JOBS, cloneSettings, defaultSettings, findOption, unsupportedMessage, type JobSettings } from './options.js';

/** What a job file resolves to. */
export interface LoadedWorkloads {
  /** One spec per job clone, in file order (clones of a job together, `clone` 0..numjobs-1). */
  readonly specs: WorkloadSpec[];
  /**
   * Lines for stderr as they are printed, each `note: FILE:LINE: ...`: options the model ignores
   * (once per option name), and fio's own warnings (time_based without runtime, size beyond the device).
   */
  readonly notes: string[];
}

/** fio's reserved keywords (options.c fio_keywords), which fio replaces and then evaluates with `bc`. */
const FIO_KEYWORD = /\$(pagesize|mb_memory|ncpus)/;

/** Collects problems and notes for one file. */
class Collector {
  readonly problems: JobProblem[] = [];
  readonly notes: string[] = [];
  private readonly seen = new Set<string>();
  private readonly noted = new Set<string>();

  constructor(readonly fileName: string) {}

  problem(line: number, code: JobProblem['code'], message: string): void {
    const key = `${line}\n${message}`;
    if (this.seen.has(key)) return; // a [global] value checked once per job is reported once
    this.seen.add(key);
    this.problems.push({ line, code, message });
  }

  note(key: string, line: number, message: string): void {
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.notes.push(`note: ${this.fileName}:${line}: ${message}`);
  }
}

function written(opt: JobOption): string {
  return opt.rawValue === undefined ? opt.name : `${opt.name}=${opt.rawValue}`;
}

/** Applies one option line to `s`, or records why it cannot be applied. */
function applyOption(s: JobSettings, opt: JobOption, out: Collector): void {
  const unsupported = unsupportedMessage(opt.name, opt.value);
  if (unsupported !== undefined) {
    out.problem(opt.line, 'ANVIL_ERR_JOB_OPTION_UNSUPPORTED', unsupported);
    return;
  }
  const o = findOption(opt.name)!.option;
  if (o.support === 'ignored') {
    out.note(o.name, opt.line, `${written(opt)} ${o.note}`);
    return;
  }
  const value = opt.value;
  if (opt.unsetVars.length > 0) {
    const vars = opt.unsetVars.join(', ');
    const plural = opt.unsetVars.length > 1;
    out.problem(
      opt.line,
      'ANVIL_ERR_JOB_VALUE',
      `${written(opt)}: environment variable${plural ? 's' : ''} ${vars} ${plural ? 'are' : 'is'} not set (fio would substitute an empty value); set ${plural ? 'them' : 'it'} or write the value`,
    );
    return;
  }
  const keyword = value === undefined ? null : FIO_KEYWORD.exec(value);
  if (keyword) {
    out.problem(
      opt.line,
      'ANVIL_ERR_JOB_VALUE',
      `${written(opt)} uses fio's keyword ${keyword[0]} (with arithmetic), which depends on the host and which the model does not evaluate; write the number`,
    );
    return;
  }
  if (value !== undefined && value.startsWith('(') && o.kind !== 'string') {
    out.problem(
      opt.line,
      'ANVIL_ERR_JOB_VALUE',
      `${written(opt)} is an arithmetic expression, which the model does not evaluate; write the number`,
    );
    return;
  }
  const error = o.apply!(s, value);
  if (error !== undefined) out.problem(opt.line, 'ANVIL_ERR_JOB_VALUE', error);
  else s.lines[o.name] = opt.line;
}

/** Fraction of I/Os that are reads, 0..1, for fio's `rw` and `rwmixread`. */
function readFraction(s: JobSettings): number {
  if (s.rw === 'read' || s.rw === 'randread') return 1;
  if (s.rw === 'write' || s.rw === 'randwrite') return 0;
  return s.rwmixread / 100;
}

/** The region a job addresses, bytes (0 = whole device), after fio's size rules; undefined on a problem. */
function regionSize(s: JobSettings, section: JobSection, minBs: number, capacity: number | undefined, out: Collector): number | undefined {
  const line = s.lines.size ?? section.line;
  let size = s.size_bytes;
  if (s.sizePercent > 0) {
    if (capacity === undefined) {
      out.problem(
        line,
        'ANVIL_ERR_JOB_VALUE',
        `size=${s.sizePercent}% needs the device's capacity, which is not known here; give size in bytes (e.g. size=10g)`,
      );
      return undefined;
    }
    size = Math.floor((capacity * s.sizePercent) / 100);
    if (s.sizePercent !== 100) size -= size % minBs; // fio rounds a percentage down to the smallest block size
  }
  if (capacity !== undefined && size > capacity) {
    out.note(
      `size@${line}`,
      line,
      `size (${size} bytes) is larger than the device (${capacity} bytes); fio and the model use the whole device`,
    );
    size = capacity;
  }
  const region = size > 0 ? size : capacity;
  if (region !== undefined && region < minBs) {
    out.problem(
      line,
      'ANVIL_ERR_JOB_VALUE',
      `job '${s.name}': the region (${region} bytes) is smaller than the block size (${minBs} bytes); fio refuses this ("blocksize is larger than data set range")`,
    );
    return undefined;
  }
  return size;
}

/** The specs of one job section: one per `numjobs` clone. */
function buildSpecs(s: JobSettings, section: JobSection, capacity: number | undefined, out: Collector): WorkloadSpec[] {
  const fraction = readFraction(s);
  const usedBs = [...(fraction > 0 ? [s.bs.read] : []), ...(fraction < 1 ? [s.bs.write] : [])];
  const size = regionSize(s, section, Math.min(...usedBs), capacity, out);
  if (size === undefined) return [];
  let timeBased = s.timeBased;
  if (timeBased && s.runtime_ns === 0) {
    const line = s.lines.time_based ?? section.line;
    out.note(
      `time_based@${line}`,
      line,
      'time_based needs a runtime; fio ignores it without one ("time_based requires a runtime/timeout setting"), and so does the model',
    );
    timeBased = false;
  }
  const percentiles = Object.freeze([...s.percentiles]);
  const percentilesOf = Object.freeze({ ...s.percentilesOf });
  const specs: WorkloadSpec[] = [];
  for (let clone = 0; clone < s.numjobs; clone++) {
    specs.push(
      workloadSpec({
        name: s.name,
        clone,
        groupReporting: s.groupReporting,
        pattern: s.rw.startsWith('rand') ? 'random' : 'sequential',
        readFraction: fraction,
        blockSize_bytes: { read: s.bs.read, write: s.bs.write },
        iodepth: s.iodepth,
        rate_iops: { read: s.rateIops.read, write: s.rateIops.write },
        rateProcess: s.rateProcess,
        size_bytes: size,
        runtime_ns: s.runtime_ns,
        timeBased,
        ramp_ns: s.ramp_ns,
        percentiles,
        percentilesOf,
      }),
    );
  }
  return specs;
}

/**
 * Resolves a fio job file into the model's workloads.
 * @param text the job file's contents
 * @param fileName the path as the user gave it; every message names it
 * @param deviceCapacity_bytes the device's usable capacity in bytes, when known: `size=N%` needs it,
 *   and a `size` beyond it is cut to it (as fio does on a block device)
 * @param env environment for `${VAR}` expansion (default `process.env`)
 * @throws AnvilError (ANVIL_ERR_JOB_*) listing every problem in the file, one `FILE:LINE: ...` per detail
 */
export function loadWorkloads(text: string, fileName: string, deviceCapacity_bytes?: number, env: JobEnv = process.env): LoadedWorkloads {
  const scanned = scanJobFile(text, fileName, env);
  const out = new Collector(fileName);
  out.problems.push(...scanned.problems);
  const global = defaultSettings();
  const jobs: { settings: JobSettings; section: JobSection }[] = [];
  let clones = 0;
  for (const section of scanned.file.sections) {
    // fio's get_new_job: a job copies the [global] defaults so far and takes its section name, which a
    // `name=` in the job section may then replace (a `name=` in [global] is overridden).
    const target = section.global ? global : { ...cloneSettings(global), name: section.name };
    for (const opt of section.options) applyOption(target, opt, out);
    if (section.global) continue;
    jobs.push({ settings: target, section });
    clones += target.numjobs;
    if (clones > MAX_JOBS) {
      // Stop here: a file of thousands of sections is refused at once, not after reading them all.
      out.problem(
        section.line,
        'ANVIL_ERR_JOB_VALUE',
        `job '${target.name}' brings the jobs (sections times numjobs) above ${MAX_JOBS}, the most fio runs at once (its REAL_MAX_JOBS); split the file`,
      );
      break;
    }
  }
  if (jobs.length === 0) {
    out.problem(0, 'ANVIL_ERR_JOB_EMPTY', 'defines no job: add a [jobname] section (options in [global] only set defaults)');
  }
  const specs: WorkloadSpec[] = [];
  for (const { settings, section } of jobs) specs.push(...buildSpecs(settings, section, deviceCapacity_bytes, out));
  if (out.problems.length > 0) throw jobFileError(fileName, out.problems);
  return { specs, notes: out.notes };
}
