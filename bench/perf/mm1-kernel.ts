/**
 * M/M/1 at utilisation 0.9 on the kernel's public API, the path device models take: an arrival source
 * and one single-server FIFO station, both event targets, customers as integer ids, the waiting line a
 * ring of ids. Two events per customer (arrival, departure), two exponential draws, nothing allocated
 * per event. `bench/perf/mm1-baseline.cpp` does the same work in C++ for the ratio.
 */
import { Exponential } from '../../sim/core/distributions.js';
import type { EventHandler } from '../../sim/core/kernel.js';
import { Simulator } from '../../sim/core/kernel.js';
import { RandomStream } from '../../sim/core/random.js';
import { RequestFifo } from '../../sim/resources/request-fifo.js';

/** Mean service time, ns (mu = 1/1000 per ns). */
export const MM1_SERVICE_MEAN_NS = 1000;
/** Utilisation lambda/mu. */
export const MM1_RHO = 0.9;
/** Mean inter-arrival time, ns. */
export const MM1_INTERARRIVAL_MEAN_NS = MM1_SERVICE_MEAN_NS / MM1_RHO;
/** Mean sojourn (wait + service) from queueing theory, 1/(mu - lambda), ns: 10,000 ns at these settings. */
export const MM1_THEORETICAL_SOJOURN_NS = 1 / (1 / MM1_SERVICE_MEAN_NS - 1 / MM1_INTERARRIVAL_MEAN_NS);

/** Customers in the system: arrival times in a typed array, ids recycled through a free stack. */
class CustomerPool {
  arrival_ns = new Float64Array(1024);
  private free = new Int32Array(1024);
  private freeCount = 0;
  private issued = 0;

  acquire(now_ns: number): number {
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount]!;
    else {
      if (this.issued === this.arrival_ns.length) this.grow();
      id = this.issued++;
    }
    this.arrival_ns[id] = now_ns;
    return id;
  }

  release(id: number): void {
    this.free[this.freeCount++] = id;
  }

  private grow(): void {
    const arrival = new Float64Array(this.arrival_ns.length * 2);
    arrival.set(this.arrival_ns);
    this.arrival_ns = arrival;
    const free = new Int32Array(arrival.length);
    free.set(this.free.subarray(0, this.freeCount));
    this.free = free;
  }
}

/** One server, one FIFO line; a departure is an event whose arg is the customer id. */
class Mm1Station implements EventHandler {
  completed = 0;
  sojournSum_ns = 0;
  private busy = false;
  private readonly waiting = new RequestFifo();

  constructor(
    private readonly sim: Simulator,
    private readonly service: Exponential,
    private readonly customers: CustomerPool,
  ) {}

  accept(id: number): void {
    if (this.busy) this.waiting.push(id);
    else this.start(id);
  }

  fire(id: number): void {
    this.sojournSum_ns += this.sim.now - this.customers.arrival_ns[id]!;
    this.completed++;
    this.customers.release(id);
    const next = this.waiting.shift();
    if (next >= 0) this.start(next);
    else this.busy = false;
  }

  private start(id: number): void {
    this.busy = true;
    this.sim.postAfter(this.service.sample(), this, id);
  }
}

/** Poisson arrivals: each firing creates a customer and schedules the next arrival, `limit` in all. */
class Mm1Source implements EventHandler {
  private created = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly interarrival: Exponential,
    private readonly customers: CustomerPool,
    private readonly station: Mm1Station,
    private readonly limit: number,
  ) {}

  fire(_arg: number): void {
    this.station.accept(this.customers.acquire(this.sim.now));
    if (++this.created < this.limit) this.sim.postAfter(this.interarrival.sample(), this, 0);
  }
}

export interface Mm1Outcome {
  customers: number;
  meanSojourn_ns: number;
  events: number;
  simulated_ns: number;
}

/** Builds the model on a fresh Simulator and runs it to the last departure. No clock reads: tests may call it. */
export function simulateMm1Kernel(customers: number, seed: number): Mm1Outcome {
  if (!(Number.isInteger(customers) && customers > 0)) throw new RangeError(`mm1: customers must be a positive integer, got ${customers}`);
  const sim = new Simulator();
  const pool = new CustomerPool();
  const service = new Exponential(MM1_SERVICE_MEAN_NS, new RandomStream(seed, 'mm1/service'));
  const interarrival = new Exponential(MM1_INTERARRIVAL_MEAN_NS, new RandomStream(seed, 'mm1/arrivals'));
  const station = new Mm1Station(sim, service, pool);
  const source = new Mm1Source(sim, interarrival, pool, station, customers);
  sim.schedule(0, source, 0);
  const events = sim.run();
  return {
    customers: station.completed,
    meanSojourn_ns: station.sojournSum_ns / station.completed,
    events,
    simulated_ns: sim.now,
  };
}

export interface Mm1Throughput {
  customers: number;
  seconds: number;
  customersPerSecond: number;
  meanSojourn_ns: number;
}

/** One timed run, wall clock around model construction and the whole run. */
export function runMm1Kernel(customers: number, seed: number): Mm1Throughput {
  const start = process.hrtime.bigint();
  const outcome = simulateMm1Kernel(customers, seed);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return {
    customers: outcome.customers,
    seconds,
    customersPerSecond: outcome.customers / seconds,
    meanSojourn_ns: outcome.meanSojourn_ns,
  };
}
