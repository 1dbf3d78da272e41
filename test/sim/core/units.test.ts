import { describe, expect, it } from 'vitest';
import {
  formatBitRate,
  formatByteRate,
  formatDuration,
  formatRate,
  parseBitRate,
  parseByteRate,
  parseDuration,
  parseSize,
} from '../../../sim/core/units.js';

describe('units', () => {
  it('reads sizes as fio does, including the kb_base quirk', () => {
    expect(parseSize('4k')).toBe(4096);
    expect(parseSize('4K')).toBe(4096);
    expect(parseSize('4KB')).toBe(4096);
    expect(parseSize('4KiB')).toBe(4000);
    expect(parseSize('4k', 1000)).toBe(4000);
    expect(parseSize('4KiB', 1000)).toBe(4096);
    expect(parseSize('128k')).toBe(131072);
    expect(parseSize('1m')).toBe(1048576);
    expect(parseSize('2G')).toBe(2 * 2 ** 30);
    expect(parseSize('512')).toBe(512);
    expect(parseSize('abc')).toBeUndefined();
    expect(parseSize('4x')).toBeUndefined();
  });

  it('reads durations to nanoseconds with a default unit', () => {
    expect(parseDuration('2')).toBe(2e9);
    expect(parseDuration('200ms')).toBe(200e6);
    expect(parseDuration('100us')).toBe(100e3);
    expect(parseDuration('1.5', 'us')).toBe(1500);
    expect(parseDuration('3m')).toBe(180e9);
    expect(parseDuration('10 parsecs')).toBeUndefined();
  });

  it('reads rates', () => {
    expect(parseBitRate('25Gbit')).toBe(25e9);
    expect(parseBitRate('100Mbit/s')).toBe(100e6);
    expect(parseByteRate('3.2GB/s')).toBe(3.2e9);
    expect(parseByteRate('1GiB/s')).toBe(2 ** 30);
  });
});

describe('formatting for people', () => {
  it('moves to the next unit when three digits round up to 1000, never writing 1.00e+3', () => {
    const cases: [string, string][] = [
      [formatDuration(999.4), '999 ns'],
      [formatDuration(999.6), '1.00 us'],
      [formatDuration(999_999), '1.00 ms'],
      [formatDuration(12_345), '12.3 us'],
      [formatDuration(999_600_000), '1.00 s'],
      [formatDuration(1_234_000_000_000), '1234 s'],
      [formatRate(999_999), '1.00M'],
      [formatRate(645_000), '645k'],
      [formatRate(999.7), '1.00k'],
      [formatRate(12), '12.0'],
      [formatBitRate(999_999_999), '1.00 Gbit/s'],
      [formatBitRate(250e6), '250 Mbit/s'],
      [formatBitRate(4e12), '4000 Gbit/s'],
      [formatByteRate(1010), '1010 B/s'],
      [formatByteRate(1023.9 * 1024), '1024 KiB/s'],
      [formatByteRate(3.2 * 1024 ** 3), '3.20 GiB/s'],
    ];
    for (const [text, expected] of cases) expect(text).toBe(expected);
    for (const [text] of cases) expect(text).not.toMatch(/e\+/);
  });
});
