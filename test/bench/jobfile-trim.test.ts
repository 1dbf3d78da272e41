// fio's trim modes from the job file to the model: rw=trim, randtrim, trimwrite, randtrimwrite issue
// trims (OP_TRIM) as fio does, measured in their own direction.
import { describe, expect, it } from 'vitest';
import { runOnModel } from '../../bench/targets/sim.js';
import { loadWorkloads } from '../../bench/workloads/resolve.js';
import { AnvilError } from '../../platform/errors.js';
import { OP_TRIM, OP_WRITE } from '../../sim/io/requests.js';
import type { WorkloadSpec } from '../../sim/workload/spec.js';
import { issuedIos, nullDevice } from './issued-ios.js';
import { anvilRun } from '../cli-harness.js';

const CAPACITY = 1024 ** 3;

function specs(text: string): WorkloadSpec[] {
  return loadWorkloads(text, 'jobs.fio', CAPACITY, {}).specs;
}

describe('rw trim modes', () => {
  it('trimwrite trims each block, then writes the same block; io_size counts the trims', () => {
    const seen = issuedIos(specs('[a]\nrw=trimwrite\nbs=4k\nsize=1m\nio_size=12k\n')[0]!);
    expect(seen).toEqual([
      [OP_TRIM, 0, 4096],
      [OP_WRITE, 0, 4096],
      [OP_TRIM, 4096, 4096],
      [OP_WRITE, 4096, 4096],
      [OP_TRIM, 8192, 4096],
      [OP_WRITE, 8192, 4096],
    ]);
  });

  it('randtrimwrite: random blocks, each trimmed then written', () => {
    const seen = issuedIos(specs('[a]\nrw=randtrimwrite\nbs=4k\nsize=1m\nnumber_ios=50\n')[0]!);
    expect(seen.length).toBe(100);
    for (let i = 0; i < seen.length; i += 2) {
      expect(seen[i]![0]).toBe(OP_TRIM);
      expect(seen[i + 1]).toEqual([OP_WRITE, seen[i]![1], 4096]);
      expect(seen[i]![1] % 4096).toBe(0);
    }
    expect(new Set(seen.map((s) => s[1])).size).toBeGreaterThan(40); // random, not sequential from 0
  });

  it("bs's third value is the trims' size, as in fio (bs=a,b,c; an empty third part keeps the inherited size)", () => {
    const own = issuedIos(specs('[a]\nrw=trim\nbs=4k,8k,64k\nsize=256k\n')[0]!);
    expect(own.map((s) => [s[0], s[1], s[2]])).toEqual([0, 1, 2, 3].map((i) => [OP_TRIM, i * 65536, 65536]));
    const inherited = issuedIos(specs('[global]\nbs=16k\n[a]\nrw=trim\nbs=4k,8k,\nsize=64k\n')[0]!);
    expect(inherited.every((s) => s[2] === 16384)).toBe(true);
    // randtrimwrite with its own trim size: the write takes the trim's offset and length (fio's io_u.c does so).
    const tw = issuedIos(specs('[a]\nrw=randtrimwrite\nbs=4k,4k,16k\nsize=1m\nio_size=64k\n')[0]!);
    expect(tw.length).toBe(8);
    for (let i = 0; i < tw.length; i += 2) {
      expect(tw[i]![0]).toBe(OP_TRIM);
      expect(tw[i]![2]).toBe(16384);
      expect(tw[i + 1]).toEqual([OP_WRITE, tw[i]![1], 16384]);
    }
  });

  it('trim and randtrim issue only trims, of the write block size (fio: bs=a,b gives writes and trims b)', () => {
    const seq = issuedIos(specs('[a]\nrw=trim\nbs=4k,16k\nsize=64k\n')[0]!);
    expect(seq.map((s) => s[1])).toEqual([0, 16384, 32768, 49152]);
    expect(seq.every((s) => s[0] === OP_TRIM && s[2] === 16384)).toBe(true);
    const rand = issuedIos(specs('[a]\nrw=randtrim\nbs=8k\nsize=1m\n')[0]!);
    expect(rand.length).toBe(128);
    expect(rand.every((s) => s[0] === OP_TRIM && s[2] === 8192)).toBe(true);
  });

  it('num_range: one trim command carries num_range ranges of bs; with reads or writes it is rejected by line', () => {
    const seen = issuedIos(specs('[a]\nrw=randtrim\nbs=4k\nnum_range=8\nsize=1m\n')[0]!);
    expect(seen.length).toBe(32); // 1 MiB in commands of 8 x 4 KiB
    expect(seen.every((s) => s[0] === OP_TRIM && s[2] === 32768 && s[1] % 4096 === 0)).toBe(true);
    let error: unknown;
    try {
      specs('[a]\nrw=randread\nnum_range=8\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AnvilError);
    expect((error as AnvilError).details[0]).toMatch(/^jobs\.fio:3: .*num_range=8 .*issues no trims/);
  });

  it('num_range is 1..256 and a trim larger than the region is refused, each by line', () => {
    const problems = (text: string): readonly string[] => {
      try {
        specs(text);
      } catch (e) {
        return (e as AnvilError).details;
      }
      return [];
    };
    expect(problems('[a]\nrw=randtrim\nnum_range=257\nsize=1m\n')[0]).toMatch(/^jobs\.fio:3: num_range=257 is out of range; use 1\.\.256/);
    expect(problems('[a]\nrw=randtrim\nnum_range=256\nsize=1m\n')).toEqual([]);
    // 4 KiB x 64 is 256 KiB, over a 64 KiB region.
    expect(problems('[a]\nrw=randtrim\nbs=4k\nnum_range=64\nsize=64k\n')[0]).toMatch(
      /^jobs\.fio:4: .*262144 bytes.*larger than the job's region \(65536 bytes\)/,
    );
  });

  it('fsync (a flush every N writes, timing the model lacks) is rejected by line with the reason, not as an unknown name', () => {
    let error: unknown;
    try {
      specs('[a]\nrw=write\nfsync=1\n');
    } catch (e) {
      error = e;
    }
    expect((error as AnvilError).details[0]).toMatch(/^jobs\.fio:3: option 'fsync' .*flush/);
    expect((error as AnvilError).details[0]).not.toContain('did you mean');
  });

  it('trims are measured in their own direction, reads and writes untouched', () => {
    const r = runOnModel({ jobs: specs('[t]\nrw=randtrim\nruntime=1ms\ntime_based\n'), profile: nullDevice('10us'), seed: 1 });
    const m = r.jobs[0]!.measured;
    expect(m.trim!.total_ios).toBe(100); // QD1 on a 10 us device for 1 ms
    expect(m.trim!.clat.mean_ns).toBe(10_000);
    expect(m.read.total_ios + m.write.total_ios).toBe(0);
    // A job without trims reports none (its output is as before).
    const plain = runOnModel({ jobs: specs('[w]\nrw=randwrite\nruntime=1ms\ntime_based\n'), profile: nullDevice('10us'), seed: 1 });
    expect(plain.jobs[0]!.measured.trim).toBeUndefined();
  });
});

describe('fio JSON of a trim job', () => {
  it('a trimwrite job has both trim and write counts, and its rw', async () => {
    const job = '[tw]\nrw=trimwrite\nbs=4k\niodepth=4\nsize=64m\nio_size=1m\n';
    const { stdout } = await anvilRun(job, { profileYaml: 'kind: null\nlatency: 10us\ncapacity: 1G\n', outputFormat: 'json' });
    const j = (JSON.parse(stdout) as { jobs: Record<string, { total_ios: number; io_bytes: number; clat_ns: { N: number } }>[] }).jobs[0]!;
    expect(j.trim!.total_ios).toBe(256);
    expect(j.write!.total_ios).toBe(256);
    expect(j.trim!.io_bytes).toBe(1024 ** 2);
    expect(j.trim!.clat_ns.N).toBe(256);
    expect(j.read!.total_ios).toBe(0);
    expect((j['job options'] as unknown as Record<string, string>).rw).toBe('trimwrite');
  });

  it("the normal text names a trim job's mode and prints its trim line", async () => {
    const { stdout } = await anvilRun('[t]\nrw=randtrim\nruntime=1ms\ntime_based\n', {
      profileYaml: 'kind: null\nlatency: 10us\ncapacity: 1G\n',
      outputFormat: 'normal',
    });
    expect(stdout).toContain('t: (g=0): rw=randtrim,');
    expect(stdout).toMatch(/^ {2}trim: IOPS=100k, BW=\S+ \(\S+\)\(400KiB\/1msec\)$/m);
    expect(stdout).toMatch(/^ {5}issued rwts: total=0,0,100,0 /m);
  });
});
