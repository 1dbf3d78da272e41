/**
 * `forward` calls the `accept` each station had when its route was added (requests.ts keeps them beside
 * the stations, so a hop is no megamorphic property load): each call still reaches its own station, with
 * that station as `this`, across many classes of station and object literals alike, in route order.
 */
import { describe, expect, it } from 'vitest';
import { RequestPool, OP_READ, type Station } from '../../sim/io/requests.js';

describe('RequestPool.forward', () => {
  it("hands each request to the next station's own accept, with the station as this", () => {
    const pool = new RequestPool(4);
    const seen: string[] = [];
    class Hop implements Station {
      constructor(readonly name: string) {}
      accept(req: number): void {
        seen.push(`${this.name}:${req}`);
        pool.forward(req);
      }
    }
    // Six classes of hop, as a run's stations are: the call site sees them all.
    const kinds = Array.from(
      { length: 6 },
      (_, k) =>
        class extends Hop {
          override accept(req: number): void {
            seen.push(`k${k}`);
            super.accept(req);
          }
        },
    );
    const sink: Station = { accept: (req) => seen.push(`sink:${req}`) };
    const head: Station = { accept: () => undefined };
    const routes = [0, 1].map((r) => pool.addRoute([head, ...kinds.map((Kind, k) => new Kind(`r${r}h${(k + r) % 6}`)), sink]));
    const a = pool.alloc(routes[0]!, OP_READ, 0, 4096, 0);
    const b = pool.alloc(routes[1]!, OP_READ, 0, 4096, 0);
    pool.forward(a);
    pool.forward(b);
    const hops = (r: number, req: number) => [
      ...Array.from({ length: 6 }, (_, k) => [`k${k}`, `r${r}h${(k + r) % 6}:${req}`]).flat(),
      `sink:${req}`,
    ];
    expect(seen).toEqual([...hops(0, a), ...hops(1, b)]);
  });
});
