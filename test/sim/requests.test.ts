import { describe, expect, it } from 'vitest';
import { NO_PARENT, OP_READ, OP_WRITE, RequestPool, STATUS_ERROR, STATUS_OK, type Station } from '../../sim/io/requests.js';

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

  it('gives a recycled request fresh parent, class and status columns, apart from the station scratch tag', () => {
    const pool = new RequestPool(1);
    const flow = pool.addRoute([{ accept: () => {} }, { accept: () => {} }]);
    const first = pool.alloc(flow, OP_WRITE, 0, 4096, 0);
    pool.parent[first] = 5;
    pool.pending[first] = 2;
    pool.serviceClass[first] = 3;
    pool.status[first] = STATUS_ERROR;
    pool.release(first);
    const again = pool.alloc(flow, OP_READ, 0, 4096, 1);
    expect(again).toBe(first);
    expect([pool.parent[again], pool.pending[again], pool.serviceClass[again], pool.status[again]]).toEqual([NO_PARENT, 0, 0, STATUS_OK]);
  });

  it('fans a request out to children on other routes and joins them, passing an error up', () => {
    const pool = new RequestPool(2); // small, so the children make it grow
    const head = { accept: () => {} };
    const sink = { accept: () => {} };
    const flow = pool.addRoute([head, sink]);
    const plexA = pool.addRoute([head, sink]);
    const plexB = pool.addRoute([head, sink]);
    const write = pool.alloc(flow, OP_WRITE, 8192, 4096, 10);
    pool.serviceClass[write] = 2;
    const a = pool.allocChild(write, plexA, 8192, 4096, 20);
    const b = pool.allocChild(write, plexB, 8192, 4096, 20);
    expect([pool.parent[a], pool.parent[b], pool.pending[write]]).toEqual([write, write, 2]);
    expect([pool.op[b], pool.serviceClass[b], pool.arrival_ns[b], pool.flow[b]]).toEqual([OP_WRITE, 2, 10, plexB]);
    pool.status[b] = STATUS_ERROR;
    expect(pool.childDone(a)).toBe(1);
    expect(pool.status[write]).toBe(STATUS_OK);
    expect(pool.childDone(b)).toBe(0);
    expect(pool.status[write]).toBe(STATUS_ERROR);
    expect(pool.inUse).toBe(1);
  });

  it('refuses a new request on a retired flow and keeps the route of those in flight', () => {
    const log: string[] = [];
    const pool = new RequestPool();
    const get = () => pool;
    const head = station('head', log, get);
    const holding: Station = { accept: (req) => log.push(`old:${req}`) }; // keeps the request until told
    const old = pool.addRoute([head, holding, station('sink', log, get, true)]);
    const inFlight = pool.alloc(old, OP_READ, 0, 512, 0);
    pool.forward(inFlight);
    pool.retireRoute(old);
    pool.addRoute([head, station('new', log, get), station('sink2', log, get, true)]);
    pool.forward(inFlight); // the held request goes on along its old route
    expect(log).toEqual([`old:${inFlight}`, `sink:${inFlight}`]);
    expect(() => pool.alloc(old, OP_READ, 0, 512, 0)).toThrow(/flow 0 was retired/);
    expect(() => pool.alloc(7, OP_READ, 0, 512, 0)).toThrow(/no flow 7/);
    expect(pool.route(old)).toHaveLength(3);
  });
});
