/**
 * From a job file to the model's `WorkloadSpec`s, with fio's inheritance: a `[global]` section sets
 * defaults for the jobs after it (a later `[global]` adds to them, for the jobs after that one), a job
 * section starts from those defaults and overrides them, and `numjobs=N` makes N clones. Every problem
 * in the file is collected and thrown as one `AnvilError`; options the model ignores give notes.
 */
import { workloadSpec, type BlockSizeShare, type FioLogRequest, type WorkloadSpec } from '../../sim/workload/spec.js';
import { jobFileError, scanJobFile, type JobEnv, type JobOption, type JobProblem, type JobSection } from './jobfile.js';
import { MAX_JOBS, cloneSettings, defaultSettings, findOption, unsupportedMessage, type JobSettings } from './options.js';
import { logRequest } from './options-logs.js';

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
    const refused = o.refuse?.(opt.value);
    if (refused !== undefined) out.problem(opt.line, 'ANVIL_ERR_JOB_VALUE', refused);
    else out.note(o.name, opt.line, `${written(opt)} ${o.note}`);
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
  if (s.rw === 'write' || s.rw === 'randwrite' || s.rw.includes('trim')) return 0;
  return s.rwmixread / 100;
}

/** The region a job addresses, bytes (0 = whole device), after fio's size rules; undefined on a problem. */
function regionSize(s: JobSettings, section: JobSection, minBs: number, capacity: number | undefined, out: Collector): number | undefined {
  const line = s.lines.size ?? s.lines.filesize ?? section.line;
  // fio: without size, a job's files (nrfiles of filesize each) are its region; the model lays them end to end.
  let size = s.size_bytes === 0 && s.sizePercent === 0 && s.filesize_bytes > 0 ? s.filesize_bytes * s.nrfiles : s.size_bytes;
  if (s.fillDevice) size = 0; // fill_device: write until the device is full, i.e. to its end
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
  // One trim command covers num_range ranges of the trim size in one piece: it must fit in the region.
  const trimBytes = s.rw.includes('trim') ? s.bs.trim * s.trimRanges : 0;
  if (region !== undefined && trimBytes > region) {
    out.problem(
      s.lines.num_range ?? line,
      'ANVIL_ERR_JOB_VALUE',
      `job '${s.name}': a trim of bs x num_range (${s.bs.trim} x ${s.trimRanges} = ${trimBytes} bytes) is larger than the job's region (${region} bytes); lower num_range or the trim bs, or raise size`,
    );
    return undefined;
  }
  return size;
}

/** Mean block size of a direction, bytes: of its bssplit/bsrange mix when it has one. */
function meanBs(split: readonly BlockSizeShare[], bs: number): number {
  return split.length === 0 ? bs : split.reduce((t, x) => t + x.size_bytes * x.weight, 0);
}

/** Where a job stands among the others: its group, stonewall phase and what it waits for. */
export interface JobOrder {
  readonly group: number;
  readonly phase: number;
}

