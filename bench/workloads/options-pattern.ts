/**
 * fio options that change the I/O pattern or its timing, which the model runs: job ordering
 * (stonewall, new_group, wait_for, startdelay, exitall), the region and amount of I/O (offset,
 * offset_increment, filesize x nrfiles, io_size, number_ios, loops, fill_device), block-size mixes
 * (bssplit, bsrange), offset distributions (random_distribution), pacing (rate, thinktime) and
 * verify's read-back pass. Rows only; `options.ts` puts them into the one option table, and
 * `resolve.ts` turns the settings into the spec.
 */
import { MAX_VERIFY_BACKLOG } from '../../sim/workload/io-source.js';
import { parseDuration, parseSize } from '../../sim/core/units.js';
import type { BlockSizeShare, OffsetDistribution } from '../../sim/workload/spec.js';
import { readWhole } from './whole-option.js';
import type { JobSettings } from './job-settings.js';
import type { FioOption } from './option-row.js';

type Apply = (s: JobSettings, value: string | undefined) => string | undefined;

function model(name: string, aliases: string[], kind: FioOption['kind'], def: string | undefined, help: string, apply: Apply): FioOption {
  return { name, aliases, support: 'model', kind, default: def, help, apply };
}

function flag(name: string, set: (s: JobSettings, v: boolean) => void): Apply {
  return (s, value) => {
    if (value === undefined) return void set(s, true);
    if (!/^\s*\d+\s*$/.test(value)) return `${name}=${value} is not 0 or 1 (or write '${name}' alone to set it)`;
    return void set(s, Number(value) !== 0);
  };
}

function size(name: string, set: (s: JobSettings, v: number) => void): Apply {
  return (s, value) => {
    const v = value === undefined ? undefined : parseSize(value.trim());
    if (v === undefined) return `${name}=${value ?? ''} is not a size (examples: 4k, 128m, 10g)`;
    return void set(s, v);
  };
}

function whole(name: string, min: number, max: number, set: (s: JobSettings, v: number) => void, why?: string): Apply {
  return (s, value) => {
    const v = readWhole(name, value, min, max, why);
    if (typeof v === 'string') return v;
    return void set(s, v);
  };
}

function duration(name: string, unit: 'us' | 's', set: (s: JobSettings, ns: number) => void): Apply {
  return (s, value) => {
    if (value !== undefined && /^\s*\d+\w*\s*-\s*\d+/.test(value))
      return `${name}=${value} is a range (fio picks a random value in it); the model takes one value`;
    const ns = value === undefined ? undefined : parseDuration(value.trim(), unit);
    if (ns === undefined || !Number.isFinite(ns) || ns > Number.MAX_SAFE_INTEGER)
      return `${name}=${value ?? ''} is not a duration (a bare number is ${unit === 'us' ? 'microseconds' : 'seconds'}; e.g. 500us, 10ms, 2s)`;
    return void set(s, Math.round(ns));
  };
}

/**
 * fio's bssplit list for one direction, `4k/10:64k/50:32k/`: sizes with percentages; entries without
 * one share what the others leave (fio's bssplit_ddir). Undefined when the text is not such a list.
 */
export function parseSplit(text: string): BlockSizeShare[] | undefined {
  const parts = text.split(':').filter((p) => p.trim() !== '');
  if (parts.length === 0) return undefined;
  const shares: { size_bytes: number; percent: number | undefined }[] = [];
  for (const p of parts) {
    const [sz, pct, extra] = p.split('/');
    const bytes = parseSize((sz ?? '').trim());
    if (bytes === undefined || bytes <= 0 || extra !== undefined) return undefined;
    const percent = pct === undefined || pct.trim() === '' ? undefined : Number(pct);
    if (percent !== undefined && !(percent >= 0 && percent <= 100)) return undefined;
    shares.push({ size_bytes: bytes, percent });
  }
  const given = shares.reduce((t, x) => t + (x.percent ?? 0), 0);
  const open = shares.filter((x) => x.percent === undefined).length;
  if (given > 100 || (open === 0 && given !== 100)) return undefined;
  return shares.map((x) => ({ size_bytes: x.size_bytes, weight: (x.percent ?? (100 - given) / open) / 100 }));
}

