import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJobFile, scanJobFile } from '../../bench/workloads/jobfile.js';
import { FIO_OPTIONS, SUPPORTED_OPTIONS, findOption } from '../../bench/workloads/options.js';
import { loadWorkloads } from '../../bench/workloads/resolve.js';
import { AnvilError } from '../../platform/errors.js';
import { FIO_DEFAULT_PERCENTILES } from '../../sim/measure/latency-histogram.js';
import { corpus, inCI } from '../needs.js';

// fio's example job files, in the external corpora (../shared/fixtures): skipped with a note in a clone without them.
const fioExamples = corpus('fio-examples');
const FIXTURES = fioExamples.path;
const NO_ENV = {};

function load(text: string, capacity?: number, env: Record<string, string> = NO_ENV) {
  return loadWorkloads(text, 'jobs.fio', capacity, env);
}

/** The AnvilError `fn` throws (fails the test if it throws anything else, or nothing). */
function errorOf(fn: () => unknown): AnvilError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AnvilError);
    return e as AnvilError;
  }
  throw new Error('expected an AnvilError');
}

function loadError(text: string, capacity?: number, env: Record<string, string> = NO_ENV): AnvilError {
  return errorOf(() => load(text, capacity, env));
}

interface IndexRow {
  file: string;
  cls: string;
  options: string[];
  notes: string;
}

const INDEX: IndexRow[] =
  !fioExamples.present && !inCI
    ? []
    : readFileSync(`${FIXTURES}INDEX.tsv`, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => {
          const [file, cls, options, notes] = line.split('\t');
          return { file: file!, cls: cls!, options: options ? options.split(',') : [], notes: notes ?? '' };
        });

