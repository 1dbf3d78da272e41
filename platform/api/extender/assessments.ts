/**
 * The extender's memory between calls: the scheduling view of the state (the node table with every
 * running pod's share, as a change builds it) kept while the state is unchanged, and each recent pod's
 * assessment on it, so that kube-scheduler's filter then prioritize of one pod read the pod and build the
 * view once. A change made through the extender (bind) hands over the view it placed the pod with, which
 * is the new state's: the next pod's filter builds nothing. A change of this process that touches nothing
 * the view is made of (`ClusterState.schedulingVersion`: a volume created, a tenant added) keeps it; any
 * other change, here or in another process, makes the next call build it afresh (`Store.changesCommitted`
 * and the state object name the state).
 */
import type { ClusterState } from '../../domain/cluster-state.js';
import type { SchedulingSession } from '../../domain/scheduling-session.js';
import type { Store } from '../../state/store.js';
import { PodAssessment, readOnlySession, type VerdictArrays } from './assess.js';

/** Pods whose assessments are kept (kube-scheduler asks about one pod at a time: a few suffice). */
const KEPT_ASSESSMENTS = 8;

interface View {
  readonly state: ClusterState;
  readonly generation: number;
  /** The state's `schedulingVersion` the view is current for. */
  readonly schedulingVersion: number;
  readonly session: SchedulingSession;
}

export class ExtenderAssessments {
  private view: View | undefined;
  /** By the pod's JSON text, for the view `view`; cleared when the view is replaced. */
  private readonly kept = new Map<string, PodAssessment>();
  /** An evicted assessment's verdict arrays, for the next pod's (assess.ts: VerdictArrays says why). */
  private spare: VerdictArrays | undefined;

  /** `onViewBuilt`: told each time a view is built from the state (the anvil_extender_views_built_total metric). */
  constructor(
    private readonly store: Store,
    private readonly onViewBuilt: () => void = () => undefined,
  ) {}

  /**
   * Runs `use` on the pod's assessment against the state now, inside one read of the store; throws the
   * coded error of a pod Anvil cannot read. `text`: the pod's JSON text (JSON.stringify of it), which
   * names its assessment.
   */
  with<T>(k8sPod: unknown, text: string, use: (assessment: PodAssessment) => T): T {
    return this.store.read((state) => {
      const view = this.viewOf(state);
      let assessment = this.kept.get(text);
      if (assessment === undefined) {
        const spare = this.spare;
        this.spare = undefined;
        assessment = new PodAssessment(view.session, state, k8sPod, spare);
        this.kept.set(text, assessment);
        if (this.kept.size > KEPT_ASSESSMENTS) {
          const [oldest, evicted] = this.kept.entries().next().value!;
          this.kept.delete(oldest);
          // Nothing else holds an assessment: `use` runs and returns within this call.
          this.spare = evicted.release();
        }
      }
      return use(assessment);
    });
  }

  /**
   * The view of `state` for a change of it (a bind, inside its transaction): the one kept when current,
   * else one built now. The change will change it, so it is no longer kept (nor the assessments made on
   * it) until the change hands it back (`adopt`); if the change fails, the next call builds one afresh.
   */
  sessionFor(state: ClusterState): SchedulingSession {
    const view = this.viewOf(state);
    this.view = undefined;
    this.forgetAssessments();
    return view.session;
  }

  /**
   * Right after a change of this store that ran its scheduling through `session` on `state` (its control
   * plane's): keeps that view, the state's now, unless the state has since been read afresh.
   */
  adopt(state: ClusterState, session: SchedulingSession): void {
    this.store.read((now) => {
      if (now === state)
        this.replace({ state, generation: this.store.changesCommitted(), schedulingVersion: state.schedulingVersion, session });
    });
  }

  private viewOf(state: ClusterState): View {
    const generation = this.store.changesCommitted();
    const view = this.view;
    if (view !== undefined && view.state === state) {
      if (view.generation === generation) return view;
      // Changes of this connection since touched nothing the view is made of (a volume created, a tenant):
      // the view holds; the pods' assessments, which read the volumes they name, are made again.
      if (view.schedulingVersion === state.schedulingVersion) {
        const kept = { ...view, generation };
        this.replace(kept);
        return kept;
      }
    }
    const fresh = { state, generation, schedulingVersion: state.schedulingVersion, session: readOnlySession(state) };
    this.onViewBuilt();
    this.replace(fresh);
    return fresh;
  }

  private replace(view: View): void {
    this.view = view;
    this.forgetAssessments();
  }

  private forgetAssessments(): void {
    // Any one kept assessment's arrays do for the next pod (all are of this view's table).
    const first = this.kept.values().next();
    if (first.done !== true) this.spare = first.value.release();
    this.kept.clear();
  }
}
