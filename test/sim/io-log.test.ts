/** The per-I/O log behind fio's unaveraged latency logs: entries as pushed, across chunks, and a run-wide budget that counts what it drops. */
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

  it("keeps at most the run's budget, shared between logs, and counts the rest as dropped", () => {
    const budget = { left: 5 };
    const a = new IoLog(budget);
    const b = new IoLog(budget);
    for (let i = 0; i < 3; i++) a.push(i, 0, 0, i, 512);
    for (let i = 0; i < 4; i++) b.push(i, 1, 0, i, 512);
    a.push(9, 0, 0, 9, 512);
    expect([a.count, a.dropped, b.count, b.dropped, budget.left]).toEqual([3, 1, 2, 2, 0]);
    expect(b.entry(1, { time_ns: 0, direction: 0, slat_ns: 0, clat_ns: 0, bytes: 0 }).clat_ns).toBe(1);
  });
});