/** The specs of one job section: one per `numjobs` clone. */
function buildSpecs(s: JobSettings, section: JobSection, order: JobOrder, capacity: number | undefined, out: Collector): WorkloadSpec[] {
  const fraction = readFraction(s);
  const readBs = s.bsSplit.read.length > 0 ? Math.min(...s.bsSplit.read.map((x) => x.size_bytes)) : s.bs.read;
  const writeBs = s.bsSplit.write.length > 0 ? Math.min(...s.bsSplit.write.map((x) => x.size_bytes)) : s.bs.write;
  const usedBs = [...(fraction > 0 ? [readBs] : []), ...(fraction < 1 ? [writeBs] : [])];
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
  const random = s.rw.startsWith('rand');
  const hasSplit = s.bsSplit.read.length > 0 || s.bsSplit.write.length > 0;
  const split = hasSplit
    ? {
        read: s.bsSplit.read.length > 0 ? s.bsSplit.read : [{ size_bytes: s.bs.read, weight: 1 }],
        write: s.bsSplit.write.length > 0 ? s.bsSplit.write : [{ size_bytes: s.bs.write, weight: 1 }],
      }
    : undefined;
  const rate = { ...s.rateIops };
  // fio's rate is bytes per second: as I/Os per second, over the direction's mean block size.
  if (s.rateBytes.read > 0) rate.read = s.rateBytes.read / meanBs(s.bsSplit.read, s.bs.read);
  if (s.rateBytes.write > 0) rate.write = s.rateBytes.write / meanBs(s.bsSplit.write, s.bs.write);
  // io_size is the amount of I/O (the region's size otherwise); loops repeats it.
  const once = s.ioSize_bytes > 0 ? s.ioSize_bytes : size > 0 ? size : (capacity ?? 0) - s.offset_bytes;
  const ioLimit = s.ioSize_bytes > 0 || (s.loops > 1 && once > 0) ? once * s.loops : undefined;
  const extras = {
    ...(order.phase > 0 ? { phase: order.phase } : {}),
    ...(s.waitFor !== '' ? { waitFor: s.waitFor } : {}),
    ...(s.startdelay_ns > 0 ? { startDelay_ns: s.startdelay_ns } : {}),
    ...(s.exitall ? { exitAll: s.exitWhat } : {}),
    ...(ioLimit !== undefined ? { ioLimit_bytes: ioLimit } : {}),
    ...(s.numberIos > 0 ? { maxIos: s.numberIos } : {}),
    ...(!random && s.seqGap_bytes !== 0 ? { seqGap_bytes: s.seqGap_bytes } : {}),
    ...(split ? { bsSplit: split } : {}),
    ...(random && s.distribution && s.distribution.kind !== 'uniform'
      ? { distribution: s.distribution.kind === 'sequence' ? { ...s.distribution, strided: s.sequenceStride } : s.distribution }
      : {}),
    ...(s.thinktime_ns > 0 ? { thinktime_ns: s.thinktime_ns, thinktimeBlocks: s.thinktimeBlocks } : {}),
    ...(s.verify && s.doVerify && fraction < 1 ? { verify: true, ...(s.verifyBacklog > 0 ? { verifyBacklog: s.verifyBacklog } : {}) } : {}),
    ...(s.zoneMode === 'strided' && s.zoneSize_bytes > 0 && !random
      ? { stride: { zone_bytes: s.zoneSize_bytes, skip_bytes: s.zoneSkip_bytes } }
      : {}),
    ...(s.flowWeight > 0 ? { flow: { id: s.flowId, weight: s.flowWeight, sleep_ns: s.flowSleep_ns } } : {}),
    ...(s.rw.includes('trim') ? { trimMode: s.rw.endsWith('trimwrite') ? ('trimwrite' as const) : ('trim' as const) } : {}),
    ...(s.rw.includes('trim') && s.trimRanges > 1 ? { trimRanges: s.trimRanges } : {}),
    ...(s.rw.includes('trim') && s.bs.trim !== s.bs.write ? { trimBlockSize_bytes: s.bs.trim } : {}),
    ...logExtras(s),
  };
  if (s.trimRanges > 1 && !s.rw.includes('trim')) {
    out.problem(
      s.lines.num_range ?? section.line,
      'ANVIL_ERR_JOB_VALUE',
      `job '${s.name}': num_range=${s.trimRanges} sets the ranges of a trim command, and rw=${s.rw} issues no trims (fio refuses it with reads or writes); remove it or use a trim mode`,
    );
  }
  if (s.zoneMode === 'strided' && random) {
    out.problem(
      s.lines.zonemode ?? section.line,
      'ANVIL_ERR_JOB_VALUE',
      `job '${s.name}': zonemode=strided with a random rw is not modelled (the model strides sequential jobs); use rw=read or rw=write`,
    );
  }
  if (s.thinktime_ns > 0 && (rate.read > 0 || rate.write > 0)) {
    out.problem(
      s.lines.thinktime ?? section.line,
      'ANVIL_ERR_JOB_VALUE',
      `job '${s.name}': thinktime with a rate cap is not modelled (the model paces a capped job by its rate alone); give one or the other`,
    );
  }
  if (s.flowWeight > 0 && (rate.read > 0 || rate.write > 0)) {
    out.problem(
      s.lines.flow ?? section.line,
      'ANVIL_ERR_JOB_VALUE',
      `job '${s.name}': flow with a rate cap is not modelled (fio's flow holds back a job's own loop); give one or the other`,
    );
  }
  let base = s.offset_bytes;
  if (s.offsetPercent > 0) {
    const line = s.lines.offset ?? section.line;
    if (capacity === undefined) {
      out.problem(
        line,
        'ANVIL_ERR_JOB_VALUE',
        `offset=${s.offsetPercent}% needs the device's capacity, which is not known here; give offset in bytes`,
      );
      return [];
    }
    base = Math.floor((capacity * s.offsetPercent) / 100);
    base -= base % Math.min(...usedBs); // fio aligns a percentage offset to the block size
  }
  const specs: WorkloadSpec[] = [];
  for (let clone = 0; clone < s.numjobs; clone++) {
    const offset = base + clone * s.offsetIncrement_bytes;
    specs.push(
      workloadSpec({
        ...extras,
        group: order.group,
        ...(offset > 0 ? { offset_bytes: offset } : {}),
        name: s.name,
        clone,
        groupReporting: s.groupReporting,
        pattern: s.rw.startsWith('rand') ? 'random' : 'sequential',
        readFraction: fraction,
        blockSize_bytes: { read: s.bs.read, write: s.bs.write },
        iodepth: s.iodepth,
        rate_iops: rate,
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

/** The spec's `logs` for the job's log options. */
function logExtras(s: JobSettings): { logs?: FioLogRequest } {
  const logs = logRequest(s.logs, s.name);
  return logs === undefined ? {} : { logs };
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
  const jobs: { settings: JobSettings; section: JobSection; order: JobOrder }[] = [];
  let clones = 0;
  let group = 0;
  let phase = 0;
  for (const section of scanned.file.sections) {
    // fio's get_new_job: a job copies the [global] defaults so far and takes its section name, which a
    // `name=` in the job section may then replace (a `name=` in [global] is overridden).
    const target = section.global ? global : { ...cloneSettings(global), name: section.name };
    for (const opt of section.options) applyOption(target, opt, out);
    if (section.global) continue;
    // fio's add_job: stonewall or new_group opens a new group once the current one has jobs; a
    // stonewall job and those after it start when every earlier job has finished.
    if ((target.stonewall || target.newGroup) && jobs.length > 0 && jobs.at(-1)!.order.group === group) group++;
    if (target.stonewall && jobs.length > 0) phase++;
    if (target.waitFor !== '' && target.waitFor === target.name) {
      out.problem(
        target.lines.wait_for ?? section.line,
        'ANVIL_ERR_JOB_VALUE',
        `wait_for=${target.waitFor}: a job cannot wait for itself (or a job of its own name)`,
      );
    } else if (target.waitFor !== '' && !jobs.some((j) => j.settings.name === target.waitFor)) {
      out.problem(
        target.lines.wait_for ?? section.line,
        'ANVIL_ERR_JOB_VALUE',
        `wait_for=${target.waitFor} names no job defined before '${target.name}' (fio needs the waited-for job earlier in the file)`,
      );
    }
    jobs.push({ settings: target, section, order: { group, phase } });
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
  for (const { settings, section, order } of jobs) specs.push(...buildSpecs(settings, section, order, deviceCapacity_bytes, out));
  // fio numbers its jobs (every clone of every section, in file order) from 1; log file names carry it.
  specs.forEach((spec, i) => {
    if (spec.logs) specs[i] = { ...spec, logs: { ...spec.logs, index: i + 1 } };
  });
  if (out.problems.length > 0) throw jobFileError(fileName, out.problems);
  return { specs, notes: out.notes };
}
