/**
 * The fio options Anvil knows, in one declarative table after fio's own `fio_options[]`: name, fio's
 * alias, whether the model supports, ignores or rejects it, the kind of value, fio's default and one
 * line of help. Supported options carry an `apply` that writes a value into `JobSettings` (like fio's
 * option callbacks) and returns the problem text when the value is unusable. Option names and enum
 * values are case-sensitive, as in fio (parse.c matches them with strcmp/strncmp).
 */
import { parseDuration, parseSize } from '../../sim/core/units.js';
import { FIO_DEFAULT_PERCENTILES } from '../../sim/measure/latency-histogram.js';
import type { RateProcess } from '../../sim/workload/spec.js';
import { PATTERN_OPTIONS } from './options-pattern.js';
import { IOENGINE_OPTION, REAL_IO_OPTIONS } from './options-real-io.js';
import { LOG_OPTIONS } from './options-logs.js';

/** Largest `iodepth` the model accepts (I/Os in flight per job). */
export const MAX_IODEPTH = 65536;
/** Largest `numjobs` the model accepts (clones per job section). */
export const MAX_NUMJOBS = 4096;
/** Most jobs (clones of every section together) in one file: fio's REAL_MAX_JOBS. */
export const MAX_JOBS = 4096;
/** Largest `bs`, bytes (2 GiB): fio needs bs x iodepth of buffer memory, and the model walks a block's pages. */
export const MAX_BS_BYTES = 2 * 1024 ** 3;
/** Longest `runtime` or `ramp_time`, ns: simulated time stays an exact whole number of nanoseconds (2^53 ns, about 104 days). */
export const MAX_DURATION_NS = Number.MAX_SAFE_INTEGER;
/** Most entries in `percentile_list` (fio's FIO_IO_U_LIST_MAX_LEN). */
export const MAX_PERCENTILES = 20;

export { cloneSettings, defaultSettings, RW_MODES, type JobSettings, type RwMode } from './job-settings.js';
import { RW_MODES, type JobSettings, type RwMode } from './job-settings.js';

export type { FioOption, OptionKind, OptionSupport } from './option-row.js';
import type { FioOption } from './option-row.js';

// ---- value readers: each returns the problem text, or undefined after setting the value ----

const SIZE_EXAMPLES = '(examples: 4k, 128k, 1m)';

function needValue(name: string, value: string | undefined, example: string): string | undefined {
  return value === undefined || value === '' ? `option '${name}' needs a value (e.g. ${name}=${example})` : undefined;
}

/** A whole number with fio's optional size suffix (fio reads integer options like sizes: 1k = 1024). */
function parseWhole(text: string): number | undefined {
  if (text.includes('.')) return undefined;
  const v = parseSize(text);
  return v !== undefined && Number.isSafeInteger(v) ? v : undefined;
}

function intOption(name: string, min: number, max: number, set: (s: JobSettings, v: number) => void, example: string) {
  return (s: JobSettings, value: string | undefined): string | undefined => {
    const missing = needValue(name, value, example);
    if (missing) return missing;
    const v = parseWhole(value!);
    if (v === undefined) return `${name}=${value} is not a whole number (e.g. ${name}=${example})`;
    if (v < min || v > max) return `${name}=${value} is out of range; use ${min}..${max}`;
    set(s, v);
    return undefined;
  };
}

/**
 * Splits fio's per-direction lists (`bs`, `rate_iops`): `a,b[,c]` is read, write, trim; with no comma,
 * `a:b` is accepted too (fio's parse.c does). An empty part leaves that direction as inherited.
 */
function splitDirections(value: string): string[] {
  if (value.includes(',')) return value.split(',');
  if (value.includes(':')) return value.split(':');
  return [value];
}