/** fio's bsrange `min-max`: sizes from min to max in steps of min, equally likely. */
function rangeSplit(text: string): BlockSizeShare[] | undefined {
  const [a, b, extra] = text.split('-');
  const min = parseSize((a ?? '').trim());
  const max = parseSize((b ?? a ?? '').trim());
  if (min === undefined || max === undefined || min <= 0 || max < min || extra !== undefined) return undefined;
  const n = Math.min(Math.floor(max / min), 4096);
  return Array.from({ length: n }, (_, i) => ({ size_bytes: min * (i + 1), weight: 1 / n }));
}

function perDirectionSplit(name: string, read: (t: string) => BlockSizeShare[] | undefined, example: string): Apply {
  return (s, value) => {
    const parts = (value ?? '').split(',');
    if (value === undefined || value.trim() === '' || parts.length > 3)
      return `${name}=${value ?? ''} is not a block-size ${name === 'bsrange' ? 'range' : 'split'} (e.g. ${name}=${example}; read,write lists apart with a comma)`;
    const lists = parts.map((p) => (p.trim() === '' ? null : read(p.trim())));
    const bad = lists.findIndex((l) => l === undefined);
    if (bad >= 0)
      return `${name}=${value}: '${parts[bad]}' is not a block-size ${name === 'bsrange' ? 'range' : 'split'} (e.g. ${example})`;
    const [r, w] = lists as (BlockSizeShare[] | null)[];
    if (r) s.bsSplit.read = r;
    s.bsSplit.write = parts.length === 1 ? r! : (w ?? s.bsSplit.write);
    return undefined;
  };
}

/** fio's random_distribution: random (uniform), zipf:t, pareto:h, normal:dev%, zoned:p/r:p/r... */
export function parseDistribution(text: string): OffsetDistribution | string {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const arg = colon < 0 ? undefined : text.slice(colon + 1);
  if (kind === 'random') return { kind: 'uniform', param: 0, zones: [] };
  if (kind === 'sequence') {
    const sequence = (arg ?? '').split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : NaN));
    if (sequence.length > 64 || sequence.some((n) => Number.isNaN(n)))
      return 'sequence needs up to 64 block indexes apart with commas (e.g. sequence:2,0,1)';
    return { kind, param: 0, zones: [], sequence };
  }
  const n = arg === undefined ? NaN : Number(arg.split(',')[0]);
  if (kind === 'zipf') return n > 0 && n !== 1 ? { kind, param: n, zones: [] } : 'zipf needs a theta > 0 other than 1 (e.g. zipf:1.2)';
  if (kind === 'pareto') return n > 0 && n < 1 ? { kind, param: n, zones: [] } : 'pareto needs a power between 0 and 1 (e.g. pareto:0.9)';
  if (kind === 'normal') return n > 0 && n <= 100 ? { kind, param: n, zones: [] } : 'normal needs a deviation in % (e.g. normal:20)';
  if (kind === 'zoned') {
    const zones: { access: number; region: number }[] = [];
    const parts = (arg ?? '').split(':').filter((p) => p !== '');
    for (const [i, z] of parts.entries()) {
      const [a, r] = z.split('/');
      const access = Number(a);
      // fio lets the last zone leave its region out ("20/"): it is the rest of the region.
      const given = zones.reduce((t, x) => t + x.region, 0) * 100;
      const region = (r ?? '').trim() === '' && i === parts.length - 1 ? 100 - given : Number(r);
      if (!(access >= 0 && region > 0)) return `zone '${z}' is not access%/region% (e.g. zoned:60/10:30/20:10/70)`;
      zones.push({ access: access / 100, region: region / 100 });
    }
    const access = zones.reduce((t, z) => t + z.access, 0);
    const region = zones.reduce((t, z) => t + z.region, 0);
    if (zones.length === 0 || Math.abs(access - 1) > 1e-9 || region > 1 + 1e-9)
      return 'zoned needs access%/region% pairs whose accesses add up to 100 and regions to at most 100 (e.g. zoned:60/10:30/20:10/70)';
    return { kind, param: 0, zones };
  }
  return `${kind} is not a distribution the model draws (random, zipf:t, pareto:h, normal:dev, zoned:...)`;
}