fioExamples.describe("fio's example job files", () => {
  it('index covers all 107 files, 6 of them runnable on the model', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.fio'))
      .sort();
    expect(files).toHaveLength(107);
    expect(INDEX.map((r) => r.file).sort()).toEqual(files);
    expect(
      INDEX.filter((r) => r.cls === 'model')
        .map((r) => r.file)
        .sort(),
    ).toEqual(['fio-rand-read.fio', 'fio-rand-write.fio', 'fio-seq-read.fio', 'fio-seq-write.fio', 'libhdfs.fio', 'libiscsi.fio']);
  });

  it('every file is valid fio syntax', () => {
    for (const row of INDEX) {
      const file = parseJobFile(readFileSync(FIXTURES + row.file, 'utf8'), row.file, NO_ENV);
      expect(file.sections.filter((s) => !s.global).length, row.file).toBeGreaterThan(0);
    }
  });

  for (const row of INDEX.filter((r) => r.cls === 'model')) {
    it(`${row.file} resolves to specs`, () => {
      const { specs } = loadWorkloads(readFileSync(FIXTURES + row.file, 'utf8'), row.file, undefined, NO_ENV);
      expect(specs.length).toBeGreaterThan(0);
      for (const s of specs) {
        expect(s.iodepth).toBeGreaterThanOrEqual(1);
        expect(s.blockSize_bytes.read).toBeGreaterThan(0);
      }
    });
  }

  // Files the index marks `rejects` were written against the model's first option set; each now either
  // resolves (its options are modelled or ignored with a note) or is rejected by file and line.
  const outcome = new Map<string, 'runs' | AnvilError>();
  for (const row of INDEX.filter((r) => r.cls === 'rejects')) {
    it(`${row.file} resolves, or is rejected naming its lines`, () => {
      let err: AnvilError | undefined;
      try {
        const { specs } = loadWorkloads(readFileSync(FIXTURES + row.file, 'utf8'), row.file, 4e12, NO_ENV);
        expect(specs.length).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(AnvilError);
        err = e as AnvilError;
      }
      outcome.set(row.file, err ?? 'runs');
      if (err === undefined) return;
      expect(err.code).toMatch(/^ANVIL_ERR_JOB_/);
      const text = err.format();
      expect(err.message).toContain(row.file);
      expect(text).not.toMatch(/\n\s+at /); // no stack trace
      const perLine = err.details.filter((d) => !d.startsWith('options the model supports:'));
      expect(perLine.length).toBeGreaterThan(0);
      for (const d of perLine) expect(d, d).toMatch(new RegExp(`^${row.file.replace('.', '\\.')}:\\d+: `));
      if (err.code === 'ANVIL_ERR_JOB_OPTION_UNSUPPORTED')
        expect(err.details.at(-1)).toMatch(/^options the model supports: rw, bs, iodepth/);
    });
  }

  it('most of the examples resolve; those left are rejected for zones, non-block engines or unset variables (trims run)', () => {
    const ran = [...outcome.values()].filter((o) => o === 'runs').length;
    expect(ran).toBeGreaterThanOrEqual(74); // 75 of these 101 (81 of all 107) at the time of writing, trims included
    for (const [file, o] of outcome) {
      if (o === 'runs') continue;
      expect(o.details.join('\n'), file).toMatch(
        /zoned|does no (data )?I\/O|non-block engine|not set|keyword|steady-state|latency-target|flow|sprandom|verify_backlog|sequence|'threads'|fsync/,
      );
    }
  });

  it('fio-rand-read.fio: [global] defaults, the section name as jobname, ignored options noted once each', () => {
    const { specs, notes } = loadWorkloads(readFileSync(`${FIXTURES}fio-rand-read.fio`, 'utf8'), 'fio-rand-read.fio', undefined, NO_ENV);
    expect(specs).toEqual([
      {
        name: 'file1',
        clone: 0,
        group: 0,
        groupReporting: false,
        pattern: 'random',
        readFraction: 1,
        blockSize_bytes: { read: 4096, write: 4096 },
        iodepth: 16,
        rate_iops: { read: 0, write: 0 },
        rateProcess: 'linear',
        size_bytes: 10 * 2 ** 30,
        offset_bytes: 0,
        runtime_ns: 900e9,
        timeBased: true,
        ramp_ns: 0,
        percentiles: FIO_DEFAULT_PERCENTILES,
        percentilesOf: { slat: false, clat: true, lat: false },
      },
    ]);
    expect(notes).toEqual([
      'note: fio-rand-read.fio:5: filename=fio-rand-read only matters on real hardware; the model ignores it',
      'note: fio-rand-read.fio:8: direct=0 only matters on real hardware; the model ignores it',
      'note: fio-rand-read.fio:15: ioengine=libaio only matters on real hardware; the model ignores it',
    ]);
  });

  it('fio-rand-write.fio: numjobs=4 gives four clones', () => {
    const { specs } = loadWorkloads(readFileSync(`${FIXTURES}fio-rand-write.fio`, 'utf8'), 'x.fio', undefined, NO_ENV);
    expect(specs.map((s) => [s.name, s.clone, s.readFraction, s.pattern])).toEqual([0, 1, 2, 3].map((c) => ['file1', c, 0, 'random']));
  });
});