function perDirection(
  name: string,
  read: (t: string) => number | undefined,
  problem: (part: string) => string,
  set: (s: JobSettings, dir: 'read' | 'write' | 'trim', v: number) => void,
  example: string,
) {
  return (s: JobSettings, value: string | undefined): string | undefined => {
    const missing = needValue(name, value, example);
    if (missing) return missing;
    const parts = splitDirections(value!).map((p) => p.trim());
    if (parts.length > 3) return `${name}=${value} has ${parts.length} parts; fio takes read,write[,trim]`;
    const parsed: (number | undefined)[] = [];
    for (const p of parts) {
      if (p === '') {
        parsed.push(undefined);
        continue;
      }
      const v = read(p);
      if (v === undefined) return problem(p);
      parsed.push(v);
    }
    if (parts.length === 1) {
      set(s, 'read', parsed[0]!);
      set(s, 'write', parsed[0]!);
      set(s, 'trim', parsed[0]!);
      return undefined;
    }
    if (parsed[0] !== undefined) set(s, 'read', parsed[0]);
    if (parsed[1] !== undefined) set(s, 'write', parsed[1]);
    // fio: a value not followed by a comma applies to the directions after it too (bs=8k,32k: trims 32k).
    const trim = parts.length === 3 ? parsed[2] : parsed[1];
    if (trim !== undefined) set(s, 'trim', trim);
    return undefined;
  };
}

function applyRw(s: JobSettings, value: string | undefined): string | undefined {
  const allowed = `the model supports rw=${RW_MODES.join('|')}`;
  if (value === undefined || value === '') return `option 'rw' needs a value; ${allowed}`;
  const colon = value.indexOf(':');
  const mode = colon < 0 ? value : value.slice(0, colon);
  if (!(RW_MODES as readonly string[]).includes(mode)) {
    return `rw=${value} is not a mode the model runs; ${allowed}`;
  }
  let gap = 0;
  if (colon >= 0) {
    const text = value.slice(colon + 1).trim();
    const bytes = parseSize(text.replace(/^-/, ''));
    if (mode.startsWith('rand'))
      return `rw=${value}: a modifier on a random mode (fio's rw_sequencer: a new random offset every N I/Os) is not modelled; write rw=${mode}`;
    if (bytes === undefined)
      return `rw=${value}: the offset modifier '${text}' is not a size (e.g. rw=read:8k, or rw=read:-8k to go backwards)`;
    gap = text.startsWith('-') ? -bytes : bytes;
  }
  s.rw = mode as RwMode;
  s.seqGap_bytes = gap;
  return undefined;
}

function applyFlag(name: string, set: (s: JobSettings, v: boolean) => void) {
  return (s: JobSettings, value: string | undefined): string | undefined => {
    if (value === undefined) {
      set(s, true);
      return undefined;
    }
    if (!/^\s*\d+\s*$/.test(value)) return `${name}=${value} is not 0 or 1 (or write '${name}' alone to set it)`;
    set(s, Number(value) !== 0);
    return undefined;
  };
}

function applyDuration(name: string, set: (s: JobSettings, ns: number) => void) {
  return (s: JobSettings, value: string | undefined): string | undefined => {
    const missing = needValue(name, value, '60');
    if (missing) return missing;
    const ns = parseDuration(value!, 's');
    if (ns === undefined || !Number.isFinite(ns))
      return `${name}=${value} is not a duration (examples: 60, 30s, 500ms, 2m; a bare number is seconds)`;
    if (ns > MAX_DURATION_NS)
      return `${name}=${value} is out of range; the model keeps time in whole nanoseconds, so at most 104 days (9007199 s)`;
    set(s, Math.round(ns));
    return undefined;
  };
}

function applySize(s: JobSettings, value: string | undefined): string | undefined {
  const missing = needValue('size', value, '10g');
  if (missing) return missing;
  const v = value!.trim();
  if (v.endsWith('%')) {
    const pct = /^\d+$/.test(v.slice(0, -1).trim()) ? Number(v.slice(0, -1)) : NaN;
    if (!(pct >= 1 && pct <= 100)) return `size=${value} is not a percentage from 1% to 100%`;
    s.sizePercent = pct;
    s.size_bytes = 0;
    return undefined;
  }
  if (/^\d+\s*z$/i.test(v)) return `size=${value} counts zones (z), which the model does not have; give bytes (e.g. size=10g)`;
  const bytes = parseSize(v);
  if (bytes === undefined) return `size=${value} is not a size ${SIZE_EXAMPLES} or a percentage like 50%`;
  s.size_bytes = bytes;
  s.sizePercent = 0;
  return undefined;
}

