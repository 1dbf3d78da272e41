/**
 * The Anvil scheduler's verdict on a Kubernetes Pod for candidate nodes, matched to Anvil nodes by name:
 * the same filters and scores as `anvil apply` (SchedulingSession + Scheduler), read-only. The work that
 * depends on the pod only (reading it, its demand) is done once per pod (`PodAssessment`); each
 * candidate then costs a name lookup and the scheduler's typed-array check, memoised per node.
 */
import { AnvilError } from '../../errors.js';
import { ControlPlane } from '../../domain/control-plane.js';
import type { ClusterState } from '../../domain/cluster-state.js';
import type { Pod, VolumeReservation } from '../../domain/pod.js';
import { checkPodReferences, type SchedulingSession } from '../../domain/scheduling-session.js';
import type { Actor } from '../../domain/tenancy.js';
import { keyOf, unusableReason } from '../../domain/volume.js';
import type { PodDemand } from '../../scheduler/demand.js';
import type { NodeTable } from '../../scheduler/node-table.js';
import { planApply, podInput } from '../../manifests/apply.js';

/** The extender acts as this user: it may place pods in any namespace and read what placement needs. */
export const KUBE_SCHEDULER: Actor = {
  user: 'kube-scheduler',
  roles: ['container-edit', 'volume-view', 'network-view', 'perftier-view', 'node-view'],
};

/** The Anvil pod a Kubernetes Pod object stands for (requests, perf-tier annotations, claims, selectors). */
export function anvilPodInput(cp: ControlPlane, k8sPod: unknown): Parameters<ControlPlane['createPod']>[0] {
  const doc = { apiVersion: 'v1', kind: 'Pod', ...(k8sPod as object) };
  const namespace = (k8sPod as { metadata?: { namespace?: string } }).metadata?.namespace || 'default';
  // Already JSON-parsed and validated: read as a manifest document as is (no YAML text round trip); a field's
  // place is the Pod's, every problem names its field path after it.
  const plan = planApply([{ where: 'ExtenderArgs.Pod', body: doc, whereField: () => 'ExtenderArgs.Pod' }], namespace, false);
  const draft = plan.workloads[0]?.pods[0];
  if (!draft) throw new AnvilError('ANVIL_ERR_MANIFEST', 'ExtenderArgs.Pod is not a Pod Anvil can read');
  return podInput(cp, draft);
}

/** A read-only scheduling view of `state` for the extender (built from the state, as a change builds its own). */
export function readOnlySession(state: ClusterState): SchedulingSession {
  return new ControlPlane(state, KUBE_SCHEDULER, () => new Date(0)).scheduling();
}

/**
 * A pod's per-node verdicts: one byte and one score per table index. Large typed arrays live outside V8's
 * heap; an assessment kept a few calls outlives young-generation collections, so fresh arrays per pod
 * (45 KB at 5,000 nodes) piled up as external memory only full mark-compacts free (one every ~150 ms,
 * 20-40 ms each, under kube-scheduler's pace): the extender hands an evicted assessment's arrays to the next.
 */
export interface VerdictArrays {
  readonly memo: Uint8Array;
  readonly scores: Float64Array;
}

/** Memo states per table index. */
const UNSEEN = 0;
const FITS = 1;
const FAILS = 2;

/**
 * One pod against one scheduling view: what depends on the pod alone worked out once (its reading, its
 * demand, an unusable volume), each node's verdict worked out when first asked and kept, so filter and
 * prioritize of the same pod on the same state share it. Throws a coded error for a pod Anvil cannot read.
 */
export class PodAssessment {
  private readonly pod: Pod;
  private readonly demand: PodDemand;
  private readonly perVolume: VolumeReservation[];
  /** A volume with no in-sync copy on a live node fails the pod on every node, as it keeps an Anvil pod pending. */
  private readonly unusable: string | undefined;
  /** Per table index: UNSEEN, FITS or FAILS; the score (raw) of a node that fits, the reason of one that fails. */
  private readonly memo: Uint8Array;
  private readonly scores: Float64Array;
  /** Only the failing nodes' (a Map: a 5,000-slot array per pod would be young-generation garbage each GC copies). */
  private readonly reasons = new Map<number, string>();

  /**
   * `session`: a scheduling view of `state` (readOnlySession), used read-only. `spare`: arrays an assessment
   * no one uses any more gave back (`release`), reused when their length is the table's.
   */
  constructor(
    private readonly session: SchedulingSession,
    state: ClusterState,
    k8sPod: unknown,
    spare?: VerdictArrays,
  ) {
    const cp = new ControlPlane(state, KUBE_SCHEDULER, () => new Date(0));
    const input = anvilPodInput(cp, k8sPod);
    this.pod = {
      kind: 'Pod',
      ...input,
      status: { state: 'pending', failure: { summary: 'assessing', nodes: [] } },
      created_at: '',
      seq: 0,
    };
    checkPodReferences(cp.ctx, this.pod);
    this.demand = session.demandOf(this.pod);
    this.perVolume = session.volumeReservationsOf(this.pod);
    this.unusable = this.pod.volumes
      .map((v) => state.volumes.get(keyOf(this.pod.namespace, v)))
      .map((v) => (v ? unusableReason(v) : undefined))
      .find((r) => r !== undefined);
    const n = session.table.count;
    if (spare !== undefined && spare.memo.length === n && spare.scores.length === n) {
      // Scores are read only where the memo says FITS, so only the memo starts over.
      this.memo = spare.memo.fill(UNSEEN);
      this.scores = spare.scores;
    } else {
      this.memo = new Uint8Array(n);
      this.scores = new Float64Array(n);
    }
  }

  /** Its arrays, for another pod's assessment; this one must not be used after. */
  release(): VerdictArrays {
    return { memo: this.memo, scores: this.scores };
  }

  /** The node table of its view: the same object for every pod assessed on one view. */
  get table(): NodeTable {
    return this.session.table;
  }

  /** The table index of an Anvil node, or undefined for a name Anvil does not know. */
  indexOf(name: string): number | undefined {
    return this.session.table.indexOf(name);
  }

  /** Whether node `i` (a table index) takes the pod; worked out once. */
  fits(i: number): boolean {
    if (this.memo[i] === UNSEEN) this.work(i);
    return this.memo[i] === FITS;
  }

  /** The raw score of node `i`, which fits. */
  score(i: number): number {
    return this.scores[i]!;
  }

  /** Why node `i`, which does not fit, does not. */
  reason(i: number): string {
    return this.reasons.get(i)!;
  }

  private work(i: number): void {
    if (this.unusable !== undefined) return this.fail(i, this.unusable);
    const scheduler = this.session.scheduler;
    const score = scheduler.fitScore(i, this.demand);
    if (Number.isNaN(score)) return this.fail(i, scheduler.whyNot(i, this.demand));
    // The other nodes holding plexes of its volumes take their writes wherever it goes (storage-admission.ts).
    const plexBlock =
      this.pod.volumes.length > 0 ? this.session.plexBlock(this.pod, this.perVolume, this.session.table.names[i]!) : undefined;
    if (plexBlock !== undefined) return this.fail(i, plexBlock);
    this.memo[i] = FITS;
    this.scores[i] = score;
  }

  private fail(i: number, reason: string): void {
    this.memo[i] = FAILS;
    this.reasons.set(i, reason);
  }
}

/** The reason given for a candidate name that is not an Anvil node. */
export function unknownNodeReason(name: string): string {
  return `no Anvil node is named ${name}; add it with anvil node add ${name}`;
}