describe('job file syntax', () => {
  it('skips ; and # comments: whole lines, indented, and after a value with or without a space', () => {
    const { specs } = load(
      [
        '; leading comment',
        '# another',
        '[job] ; header comment',
        '  # indented comment',
        'bs=8k ; trailing',
        'iodepth=4#no space',
        '',
        'rw = randwrite   # spaces round =',
      ].join('\n'),
    );
    expect(specs).toHaveLength(1);
    expect(specs[0]!.name).toBe('job');
    expect(specs[0]!.blockSize_bytes.read).toBe(8192);
    expect(specs[0]!.iodepth).toBe(4);
    expect(specs[0]!.pattern).toBe('random');
    expect(specs[0]!.readFraction).toBe(0);
  });

  it('records sections and options with 1-based lines, CRLF or not', () => {
    const file = parseJobFile('[global]\r\nbs=4k\r\n\r\n[a]\r\ntime_based\r\n', 'j.fio', NO_ENV);
    expect(file.sections.map((s) => [s.name, s.line, s.global])).toEqual([
      ['global', 1, true],
      ['a', 4, false],
    ]);
    expect(file.sections[0]!.options[0]).toMatchObject({ name: 'bs', value: '4k', line: 2 });
    expect(file.sections[1]!.options[0]).toMatchObject({ name: 'time_based', value: undefined, line: 5 });
  });

  it('takes bare flags and 0/1 values', () => {
    const [a, b] = load('[a]\nruntime=10\ntime_based\ngroup_reporting\n[b]\nruntime=10\ntime_based=0\ngroup_reporting=1\n').specs;
    expect([a!.timeBased, a!.groupReporting]).toEqual([true, true]);
    expect([b!.timeBased, b!.groupReporting]).toEqual([false, true]);
    expect(loadError('[a]\ntime_based=yes\n').details).toEqual([
      "jobs.fio:2: time_based=yes is not 0 or 1 (or write 'time_based' alone to set it)",
    ]);
  });

  it('options before any section are a syntax error', () => {
    const err = loadError('bs=4k\n[a]\n');
    expect(err.code).toBe('ANVIL_ERR_JOB_SYNTAX');
    expect(err.details).toEqual(["jobs.fio:1: option 'bs' comes before any section; fio needs a [global] or [jobname] header first"]);
  });

  it('rejects include directives and malformed headers', () => {
    const err = loadError('[a]\ninclude other.fio\n[b\n[]\n');
    expect(err.code).toBe('ANVIL_ERR_JOB_SYNTAX');
    expect(err.details.map((d) => d.split(':').slice(0, 2).join(':'))).toEqual(['jobs.fio:2', 'jobs.fio:3', 'jobs.fio:4']);
    expect(err.details[0]).toContain('include directives are not supported');
  });

  it('a file with no job is ANVIL_ERR_JOB_EMPTY', () => {
    expect(loadError('[global]\nbs=4k\n').code).toBe('ANVIL_ERR_JOB_EMPTY');
    expect(loadError('; nothing\n').message).toContain('jobs.fio defines no job');
  });

  it('option names and values are case-sensitive, as in fio', () => {
    const err = loadError('[a]\nBS=4k\nrw=READ\n');
    expect(err.details[0]).toContain("jobs.fio:2: option 'BS' is not supported by the model");
    expect(err.details[1]).toContain('jobs.fio:3: rw=READ is not a mode the model runs');
  });

  it('expands ${VAR} from the environment and refuses values whose variable is unset', () => {
    expect(load('[a]\nbs=${BS}\niodepth=${QD}\n', undefined, { BS: '16k', QD: '8' }).specs[0]).toMatchObject({
      blockSize_bytes: { read: 16384, write: 16384 },
      iodepth: 8,
    });
    const file = parseJobFile('[a]\nbs=${NOPE}k\n', 'j.fio', {});
    expect(file.sections[0]!.options[0]).toMatchObject({ value: 'k', rawValue: '${NOPE}k', unsetVars: ['NOPE'] });
    expect(loadError('[a]\nbs=${NOPE}\n').details).toEqual([
      'jobs.fio:2: bs=${NOPE}: environment variable NOPE is not set (fio would substitute an empty value); set it or write the value',
    ]);
    expect(loadError('[a]\nbs=${EMPTY}\n', undefined, { EMPTY: '' }).details[0]).toContain("option 'bs' needs a value");
  });
});

describe('inheritance and cloning', () => {
  it('[global] sets defaults, jobs override, and a later [global] affects only the jobs after it', () => {
    const { specs } = load(
      ['[global]', 'bs=8k', 'iodepth=4', 'name=ignored', '[a]', 'iodepth=8', '[b]', 'name=renamed', '[global]', 'bs=16k', '[c]'].join('\n'),
    );
    expect(specs.map((s) => [s.name, s.blockSize_bytes.read, s.iodepth])).toEqual([
      ['a', 8192, 8],
      ['renamed', 8192, 4],
      ['c', 16384, 4],
    ]);
  });

  it('numjobs clones a job, clone 0..N-1, all in group 0', () => {
    const { specs } = load('[global]\nnumjobs=2\n[r]\nrw=randread\n[w]\nrw=write\nnumjobs=3\ngroup_reporting\n');
    expect(specs.map((s) => [s.name, s.clone, s.group, s.groupReporting])).toEqual([
      ['r', 0, 0, false],
      ['r', 1, 0, false],
      ['w', 0, 0, true],
      ['w', 1, 0, true],
      ['w', 2, 0, true],
    ]);
  });

  it('fio defaults: rw=read, bs=4k, iodepth=1, rwmixread=50, linear, whole device, default percentiles', () => {
    expect(load('[a]\n').specs[0]).toEqual({
      name: 'a',
      clone: 0,
      group: 0,
      groupReporting: false,
      pattern: 'sequential',
      readFraction: 1,
      blockSize_bytes: { read: 4096, write: 4096 },
      iodepth: 1,
      rate_iops: { read: 0, write: 0 },
      rateProcess: 'linear',
      size_bytes: 0,
      offset_bytes: 0,
      runtime_ns: 0,
      timeBased: false,
      ramp_ns: 0,
      percentiles: FIO_DEFAULT_PERCENTILES,
      percentilesOf: { slat: false, clat: true, lat: false },
    });
  });
});

