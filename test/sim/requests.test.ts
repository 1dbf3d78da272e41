import { describe, expect, it } from 'vitest';
import { OP_READ, OP_WRITE, RequestPool, type Station } from '../../sim/io/requests.js';

/** A station that logs what it sees and forwards unless it is a sink. */
function station(name: string, log: string[], pool: () => RequestPool, sink = false): Station {
  return {
    accept(req) {
      log.push(`${name}:${req}`);
      if (sink) pool().release(req);
      else pool().forward(req);
    },
  };
}

describe('RequestPool', () => {
  it('takes each request along its own route, whatever the routes registered before it', () => {
    const log: string[] = [];
    const pool = new RequestPool(1); // small, so it must grow
    const get = () => pool;
    const head = station('head', log, get);
    const a = pool.addRoute([head, station('a1', log, get), station('a2', log, get), station('aSink', log, get, true)]);
    const b = pool.addRoute([head, station('bSink', log, get, true)]);
    const c = pool.addRoute([head, station('c1', log, get), station('cSink', log, get, true)]);
    const rc = pool.alloc(c, OP_READ, 0, 4096, 0);
    const ra = pool.alloc(a, OP_WRITE, 4096, 4096, 0);
    const rb = pool.alloc(b, OP_READ, 8192, 512, 0);
    expect(pool.inUse).toBe(3);
    pool.forward(rb);
    pool.forward(ra);
    pool.forward(rc);
    expect(log).toEqual([`bSink:${rb}`, `a1:${ra}`, `a2:${ra}`, `aSink:${ra}`, `c1:${rc}`, `cSink:${rc}`]);
    expect(pool.inUse).toBe(0);
    expect([pool.flow[ra], pool.op[ra], pool.offset_bytes[ra], pool.size_bytes[rb]]).toEqual([a, OP_WRITE, 4096, 512]);
  });

  it('refuses a route without a station after its head', () => {
    const pool = new RequestPool();
    expect(() => pool.addRoute([{ accept: () => {} }])).toThrow(/at least a head and one station/);
  });
});
