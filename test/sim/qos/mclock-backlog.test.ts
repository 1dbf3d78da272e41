/**
 * mClock keeps a backlog of the clients with requests waiting, so that a dispatch looks at those clients
 * only (per-I/O work does not grow with the idle clients a drive has). The order the backlog holds them in
 * must not change a choice: between equal tags the lowest client index goes first, as a scan over every
 * client in index order chose, so the same seed gives the same run whatever the order clients arrived in.
 */
import { describe, expect, it } from 'vitest';
import { Simulator } from '../../../sim/core/kernel.js';
import { OP_READ, RequestPool, type Station } from '../../../sim/io/requests.js';
import { LINEAR_4K } from '../../../sim/qos/io-cost.js';
import { MClockScheduler, type MClockClient } from '../../../sim/qos/mclock.js';

/** A scheduler of depth 1 before a device that holds what it gets until `finish`; returns who was dispatched, in order. */
function harness(clients: readonly MClockClient[]) {
  const sim = new Simulator();
  const requests = new RequestPool();
  const scheduler = new MClockScheduler(sim, requests, clients, LINEAR_4K, 1);
  const dispatched: number[] = [];
  const held: number[] = [];
  const clientOf = new Map<number, number>();
  const device: Station = {
    accept(req) {
      dispatched.push(clientOf.get(req)!);
      held.push(req);
    },
  };
  const source: Station = { accept() {} };
  const sink: Station = { accept: (req) => requests.release(req) };
  const flows = scheduler.ports.map((port) => requests.addRoute([source, port, device, scheduler.completion, sink]));
  return {
    dispatched,
    submit(client: number) {
      const req = requests.alloc(flows[client]!, OP_READ, 0, 4096, sim.now);
      clientOf.set(req, client);
      requests.forward(req);
    },
    /** The device completes its oldest request. */
    finish() {
      scheduler.completion.accept(held.shift()!);
    },
  };
}

describe('mClock backlog', () => {
  it('gives equal tags to the lowest client index, whatever order the clients joined the backlog in', () => {
    const equal = { reservation_iops: 0, limit_iops: Infinity, weight: 1 };
    const h = harness([equal, equal, equal, equal]);
    h.submit(3); // dispatched at once: the device is free
    // Clients 2, 1 and 0 arrive from idle in that order; each starts at the least P tag waiting: all equal.
    h.submit(2);
    h.submit(1);
    h.submit(0);
    for (let i = 0; i < 3; i++) h.finish();
    expect(h.dispatched).toEqual([3, 0, 1, 2]);
  });

  it('serves a client that left the backlog and came back, and none twice', () => {
    const equal = { reservation_iops: 0, limit_iops: Infinity, weight: 1 };
    const h = harness(Array.from({ length: 8 }, () => equal));
    for (const c of [5, 7, 1]) h.submit(c);
    h.finish(); // 5 done, 7 or 1 next
    h.submit(5); // 5 is back in the backlog
    while (h.dispatched.length < 4) h.finish();
    expect([...h.dispatched].sort()).toEqual([1, 5, 5, 7]);
    expect(h.dispatched[0]).toBe(5);
  });
});
