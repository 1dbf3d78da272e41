/** The sweep file (issue 21): its schema's errors name file, line and field; axes, ranges, modes and seeds give points in one order. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSweep } from '../../../bench/sweep/plan.js';
import { pointInputs, setJobOption, setProfileParameter } from '../../../bench/sweep/point-inputs.js';
import { caughtAnvilError as caught } from '../../caught.js';
import { writeFiles } from '../../cli-harness.js';

const JOB = '[global]\nrw=randread\nbs=4k\niodepth=8\n[a]\n[b]\niodepth=2\nruntime=10ms\n';

function sweep(yaml: string) {
  const dir = writeFiles({ 'base.fio': JOB });
  return parseSweep(yaml, join(dir, 'sweep.yaml'));
}

describe('sweep file', () => {
  it('names the file, line and field of each schema problem and what is allowed', () => {
    const e = caught(() => sweep('kind: Sweep\nbase: base.fio\nmode: diagonal\naxes:\n  - option: iodepth\n    valuez: [1]\n'));
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    const details = e.details.join('\n');
    expect(details).toMatch(/sweep\.yaml:3: \/mode: "diagonal" is not allowed, allowed: cartesian\|zip/);
    expect(details).toMatch(/sweep\.yaml:6: \/axes\/0\/valuez: not a known field, allowed: option\|profile\|field\|name\|values\|range/);
  });

  it('refuses an axis without exactly one target and an option the model does not take', () => {
    const e = caught(() => sweep('kind: Sweep\nbase: base.fio\naxes:\n  - values: [1]\n  - option: latency_target\n    values: [5ms]\n'));
    expect(e.details.join('\n')).toMatch(/sweep\.yaml:4: \/axes\/0: give exactly one of option .*, profile .* or field/);
    expect(e.details.join('\n')).toMatch(
      /sweep\.yaml:5: \/axes\/1\/option: option 'latency_target' is not supported by the model: .*give iodepth instead/,
    );
  });

  it('orders cartesian points with the first axis outermost and seeds innermost; zip pairs the i-th values', () => {
    const plan = sweep(
      'kind: Sweep\nbase: base.fio\nseeds: { from: 1, to: 2 }\naxes:\n  - option: iodepth\n    range: { from: 1, to: 16, factor: 4 }\n  - option: bs\n    values: [4k, 8k]\n',
    );
    expect(plan.points.map((p) => [...p.values, p.seed].join(' '))).toEqual([
      '1 4k 1',
      '1 4k 2',
      '1 8k 1',
      '1 8k 2',
      '4 4k 1',
      '4 4k 2',
      '4 8k 1',
      '4 8k 2',
      '16 4k 1',
      '16 4k 2',
      '16 8k 1',
      '16 8k 2',
    ]);
    expect(plan.points.map((p) => p.id).slice(0, 2)).toEqual(['p00000', 'p00001']);
    const zipped = sweep(
      'kind: Sweep\nbase: base.fio\nmode: zip\naxes:\n  - option: iodepth\n    values: [1, 2]\n  - option: bs\n    values: [4k, 8k]\n',
    );
    expect(zipped.points.map((p) => p.values.join(' '))).toEqual(['1 4k', '2 8k']);
    const odd = caught(() =>
      sweep('kind: Sweep\nbase: base.fio\nmode: zip\naxes:\n  - option: iodepth\n    values: [1, 2]\n  - option: bs\n    values: [4k]\n'),
    );
    expect(odd.message).toMatch(/zipped axes have one length: iodepth has 2, bs has 1/);
  });

  it('refuses more points than max_points, saying how many there would be', () => {
    const e = caught(() =>
      sweep('kind: Sweep\nbase: base.fio\nmax_points: 5\nseeds: [1, 2]\naxes:\n  - option: iodepth\n    values: [1, 2, 3]\n'),
    );
    expect(e.code).toBe('ANVIL_ERR_SWEEP');
    expect(e.message).toMatch(/6 points \(3 combinations x 2 seeds\) is more than max_points \(5\)/);
  });
});

describe("a point's inputs", () => {
  it('set the option in every job, dropping every line that set it before', () => {
    const text = setJobOption(JOB, 'iodepth', 32);
    expect(text.match(/iodepth=\d+/g)).toEqual(['iodepth=32', 'iodepth=32']);
    expect(text).toMatch(/\[a\]\niodepth=32\n\[b\]\niodepth=32\nruntime=10ms/);
  });

  it('set a profile parameter, nested ones by their dotted path, and change the digest', () => {
    expect(setProfileParameter('kind: null\nlatency: 10us # note\n', ['latency'], '20us')).toBe('kind: null\nlatency: 20us # note\n');
    expect(setProfileParameter('kind: x\na:\n  b: 1\n', ['a', 'b'], 2)).toBe('kind: x\na:\n  b: 2\n');
    const plan = sweep('kind: Sweep\nbase: base.fio\naxes:\n  - option: iodepth\n    values: [1, 2]\n');
    const [one, two] = plan.points.map((p) => pointInputs(plan, p, '0.1.0'));
    expect(one!.digest).not.toBe(two!.digest);
    expect(pointInputs(plan, plan.points[0]!, '0.2.0').digest).not.toBe(one!.digest);
  });
});

describe('a point that cannot be built', () => {
  it('fails alone with a coded error naming the parameter, recorded in failed/', async () => {
    const { runPoint } = await import('../../../bench/sweep/run-point.js');
    const { readFileSync } = await import('node:fs');
    const plan = sweep('kind: Sweep\nbase: base.fio\naxes:\n  - profile: capacity.x\n    values: [1]\n');
    const out = writeFiles({});
    const outcome = await runPoint(plan, 0, out);
    expect(outcome).toMatchObject({ status: 'failed', id: 'p00000' });
    expect(outcome.error).toMatch(/^ANVIL_ERR_SWEEP: profile parameter capacity\.x cannot be set: .*name a parameter of the profile/);
    const record = JSON.parse(readFileSync(join(out, 'failed', 'p00000.json'), 'utf8')) as { axes: unknown };
    expect(record.axes).toEqual([['profile.capacity.x', 1]]);
  });
});