/** The rows the model runs. */
export const PATTERN_OPTIONS: readonly FioOption[] = [
  model('zonemode', [], 'enum', 'none', 'none, or strided (zonesize bytes, then skip zoneskip); zbd is not modelled', (s, v) => {
    if (v === 'none' || v === 'strided') return void (s.zoneMode = v);
    if (v === 'zbd')
      return 'zonemode=zbd: zoned devices (write pointers, zone resets) are not modelled; remove the zone options to run the job on a conventional drive';
    return `zonemode=${v ?? ''} is not one of none|strided|zbd`;
  }),
  model(
    'zonesize',
    [],
    'size',
    '0',
    'zonemode=strided: bytes of I/O in a zone before the skip',
    size('zonesize', (s, v) => (s.zoneSize_bytes = v)),
  ),
  model(
    'zoneskip',
    [],
    'size',
    '0',
    'zonemode=strided: bytes skipped after each zone',
    size('zoneskip', (s, v) => (s.zoneSkip_bytes = v)),
  ),
  model(
    'verify_backlog',
    [],
    'int',
    '0',
    'with verify: read back every N writes as they happen',
    whole('verify_backlog', 0, MAX_VERIFY_BACKLOG, (s, v) => (s.verifyBacklog = v), 'the blocks the model holds for a backlog'),
  ),
  model(
    'flow_id',
    [],
    'int',
    '0',
    'the flow group whose jobs share I/O by their flow weights',
    whole('flow_id', 0, 65535, (s, v) => (s.flowId = v), 'a flow counter id'),
  ),
  model(
    'flow',
    [],
    'int',
    '0',
    "this job's weight in its flow group's share of I/Os",
    whole('flow', 0, 1_000_000, (s, v) => (s.flowWeight = v), 'a weight; ratios between jobs are what count'),
  ),
  model(
    'flow_sleep',
    [],
    'duration',
    '0',
    'how long a job held back by its flow group sleeps (a bare number is microseconds)',
    duration('flow_sleep', 'us', (s, ns) => (s.flowSleep_ns = ns)),
  ),
  model(
    'stonewall',
    ['wait_for_previous'],
    'flag',
    undefined,
    'wait until every earlier job has finished; starts a new group',
    flag('stonewall', (s, v) => (s.stonewall = v)),
  ),
  model(
    'new_group',
    [],
    'flag',
    undefined,
    'start a new reporting group (groupid)',
    flag('new_group', (s, v) => (s.newGroup = v)),
  ),
  model('wait_for', [], 'string', undefined, 'start when the named earlier job has finished', (s, v) => {
    if (v === undefined || v.trim() === '') return "option 'wait_for' needs a job name (e.g. wait_for=writers)";
    s.waitFor = v.trim();
    return undefined;
  }),
  model(
    'startdelay',
    [],
    'duration',
    '0',
    'start this long after the job could (a bare number is seconds)',
    duration('startdelay', 's', (s, ns) => (s.startdelay_ns = ns)),
  ),
  model(
    'exitall',
    [],
    'flag',
    undefined,
    'when this job finishes, stop the others (see exit_what)',
    flag('exitall', (s, v) => (s.exitall = v)),
  ),
  model('exit_what', [], 'enum', 'group', 'which jobs exitall stops: group, stonewall or all', (s, v) => {
    if (v !== 'group' && v !== 'stonewall' && v !== 'all') return `exit_what=${v ?? ''} is not one of group|stonewall|all`;
    s.exitWhat = v;
    return undefined;
  }),
  model(
    'norandommap',
    [],
    'flag',
    undefined,
    'random offsets may repeat before every block is covered (the model draws them so)',
    flag('norandommap', () => undefined),
  ),
  model(
    'randrepeat',
    ['allrandrepeat'],
    'bool',
    '1',
    "repeat the random sequence; the model's sequence is set by --seed",
    flag('randrepeat', () => undefined),
  ),
  model('offset', ['fileoffset'], 'size', '0', 'start of the region, bytes (or a percentage) from the start of the device', (s, v) => {
    const pct = /^\s*(\d+)\s*%\s*$/.exec(v ?? '');
    if (pct) {
      if (Number(pct[1]) > 100) return `offset=${v} is not a percentage from 0% to 100%`;
      s.offsetPercent = Number(pct[1]);
      s.offset_bytes = 0;
      return undefined;
    }
    s.offsetPercent = 0;
    return size('offset', (t, n) => (t.offset_bytes = n))(s, v);
  }),
  model(
    'offset_increment',
    [],
    'size',
    '0',
    'each clone (numjobs) starts this much further than the one before',
    size('offset_increment', (s, v) => (s.offsetIncrement_bytes = v)),
  ),
  model('filesize', [], 'size', undefined, 'size of each file; the region is nrfiles x filesize when size is not given', (s, v) => {
    if (v !== undefined && v.includes('-')) return `filesize=${v} is a range (fio picks each file's size in it); the model takes one size`;
    return size('filesize', (t, n) => (t.filesize_bytes = n))(s, v);
  }),
  model(
    'nrfiles',
    ['nr_files'],
    'int',
    '1',
    'number of files; the model lays them end to end as one region',
    whole('nrfiles', 1, 1_000_000, (s, v) => (s.nrfiles = v)),
  ),
  model(
    'io_size',
    ['io_limit'],
    'size',
    undefined,
    'bytes of I/O to do (default: the region size)',
    size('io_size', (s, v) => (s.ioSize_bytes = v)),
  ),
  model(
    'number_ios',
    [],
    'int',
    '0',
    'stop after this many I/Os',
    whole('number_ios', 0, 1e12, (s, v) => (s.numberIos = v), 'far beyond what a run simulates under --max-ios'),
  ),
  model(
    'num_range',
    [],
    'int',
    '1',
    'trims: ranges of bs that one trim command carries (the I/O trims num_range x bs)',
    whole('num_range', 1, 256, (s, v) => (s.trimRanges = v), "fio's limit on the ranges of one trim"),
  ),
  model(
    'loops',
    [],
    'int',
    '1',
    'repeat the job this many times',
    whole('loops', 1, 1_000_000, (s, v) => (s.loops = v), 'passes over the region'),
  ),
  model(
    'fill_device',
    ['fill_fs'],
    'flag',
    '0',
    'write until the device is full: the region runs to its end',
    flag('fill_device', (s, v) => (s.fillDevice = v)),
  ),
  model(
    'bssplit',
    [],
    'string',
    undefined,
    'block-size mix, size/percent:...; read,write lists apart',
    perDirectionSplit('bssplit', parseSplit, '4k/50:64k/50'),
  ),
  model(
    'bsrange',
    ['blocksize_range'],
    'string',
    undefined,
    'block sizes from min to max in steps of min',
    perDirectionSplit('bsrange', rangeSplit, '4k-64k'),
  ),
  model(
    'random_distribution',
    [],
    'string',
    'random',
    'how random offsets are drawn: random, zipf:t, pareto:h, normal:dev, zoned:...',
    (s, v) => {
      const d = parseDistribution((v ?? '').trim());
      if (typeof d === 'string') return `random_distribution=${v ?? ''}: ${d}`;
      s.distribution = d;
      return undefined;
    },
  ),
  model(
    'random_sequence_stride',
    [],
    'bool',
    '0',
    'random_distribution=sequence: each cycle moves on by the sequence length',
    flag('random_sequence_stride', (s, v) => (s.sequenceStride = v)),
  ),
  model('rate', [], 'size-list', undefined, 'cap in bytes per second; one value, or read,write', (s, v) => {
    const parts = (v ?? '').split(',').map((p) => p.trim());
    const bytes = parts.map((p) => (p === '' ? 0 : parseSize(p)));
    if (v === undefined || parts.length > 3 || bytes.some((b) => b === undefined))
      return `rate=${v ?? ''} is not bytes per second (e.g. rate=10m, or rate=10m,5m for read,write)`;
    s.rateBytes = { read: bytes[0]!, write: parts.length === 1 ? bytes[0]! : bytes[1]! };
    return undefined;
  }),
  model(
    'thinktime',
    [],
    'duration',
    '0',
    'pause after I/Os before the next (a bare number is microseconds)',
    duration('thinktime', 'us', (s, ns) => (s.thinktime_ns = ns)),
  ),
  model(
    'thinktime_blocks',
    [],
    'int',
    '1',
    'I/Os between thinktime pauses',
    whole('thinktime_blocks', 1, 1_000_000, (s, v) => (s.thinktimeBlocks = v)),
  ),
  model(
    'verify',
    [],
    'enum',
    '0',
    'after the writes, read back what was written (the checksum kind does not matter to the model)',
    (s, v) => {
      s.verify = v !== undefined && v.trim() !== '0' && v.trim() !== 'null';
      return undefined;
    },
  ),
  model(
    'do_verify',
    [],
    'bool',
    '1',
    'run the read-back pass of verify',
    flag('do_verify', (s, v) => (s.doVerify = v)),
  ),
];