function applyPercentiles(s: JobSettings, value: string | undefined): string | undefined {
  const missing = needValue('percentile_list', value, '50:99:99.9');
  if (missing) return missing;
  const parts = value!.split(':').map((p) => p.trim());
  if (parts.length > MAX_PERCENTILES) return `percentile_list has ${parts.length} entries; fio allows at most ${MAX_PERCENTILES}`;
  const list: number[] = [];
  for (const p of parts) {
    const v = /^(\d+(\.\d*)?|\.\d+)$/.test(p) ? Number(p) : NaN;
    if (Number.isNaN(v)) return `percentile_list=${value}: '${p}' is not a number (write e.g. 50:99:99.9)`;
    if (!(v > 0 && v <= 100)) return `percentile_list=${value}: ${p} is outside (0, 100] (fio's range; fio ends the list at a 0)`;
    if (!list.includes(v)) list.push(v);
  }
  s.percentiles = list.sort((a, b) => a - b); // fio sorts the list before reporting (stat.c)
  return undefined;
}

function applyEnum(name: string, values: readonly string[], set: (s: JobSettings, v: string) => void) {
  return (s: JobSettings, value: string | undefined): string | undefined => {
    if (value === undefined || !values.includes(value)) return `${name}=${value ?? ''} is not one of ${values.join('|')}`;
    set(s, value);
    return undefined;
  };
}

function applyText(name: string, set: (s: JobSettings, v: string) => void) {
  return (s: JobSettings, value: string | undefined): string | undefined => {
    const missing = needValue(name, value, 'text');
    if (missing) return missing;
    set(s, value!);
    return undefined;
  };
}

const HARDWARE_ONLY = 'only matters on real hardware; the model ignores it';

