/** The per-I/O log behind fio's unaveraged latency logs: entries as pushed, across chunks, and a cap that counts what it drops. */
import { describe, expect, it } from 'vitest';
import { IoLog, type IoLogEntry } from '../../sim/measure/io-log.js';

describe('IoLog', () => {
  it('gives back every entry as pushed, across its chunks', () => {
    const log = new IoLog();
    for (let i = 0; i < 70_000; i++) log.push(i * 10, i % 2, i, 2 * i, 4096);
    const e: IoLogEntry = { time_ns: 0, direction: 0, slat_ns: 0, clat_ns: 0, bytes: 0 };
    expect(log.count).toBe(70_000);
    for (const i of [0, 65_535, 65_536, 69_999]) {
      expect(log.entry(i, e)).toEqual({ time_ns: i * 10, direction: i % 2, slat_ns: i, clat_ns: 2 * i, bytes: 4096 });
    }
  });

  it('keeps at most its cap and counts the rest as dropped', () => {
    const log = new IoLog(3);
    for (let i = 0; i < 5; i++) log.push(i, 0, 0, i, 512);
    expect([log.count, log.dropped]).toEqual([3, 2]);
    expect(log.entry(2, { time_ns: 0, direction: 0, slat_ns: 0, clat_ns: 0, bytes: 0 }).clat_ns).toBe(2);
  });
});
