// fio options that change the I/O pattern or timing, from the job file to the model: each test runs
// a job file on a fixed-latency or queue device and checks what the option must change.
import { describe, expect, it } from 'vitest';
import { estimateOnProfile } from '../../bench/targets/run-cost.js';
import { runOnModel } from '../../bench/targets/sim.js';
import { loadWorkloads } from '../../bench/workloads/resolve.js';
import { AnvilError } from '../../platform/errors.js';
import { OP_READ, OP_WRITE } from '../../sim/io/requests.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { issuedIos, nullDevice } from './issued-ios.js';

const CAPACITY = 1024 ** 3;

function specs(text: string): WorkloadSpec[] {
  return loadWorkloads(text, 'jobs.fio', CAPACITY, {}).specs;
}

function run(text: string, latency = '10us') {
  return runOnModel({ jobs: specs(text), profile: nullDevice(latency), seed: 1 });
}

describe('job order: stonewall, new_group, wait_for, startdelay', () => {
  it('a stonewall job starts when the jobs before it have finished, in a new group', () => {
    const r = run('[global]\nruntime=1ms\ntime_based\n[a]\nnumjobs=2\n[b]\nstonewall\n[c]\n');
    const [a0, a1, b, c] = r.jobs;
    expect(r.jobs.map((j) => [j.name, j.groupid])).toEqual([
      ['a', 0],
      ['a', 0],
      ['b', 1],
      ['c', 1],
    ]);
    expect(a0!.measured.windowStart_ns).toBe(0);
    expect(a1!.measured.windowStart_ns).toBe(0);
    expect(b!.measured.windowStart_ns).toBe(1e6); // after a's runtime
    expect(c!.measured.windowStart_ns).toBe(1e6); // c follows b's stonewall, not a later one
    expect(r.simulated_ns).toBe(2e6);
  });

  it('without stonewall the same jobs run at once (new_group only changes the group)', () => {
    const r = run('[global]\nruntime=1ms\ntime_based\n[a]\n[b]\nnew_group\n');
    expect(r.jobs.map((j) => [j.groupid, j.measured.windowStart_ns])).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it('wait_for starts a job when every clone of the named job has finished; startdelay adds to that', () => {
    const r = run('[w]\nsize=400k\nnumjobs=2\n[x]\nruntime=1ms\ntime_based\n[r]\nwait_for=w\nstartdelay=2ms\nruntime=1ms\ntime_based\n');
    const w = r.jobs.filter((j) => j.name === 'w');
    const wEnd = Math.max(...w.map((j) => j.measured.windowEnd_ns));
    expect(wEnd).toBe(100 * 10_000); // 100 I/Os of 4k at 10 us each
    const reader = r.jobs.find((j) => j.name === 'r')!;
    expect(reader.measured.windowStart_ns).toBe(wEnd + 2e6);
    expect(r.jobs.map((j) => j.name)).toEqual(['w', 'w', 'x', 'r']); // file order
  });

  it('wait_for must name an earlier job, not its own', () => {
    expect(() => specs('[a]\nwait_for=b\n[b]\n')).toThrow(AnvilError);
    expect(() => specs('[a]\n[a]\nwait_for=a\n')).toThrow(AnvilError);
  });

  it('thousands of clones in stonewall phases: each phase starts after the last job of the one before', () => {
    const r = run('[a]\nnumjobs=1500\nsize=8k\n[b]\nstonewall\nnumjobs=1500\nsize=4k\n');
    const a = r.jobs.filter((j) => j.name === 'a');
    const b = r.jobs.filter((j) => j.name === 'b');
    expect([a.length, b.length]).toEqual([1500, 1500]);
    const aEnd = Math.max(...a.map((j) => j.measured.windowEnd_ns));
    expect(Math.min(...b.map((j) => j.measured.windowStart_ns))).toBe(aEnd);
    expect(b.every((j) => j.measured.write.total_ios + j.measured.read.total_ios === 1)).toBe(true);
  });

  it('exitall stops the other jobs of the group when one finishes', () => {
    const r = run('[global]\nexitall\n[short]\nsize=40k\n[long]\nruntime=1s\ntime_based\n');
    const long = r.jobs.find((j) => j.name === 'long')!;
    expect(long.measured.windowEnd_ns).toBeLessThan(1e6); // stopped at short's end (10 I/Os), not after 1 s
  });
});

describe('region and amount: offset, offset_increment, filesize x nrfiles, io_size, number_ios, loops', () => {
  it('offsets stay in [offset, offset + size) for each clone, shifted by offset_increment', () => {
    const [c0, c1] = specs('[a]\nrw=randread\noffset=1m\nsize=256k\noffset_increment=10m\nnumjobs=2\nio_size=2m\n');
    for (const [spec, start] of [
      [c0!, 1024 ** 2],
      [c1!, 11 * 1024 ** 2],
    ] as const) {
      const seen = issuedIos(spec);
      expect(seen).toHaveLength(512); // io_size 2m of 4k I/Os, over a 256k region
      expect(Math.min(...seen.map((s) => s[1]))).toBeGreaterThanOrEqual(start);
      expect(Math.max(...seen.map((s) => s[1] + s[2]))).toBeLessThanOrEqual(start + 256 * 1024);
    }
  });

  it('filesize x nrfiles is the region; number_ios and loops bound the I/O count', () => {
    const [a] = specs('[a]\nrw=write\nfilesize=64k\nnrfiles=4\n');
    expect(issuedIos(a!)).toHaveLength(64); // 256k of 4k writes
    const [b] = specs('[b]\nrw=read\nsize=64k\nloops=3\n');
    expect(issuedIos(b!)).toHaveLength(48);
    const [c] = specs('[c]\nrw=read\nsize=64k\nnumber_ios=5\n');
    expect(issuedIos(c!)).toHaveLength(5);
  });

  it('rw=read:-8k with bs=4k reads backwards', () => {
    const [a] = specs('[a]\nrw=read:-8k\nbs=4k\nsize=64k\nnumber_ios=4\n');
    expect(issuedIos(a!).map((s) => s[1] / 1024)).toEqual([0, 60, 56, 52]);
  });
});

describe('sizes and offsets: bssplit, bsrange, random_distribution', () => {
  it('bssplit gives each size its share of I/Os (fixed seed, within 3 points)', () => {
    const [a] = specs('[a]\nrw=randread\nbssplit=4k/20:16k/30:64k/\nsize=64m\nnumber_ios=20000\n');
    const seen = issuedIos(a!);
    const share = (bytes: number) => seen.filter((s) => s[2] === bytes).length / seen.length;
    expect(share(4096)).toBeCloseTo(0.2, 1);
    expect(Math.abs(share(16384) - 0.3)).toBeLessThan(0.03);
    expect(Math.abs(share(65536) - 0.5)).toBeLessThan(0.03); // the open entry takes what the others leave
    for (const [, offset, size] of seen) expect(offset % 4096 === 0 && offset + size <= 64 * 1024 ** 2).toBe(true);
  });

  it('bsrange draws multiples of its minimum between min and max', () => {
    const [a] = specs('[a]\nrw=randread\nbsrange=4k-16k\nnumber_ios=4000\n');
    const sizes = new Set(issuedIos(a!).map((s) => s[2]));
    expect([...sizes].sort((x, y) => x - y)).toEqual([4096, 8192, 12288, 16384]);
  });

  it('random_distribution=zoned:60/10:40/ puts 60% of offsets in the first tenth', () => {
    const [a] = specs('[a]\nrw=randread\nsize=100m\nrandom_distribution=zoned:60/10:40/\nnumber_ios=20000\n');
    const seen = issuedIos(a!);
    const first = seen.filter((s) => s[1] < 10 * 1024 ** 2).length / seen.length;
    expect(Math.abs(first - 0.6)).toBeLessThan(0.02);
  });

  it('zipf concentrates accesses on few blocks, more so than uniform', () => {
    const distinct = (text: string) => new Set(issuedIos(specs(text)[0]!).map((s) => s[1])).size;
    const zipf = distinct('[a]\nrw=randread\nsize=64m\nrandom_distribution=zipf:1.2\nnumber_ios=10000\n');
    const uniform = distinct('[a]\nrw=randread\nsize=64m\nnumber_ios=10000\n');
    expect(zipf).toBeLessThan(uniform / 2);
  });
});

describe('pacing: rate, thinktime', () => {
  it('thinktime lowers a QD1 job to 1 / (latency + thinktime)', () => {
    const r = run('[a]\nruntime=100ms\ntime_based\nthinktime=40\n', '10us');
    // 10 us service + 40 us think = 50 us a round: 20,000 IOPS (vs 100,000 without).
    expect(r.jobs[0]!.measured.read.total_ios).toBeCloseTo(2000, -1);
  });

  it('rate in bytes per second caps I/Os per second at rate / bs', () => {
    const r = run('[a]\nruntime=100ms\ntime_based\nbs=4k\nrate=4m\n', '10us');
    expect(r.jobs[0]!.measured.read.total_ios).toBeCloseTo(102, -1); // 4 MiB/s / 4 KiB = 1024 IOPS
  });
});

describe('verify: the read-back pass', () => {
  it('a write job with verify reads back what it wrote, in its read stats', () => {
    const [a] = specs('[a]\nrw=randwrite\nsize=256k\nverify=crc32c\n');
    const seen = issuedIos(a!);
    expect(seen.filter((s) => s[0] === OP_WRITE)).toHaveLength(64);
    expect(seen.filter((s) => s[0] === OP_READ)).toHaveLength(64);
    expect(seen.slice(64).every((s) => s[0] === OP_READ)).toBe(true); // after the writes
    const [b] = specs('[a]\nrw=randwrite\nsize=256k\nverify=crc32c\ndo_verify=0\n');
    expect(issuedIos(b!).filter((s) => s[0] === OP_READ)).toHaveLength(0);
    // A mix reads back what it wrote, not its reads too.
    const [c] = specs('[a]\nrw=randrw\nsize=256k\nverify=md5\n');
    const mixed = issuedIos(c!);
    const written = mixed.slice(0, 64).filter((s) => s[0] === OP_WRITE).length;
    expect(written).toBeGreaterThan(10);
    expect(mixed.length - 64).toBe(written);
  });
});

describe('ignored and rejected options', () => {
  it('ignores real-I/O-only options with one note each, and accepts fio aliases', () => {
    const out = loadWorkloads(
      '[a]\nthread\ncmd_type=nvme\nport=8765\nbuffered=1\nblocksize=8k\nreadwrite=randread\ntimeout=5\nfilename_format=f.$jobnum\n',
      'jobs.fio',
      CAPACITY,
      {},
    );
    expect(out.specs[0]!.blockSize_bytes.read).toBe(8192);
    expect(out.specs[0]!.pattern).toBe('random');
    expect(out.specs[0]!.runtime_ns).toBe(5e9);
    expect(out.notes.map((n) => n.split(': ')[2]!.split(' ')[0])).toEqual([
      'thread',
      'cmd_type=nvme',
      'port=8765',
      'buffered=1',
      'filename_format=f.$jobnum',
    ]);
    expect(out.notes.find((n) => n.includes('buffered'))).toContain('no page cache');
  });

  it('rejects what the model does not have, by line with the reason', () => {
    const err = (() => {
      try {
        specs('[a]\nioengine=cpuio\nzonemode=zbd\nss=iops:10%\nthreads=1\n');
      } catch (e) {
        return e as AnvilError;
      }
      throw new Error('expected a rejection');
    })();
    expect(err.details.slice(0, 4)).toEqual([
      expect.stringMatching(/^jobs\.fio:2: ioengine=cpuio burns CPU and does no I\/O/),
      expect.stringMatching(/^jobs\.fio:3: zonemode=zbd: zoned devices .* are not modelled/),
      expect.stringMatching(/^jobs\.fio:4: option 'ss' is fio's alias of 'steadystate'/),
      expect.stringMatching(/^jobs\.fio:5: option 'threads' is not supported by the model \(did you mean 'thread'\?\)/),
    ]);
  });
});

describe('the run-cost estimate follows the amount of I/O', () => {
  it('counts io_size x loops, the verify pass and number_ios, not only the region', () => {
    const ios = (text: string) => estimateOnProfile(specs(text), nullDevice('10us')).ios;
    expect(ios('[a]\nrw=write\nsize=64k\n')).toBe(16);
    expect(ios('[a]\nrw=write\nsize=64k\nloops=3\n')).toBe(48);
    expect(ios('[a]\nrw=write\nsize=64k\nio_size=128k\nverify=md5\n')).toBe(64);
    expect(ios('[a]\nrw=write\nsize=64k\nnumber_ios=5\n')).toBe(5);
  });
});

describe('strided zones, verify_backlog, flow', () => {
  it('zonemode=strided reads zonesize bytes, then skips zoneskip', () => {
    const [a] = specs('[a]\nrw=read\nbs=64k\nzonemode=strided\nzonesize=128k\nzoneskip=1m\nnumber_ios=6\n');
    expect(issuedIos(a!).map((s) => s[1] / 1024)).toEqual([0, 64, 1152, 1216, 2304, 2368]);
    expect(() => specs('[a]\nzonemode=zbd\n')).toThrow(AnvilError);
  });

  it('verify_backlog, flow, flow_id, loops and number_ios have maxima, refused by line', () => {
    const problem = (text: string): string => {
      try {
        specs(text);
      } catch (e) {
        return (e as AnvilError).details[0] ?? '';
      }
      return '';
    };
    expect(problem('[a]\nrw=write\nverify=crc32c\nverify_backlog=65537\n')).toMatch(
      /^jobs\.fio:4: verify_backlog=65537 is out of range; use 0\.\.65536/,
    );
    expect(problem('[a]\nrw=write\nverify=crc32c\nverify_backlog=65536\n')).toBe('');
    expect(problem('[a]\nrw=read\nflow=1000001\n')).toMatch(/^jobs\.fio:3: flow=1000001 is out of range; use 0\.\.1000000/);
    expect(problem('[a]\nrw=read\nflow_id=65536\n')).toMatch(/^jobs\.fio:3: flow_id=65536 is out of range/);
    expect(problem('[a]\nrw=read\nloops=1000001\n')).toMatch(/^jobs\.fio:3: loops=1000001 is out of range/);
    expect(problem('[a]\nrw=read\nnumber_ios=1000000000001\n')).toMatch(/^jobs\.fio:3: number_ios=1000000000001 is out of range/);
  });

  it('verify_backlog=2 reads back every two writes as they happen', () => {
    const [a] = specs('[a]\nrw=write\nsize=24k\nverify=crc32c\nverify_backlog=2\n');
    expect(issuedIos(a!).map(([op, offset]) => `${op === OP_WRITE ? 'w' : 'r'}${offset / 4096}`)).toEqual([
      'w0',
      'w1',
      'r0',
      'r1',
      'w2',
      'w3',
      'r2',
      'r3',
      'w4',
      'w5',
      'r4',
      'r5',
    ]);
  });

  it('flow shares I/Os between the jobs of a flow_id by weight', () => {
    const r = run('[global]\nruntime=10ms\ntime_based\niodepth=4\n[a]\nflow=1\n[b]\nflow=3\n[c]\n');
    const [a, b, c] = r.jobs.map((j) => j.measured.read.total_ios);
    expect(b! / a!).toBeGreaterThan(2.9);
    expect(b! / a!).toBeLessThan(3.1);
    // c has no flow: the device's time is shared as usual (a and b together get what c gets alone)
    expect((a! + b!) / c!).toBeGreaterThan(0.9);
  });
});

describe('random_distribution=sequence', () => {
  it('visits the given blocks in turn; with random_sequence_stride each cycle moves on', () => {
    const blocks = (text: string) => issuedIos(specs(text)[0]!).map((s) => s[1] / 4096);
    expect(blocks('[a]\nrw=randread\nsize=48k\nio_size=24k\nrandom_distribution=sequence:2,0,1\n')).toEqual([2, 0, 1, 2, 0, 1]);
    expect(blocks('[a]\nrw=randread\nsize=48k\nio_size=24k\nrandom_distribution=sequence:2,0,1\nrandom_sequence_stride=1\n')).toEqual([
      2, 0, 1, 5, 3, 4,
    ]);
  });
});