/** The option table. Anything not named here (by name or alias) is rejected as unsupported. */
export const FIO_OPTIONS: readonly FioOption[] = [
  {
    name: 'rw',
    aliases: ['readwrite'],
    support: 'model',
    kind: 'enum',
    default: 'read',
    values: RW_MODES,
    help: 'I/O pattern: read, write, randread, randwrite, rw/readwrite (sequential mix) or randrw',
    apply: applyRw,
  },
  {
    name: 'bs',
    aliases: ['blocksize'],
    support: 'model',
    kind: 'size-list',
    default: '4096',
    help: 'block size in bytes; one value, or read,write[,trim]',
    apply: perDirection(
      'bs',
      (t) => {
        const v = parseSize(t);
        return v !== undefined && v > 0 && v <= MAX_BS_BYTES ? v : undefined;
      },
      (p) => ((parseSize(p) ?? 0) > MAX_BS_BYTES ? `bs=${p} is out of range; use 1 byte to 2g` : `bs=${p} is not a size ${SIZE_EXAMPLES}`),
      (s, d, v) => {
        s.bs[d] = v;
      },
      '4k',
    ),
  },
  {
    name: 'iodepth',
    aliases: [],
    support: 'model',
    kind: 'int',
    default: '1',
    help: 'I/Os kept in flight per job',
    apply: intOption(
      'iodepth',
      1,
      MAX_IODEPTH,
      (s, v) => {
        s.iodepth = v;
      },
      '32',
    ),
  },
  {
    name: 'numjobs',
    aliases: [],
    support: 'model',
    kind: 'int',
    default: '1',
    help: 'clones of this job, each with its own I/O stream',
    apply: intOption(
      'numjobs',
      1,
      MAX_NUMJOBS,
      (s, v) => {
        s.numjobs = v;
      },
      '4',
    ),
  },
  {
    name: 'rwmixread',
    aliases: [],
    support: 'model',
    kind: 'percent',
    default: '50',
    help: 'percentage of a mixed workload (rw, randrw) that is reads',
    apply: intOption(
      'rwmixread',
      0,
      100,
      (s, v) => {
        s.rwmixread = v;
      },
      '70',
    ),
  },
  {
    name: 'rate_iops',
    aliases: [],
    support: 'model',
    kind: 'int-list',
    default: undefined,
    help: 'cap in I/Os per second; one value for both directions, or read,write (an empty part is no cap)',
    apply: perDirection(
      'rate_iops',
      parseWhole,
      (p) => `rate_iops=${p} is not a whole number of I/Os per second (e.g. rate_iops=1000)`,
      (s, d, v) => {
        if (d !== 'trim') s.rateIops[d] = v; // the model paces trims by the write rate
      },
      '1000',
    ),
  },
  {
    name: 'rate_process',
    aliases: [],
    support: 'model',
    kind: 'enum',
    default: 'linear',
    values: ['linear', 'poisson'],
    help: 'how capped I/Os are spaced: evenly (linear) or as a Poisson process',
    apply: applyEnum('rate_process', ['linear', 'poisson'], (s, v) => {
      s.rateProcess = v as RateProcess;
    }),
  },
  {
    name: 'runtime',
    aliases: ['timeout'],
    support: 'model',
    kind: 'duration',
    default: '0',
    help: 'stop after this long (a bare number is seconds), excluding ramp_time',
    apply: applyDuration('runtime', (s, ns) => {
      s.runtime_ns = ns;
    }),
  },
  {
    name: 'time_based',
    aliases: [],
    support: 'model',
    kind: 'flag',
    default: undefined,
    help: 'keep running until runtime even when size has been transferred',
    apply: applyFlag('time_based', (s, v) => {
      s.timeBased = v;
    }),
  },
  {
    name: 'ramp_time',
    aliases: [],
    support: 'model',
    kind: 'duration',
    default: '0',
    help: 'warm-up excluded from the statistics (a bare number is seconds)',
    apply: applyDuration('ramp_time', (s, ns) => {
      s.ramp_ns = ns;
    }),
  },
  {
    name: 'size',
    aliases: [],
    support: 'model',
    kind: 'size',
    default: undefined,
    help: 'region the job addresses, bytes or a percentage of the device; default the whole device',
    apply: applySize,
  },
  {
    name: 'group_reporting',
    aliases: [],
    support: 'model',
    kind: 'flag',
    default: undefined,
    help: 'report the jobs of a group (and their clones) as one',
    apply: applyFlag('group_reporting', (s, v) => {
      s.groupReporting = v;
    }),
  },
  {
    name: 'percentile_list',
    aliases: [],
    support: 'model',
    kind: 'float-list',
    default: FIO_DEFAULT_PERCENTILES.join(':'),
    help: `latency percentiles to report, colon-separated, each in (0, 100], at most ${MAX_PERCENTILES}`,
    apply: applyPercentiles,
  },
  {
    name: 'slat_percentiles',
    aliases: [],
    support: 'model',
    kind: 'bool',
    default: '0',
    help: 'report submission-latency percentiles (slat_ns.percentile, and bins with json+)',
    apply: applyFlag('slat_percentiles', (s, v) => {
      s.percentilesOf.slat = v;
    }),
  },
  {
    name: 'clat_percentiles',
    aliases: [],
    support: 'model',
    kind: 'bool',
    default: '1',
    help: 'report completion-latency percentiles (clat_ns.percentile, and bins with json+)',
    apply: applyFlag('clat_percentiles', (s, v) => {
      s.percentilesOf.clat = v;
    }),
  },
  {
    name: 'lat_percentiles',
    aliases: [],
    support: 'model',
    kind: 'bool',
    default: '0',
    help: 'report total-latency percentiles (lat_ns.percentile, and bins with json+)',
    apply: applyFlag('lat_percentiles', (s, v) => {
      s.percentilesOf.lat = v;
    }),
  },
  {
    name: 'name',
    aliases: [],
    support: 'model',
    kind: 'string',
    default: undefined,
    help: 'job name; in a job section it replaces the section name (in [global] fio lets the section name win)',
    apply: applyText('name', (s, v) => {
      s.name = v;
    }),
  },
  {
    name: 'description',
    aliases: [],
    support: 'model',
    kind: 'string',
    default: undefined,
    help: 'free text describing the job',
    apply: applyText('description', (s, v) => {
      s.description = v;
    }),
  },
  IOENGINE_OPTION,
  {
    name: 'direct',
    aliases: [],
    support: 'ignored',
    kind: 'bool',
    default: '0',
    help: 'O_DIRECT (bypass the page cache)',
    note: HARDWARE_ONLY,
  },
  {
    name: 'filename',
    aliases: [],
    support: 'ignored',
    kind: 'string',
    default: undefined,
    help: 'file or device fio opens',
    note: HARDWARE_ONLY,
  },
  {
    name: 'rwmixwrite',
    aliases: [],
    support: 'model',
    kind: 'percent',
    default: '50',
    help: 'percentage of a mixed workload that is writes (the rest are reads)',
    apply: intOption(
      'rwmixwrite',
      0,
      100,
      (s, v) => {
        s.rwmixread = 100 - v;
      },
      '30',
    ),
  },
  {
    name: 'kb_base',
    aliases: [],
    support: 'rejected',
    kind: 'enum',
    default: '1024',
    values: ['1024', '1000'],
    help: 'meaning of k/KiB in sizes',
    note: "sizes are read with fio's default kb_base=1024 (4k = 4096, 4KiB = 4000)",
  },
  ...PATTERN_OPTIONS,
  ...LOG_OPTIONS,
  ...REAL_IO_OPTIONS,
];

