/**
 * fio's number layout (lib/num2str.c, stat.c display_lat), against figures fio 3.33 printed on this kind of
 * machine for a psync job (`fio j.fio --output-format=normal`: "IOPS=11.9k", "bs=(R) 4096B-4096B",
 * "64.0KiB-64.0KiB", "IOPS=80.0k", "(5244MB/s)", "clat (usec): min=37, max=6673").
 */
import { describe, expect, it } from 'vitest';
import { ctimeUtc, fioNumber, scaleLatency } from '../../bench/results/fio-numbers.js';

describe("fio's numbers", () => {
  it('cuts counts, sizes and rates to four digits with a unit prefix, as num2str', () => {
    expect(fioNumber(11_865, 4, false, 'none')).toBe('11.9k');
    expect(fioNumber(80_000, 4, false, 'none')).toBe('80.0k');
    expect(fioNumber(8683, 4, false, 'none')).toBe('8683');
    expect(fioNumber(4096, 4, true, 'bytes')).toBe('4096B');
    expect(fioNumber(65_536, 4, true, 'bytes')).toBe('64.0KiB');
    expect(fioNumber(5_244_000_000, 4, false, 'bytes/s')).toBe('5244MB/s');
    expect(fioNumber(48_604_000, 4, true, 'bytes/s')).toBe('46.4MiB/s');
    expect(fioNumber(48_604_000, 4, false, 'bytes/s')).toBe('48.6MB/s');
    // num2str's own carry: 99,999 shows as 99.0k (its "carry rounding error"), not 100k.
    expect(fioNumber(99_999, 4, false, 'none')).toBe('99.0k');
    expect(fioNumber(0, 4, true, 'bytes')).toBe('0B');
  });

  it('shows a latency in the unit fio picks from its range', () => {
    expect(scaleLatency(37_000, 6_673_000, 82_910, 251_240)).toEqual({ unit: 'usec', min: 37, max: 6673, mean: 82.91, dev: 251.24 });
    // A narrow spread stays in ns even at 100 us (fio needs a deviation over 1 us to scale).
    expect(scaleLatency(98_538, 116_740, 98_538.58, 90.34).unit).toBe('nsec');
    expect(scaleLatency(3_000_000, 150_000_000, 9e6, 2e6).unit).toBe('msec');
  });

  it('writes times as ctime(3) does, in UTC', () => {
    expect(ctimeUtc(0)).toBe('Thu Jan  1 00:00:00 1970');
    expect(ctimeUtc(1_796_298_353)).toBe('Thu Dec  3 11:45:53 2026');
  });
});