describe('option values', () => {
  it('rw modes and rwmixread', () => {
    const specs = load('[a]\nrw=randrw\nrwmixread=70\n[b]\nrw=readwrite\n[c]\nrw=rw\nrwmixread=0\n[d]\nrw=randwrite\n').specs;
    expect(specs.map((s) => [s.pattern, s.readFraction])).toEqual([
      ['random', 0.7],
      ['sequential', 0.5],
      ['sequential', 0],
      ['random', 0],
    ]);
    expect(loadError('[a]\nrw=randread:8\n').details).toEqual([
      "jobs.fio:2: rw=randread:8: a modifier on a random mode (fio's rw_sequencer: a new random offset every N I/Os) is not modelled; write rw=randread",
    ]);
    // fio's trim modes run (they used to be rejected): trims, and trim-then-write.
    expect(load('[a]\nrw=trimwrite\n[b]\nrw=randtrim\n').specs.map((s) => [s.pattern, s.readFraction, s.trimMode])).toEqual([
      ['sequential', 0, 'trimwrite'],
      ['random', 0, 'trim'],
    ]);
  });

  it('bs: one value for both directions, or read,write like fio (an empty part keeps the inherited value)', () => {
    const [a, b, c, d] = load('[global]\nbs=8k\n[a]\nbs=4k,64k\n[b]\nbs=,64k\n[c]\nbs=16k,\n[d]\nbs=1m\n').specs;
    expect(a!.blockSize_bytes).toEqual({ read: 4096, write: 65536 });
    expect(b!.blockSize_bytes).toEqual({ read: 8192, write: 65536 });
    expect(c!.blockSize_bytes).toEqual({ read: 16384, write: 8192 });
    expect(d!.blockSize_bytes).toEqual({ read: 1048576, write: 1048576 });
    expect(loadError('[a]\nbs=abc\n').details).toEqual(['jobs.fio:2: bs=abc is not a size (examples: 4k, 128k, 1m)']);
    expect(loadError('[a]\nbs=0\n').details).toEqual(['jobs.fio:2: bs=0 is not a size (examples: 4k, 128k, 1m)']);
  });

  it('rate_iops: one value caps both, r,w pairs, an empty part is no cap; rate_process', () => {
    const specs = load('[a]\nrate_iops=500\n[b]\nrate_iops=100,200\n[c]\nrate_iops=,300\nrate_process=poisson\n[d]\nrate_iops=1k\n').specs;
    expect(specs.map((s) => s.rate_iops)).toEqual([
      { read: 500, write: 500 },
      { read: 100, write: 200 },
      { read: 0, write: 300 },
      { read: 1024, write: 1024 },
    ]);
    expect(specs.map((s) => s.rateProcess)).toEqual(['linear', 'linear', 'poisson', 'linear']);
    expect(loadError('[a]\nrate_process=bursty\n').details).toEqual(['jobs.fio:2: rate_process=bursty is not one of linear|poisson']);
  });

  it("sizes follow fio's kb_base=1024 rule: 4k = 4096 but 4KiB = 4000; kb_base itself is refused", () => {
    const sizes = load('[global]\nbs=512\n[a]\nsize=4k\n[b]\nsize=4KiB\n[c]\nsize=1m\n[d]\nsize=1MiB\n[e]\nsize=10G\n').specs.map(
      (s) => s.size_bytes,
    );
    expect(sizes).toEqual([4096, 4000, 1048576, 1000000, 10 * 2 ** 30]);
    expect(loadError('[a]\nkb_base=1000\n').details[0]).toContain("jobs.fio:2: option 'kb_base' is not supported by the model");
  });

  it('size as a percentage of the device, rounded down to the block size; beyond the device it is cut', () => {
    expect(load('[a]\nsize=50%\n', 1_000_000_000).specs[0]!.size_bytes).toBe(122070 * 4096);
    expect(loadError('[a]\nsize=50%\n').details[0]).toContain("jobs.fio:2: size=50% needs the device's capacity");
    expect(loadError('[a]\nsize=0%\n').details[0]).toContain('is not a percentage from 1% to 100%');
    const big = load('[a]\nsize=2g\n', 2 ** 30);
    expect(big.specs[0]!.size_bytes).toBe(2 ** 30);
    expect(big.notes[0]).toMatch(/^note: jobs\.fio:2: .*larger than the device/);
    expect(loadError('[a]\nsize=1k\n').details[0]).toContain('smaller than the block size');
  });

  it('runtime and ramp_time: a bare number is seconds, units as fio', () => {
    const s = load('[a]\nruntime=90\nramp_time=500ms\n[b]\nruntime=2m\nramp_time=5\n').specs;
    expect(s.map((x) => [x.runtime_ns, x.ramp_ns])).toEqual([
      [90e9, 500e6],
      [120e9, 5e9],
    ]);
    expect(loadError('[a]\nruntime=soon\n').details[0]).toContain('jobs.fio:2: runtime=soon is not a duration');
  });

  it('time_based without a runtime is dropped with a note, as fio does', () => {
    const r = load('[a]\ntime_based\nsize=1g\n');
    expect(r.specs[0]!.timeBased).toBe(false);
    expect(r.notes).toEqual([expect.stringMatching(/^note: jobs\.fio:2: time_based needs a runtime/)]);
  });

  it('percentile_list: colon-separated, sorted, each in (0, 100], at most 20', () => {
    expect(load('[a]\npercentile_list=99.9:50:99\n').specs[0]!.percentiles).toEqual([50, 99, 99.9]);
    const many = Array.from({ length: 21 }, (_, i) => i + 1).join(':');
    expect(loadError(`[a]\npercentile_list=${many}\n`).details[0]).toContain('has 21 entries; fio allows at most 20');
    expect(loadError('[a]\npercentile_list=0:50\n').details[0]).toContain('outside (0, 100]');
    expect(loadError('[a]\npercentile_list=50:100.5\n').details[0]).toContain('outside (0, 100]');
    expect(loadError('[a]\npercentile_list=50:p99\n').details[0]).toContain("'p99' is not a number");
  });

  it('checks ranges: iodepth, numjobs, rwmixread', () => {
    const err = loadError('[a]\niodepth=0\nnumjobs=5000\nrwmixread=101\niodepth=1.5\n');
    expect(err.code).toBe('ANVIL_ERR_JOB_VALUE');
    expect(err.details).toEqual([
      'jobs.fio:2: iodepth=0 is out of range; use 1..65536',
      'jobs.fio:3: numjobs=5000 is out of range; use 1..4096',
      'jobs.fio:4: rwmixread=101 is out of range; use 0..100',
      'jobs.fio:5: iodepth=1.5 is not a whole number (e.g. iodepth=32)',
    ]);
  });

  it("accepts fio's aliases as fio does, and rwmixwrite as the complement of rwmixread", () => {
    const [a] = load('[a]\nblocksize=8k\ntimeout=10\nreadwrite=randrw\nrwmixwrite=30\n').specs;
    expect(a!.blockSize_bytes).toEqual({ read: 8192, write: 8192 });
    expect(a!.runtime_ns).toBe(10e9);
    expect(a!.pattern).toBe('random');
    expect(a!.readFraction).toBeCloseTo(0.7, 10);
    const err = loadError('[a]\niodpeth=4\n');
    expect(err.details[0]).toBe("jobs.fio:2: option 'iodpeth' is not supported by the model (did you mean 'iodepth'?)");
  });
});