const BY_NAME = new Map<string, { option: FioOption; alias: boolean }>();
for (const o of FIO_OPTIONS) {
  BY_NAME.set(o.name, { option: o, alias: false });
  for (const a of o.aliases) BY_NAME.set(a, { option: o, alias: true });
}

/** Looks an option up by its exact (case-sensitive) name or fio alias. */
export function findOption(name: string): { option: FioOption; alias: boolean } | undefined {
  return BY_NAME.get(name);
}

/** Names of the options the model runs, in table order. */
export const SUPPORTED_OPTIONS: readonly string[] = FIO_OPTIONS.filter((o) => o.support === 'model').map((o) => o.name);
/** Names of the options the model accepts and ignores. */
export const IGNORED_OPTIONS: readonly string[] = FIO_OPTIONS.filter((o) => o.support === 'ignored').map((o) => o.name);

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** What the model takes, for the end of an error that names unsupported options. */
export const SUPPORTED_OPTIONS_LINE = `options the model supports: ${SUPPORTED_OPTIONS.join(', ')}; ignored (real I/O only, with a note): ioengine, direct, filename and ${IGNORED_OPTIONS.length - 3} more (engine parameters, data patterns, file naming, CPU placement, page cache, log-line details; every option: docs/reference/job-options.md)`;

/**
 * The problem text for an option the model will not take (unknown, an alias, or rejected), e.g.
 * `option 'blocksize' is fio's alias of 'bs'; write bs`. Undefined for supported and ignored names.
 */
export function unsupportedMessage(name: string, value?: string): string | undefined {
  const found = findOption(name);
  if (found && found.alias) {
    const o = found.option;
    if (o.support === 'rejected') return `option '${name}' is fio's alias of '${o.name}', which the model does not support: ${o.note}`;
    return undefined;
  }
  if (found && found.option.support !== 'rejected') return undefined;
  if (found) return `option '${name}' is not supported by the model: ${found.option.noteFor?.(value) ?? found.option.note}`;
  const near =
    name.length >= 4 ? [...SUPPORTED_OPTIONS, ...IGNORED_OPTIONS].find((n) => distance(n, name) <= (name.length < 7 ? 1 : 2)) : undefined;
  return `option '${name}' is not supported by the model${near ? ` (did you mean '${near}'?)` : ''}`;
}
