/**
 * The context of one change (one store transaction): the `Context` plus what the services share while
 * the change runs, the namespace quotas counted so far and the scheduler's view. Every service
 * (node-service.ts, network-service.ts, pod-service.ts, volume-service.ts, ...) takes one.
 */
import type { ClusterState } from './cluster-state.js';
import type { Clock } from './clock.js';
import { Context } from './context.js';
import { QuotaLedger } from './quota-service.js';
import { SchedulingSession } from './scheduling-session.js';
import type { Actor } from './tenancy.js';

export class ChangeContext extends Context {
  /** Namespace quotas, checked by every create and grow of this change. */
  readonly quota: QuotaLedger;
  private session: SchedulingSession | undefined;

  constructor(state: ClusterState, actor: Actor, clock: Clock) {
    super(state, actor, clock);
    this.quota = new QuotaLedger(this);
  }

  /** The scheduler's view, built once per change from the state. */
  scheduling(): SchedulingSession {
    return (this.session ??= new SchedulingSession(this));
  }

  /**
   * Uses a view already built from this change's state (the extender keeps one between calls) instead of
   * building one: it must be current, and this change then changes it along with the state.
   */
  useScheduling(session: SchedulingSession): void {
    session.serve(this);
    this.session = session;
  }

  /** The scheduler's view this change holds now, if it built or was handed one (and has not forgotten it). */
  heldScheduling(): SchedulingSession | undefined {
    return this.session;
  }

  /** Forget the scheduler's view: nodes changed in a way it does not track. */
  resetScheduling(): void {
    this.session = undefined;
  }
}