describe('errors', () => {
  it('lists every problem in the file at once, by line, with the count in the message', () => {
    const err = loadError(
      ['[global]', 'max_open_zones=2', 'bs=abc', '[a]', 'rw=randread:8', 'latency_target=1ms', 'ioengine=libaio', 'iodepth=0'].join('\n'),
    );
    expect(err.code).toBe('ANVIL_ERR_JOB_OPTION_UNSUPPORTED');
    expect(err.message).toMatch(/^jobs\.fio: 5 problems/);
    expect(err.details.map((d) => d.split(': ')[0])).toEqual([
      'jobs.fio:2',
      'jobs.fio:3',
      'jobs.fio:5',
      'jobs.fio:6',
      'jobs.fio:8',
      'options the model supports',
    ]);
    expect(err.details[1]).toBe('jobs.fio:3: bs=abc is not a size (examples: 4k, 128k, 1m)');
    expect(err.details[5]).toContain(SUPPORTED_OPTIONS.join(', '));
    expect(err.format().split('\n')).toHaveLength(7);
  });

  it('a [global] problem is reported once, not once per job', () => {
    const err = loadError('[global]\nbs=huge\n[a]\n[b]\n[c]\n');
    expect(err.details).toEqual(['jobs.fio:2: bs=huge is not a size (examples: 4k, 128k, 1m)']);
  });

  it('uses the file name as given', () => {
    const err = errorOf(() => loadWorkloads('[a]\nfoo=1\n', 'work/loads/x.fio', undefined, NO_ENV));
    expect(err.details[0]).toMatch(/^work\/loads\/x\.fio:2: option 'foo'/);
  });

  it('scanJobFile keeps going after a syntax error', () => {
    const { file, problems } = scanJobFile('x=1\n[a]\nbs=4k\n[b\niodepth=2\n', 'j.fio', NO_ENV);
    expect(problems.map((p) => p.line)).toEqual([1, 4]);
    expect(file.sections.map((s) => s.options.map((o) => o.name))).toEqual([['bs'], ['iodepth']]);
  });
});

describe('the option table', () => {
  it('has one row per name and alias, and every supported option can be applied', () => {
    const names = FIO_OPTIONS.flatMap((o) => [o.name, ...o.aliases]);
    expect(new Set(names).size).toBe(names.length);
    for (const o of FIO_OPTIONS) {
      expect(findOption(o.name)?.option).toBe(o);
      expect(o.help.length).toBeGreaterThan(0);
      if (o.support === 'model') expect(o.apply, o.name).toBeTypeOf('function');
      else expect(o.note, o.name).toBeTruthy();
    }
    expect(SUPPORTED_OPTIONS).toEqual([
      'rw',
      'bs',
      'iodepth',
      'numjobs',
      'rwmixread',
      'rate_iops',
      'rate_process',
      'runtime',
      'time_based',
      'ramp_time',
      'size',
      'group_reporting',
      'percentile_list',
      'slat_percentiles',
      'clat_percentiles',
      'lat_percentiles',
      'name',
      'description',
      'rwmixwrite',
      // fio's ordering, region, mix and pacing options (options-pattern.ts)
      'zonemode',
      'zonesize',
      'zoneskip',
      'verify_backlog',
      'flow_id',
      'flow',
      'flow_sleep',
      'stonewall',
      'new_group',
      'wait_for',
      'startdelay',
      'exitall',
      'exit_what',
      'norandommap',
      'randrepeat',
      'offset',
      'offset_increment',
      'filesize',
      'nrfiles',
      'io_size',
      'number_ios',
      'num_range',
      'loops',
      'fill_device',
      'bssplit',
      'bsrange',
      'random_distribution',
      'random_sequence_stride',
      'rate',
      'thinktime',
      'thinktime_blocks',
      'verify',
      'do_verify',
      // fio's log files (options-logs.ts)
      'write_bw_log',
      'write_iops_log',
      'write_lat_log',
      'write_hist_log',
      'log_avg_msec',
      'log_hist_msec',
      'log_hist_coarseness',
      'bwavgtime',
      'iopsavgtime',
      'per_job_logs',
    ]);
  });
});
