/** What every operation of the control plane works with: the state, who acts, the time, and the events it raises. */
import { AnvilError } from '../errors.js';
import type { Clock } from './clock.js';
import type { ClusterState } from './cluster-state.js';
import type { ClusterEvent, Severity } from './event.js';
import type { RecordedDecision } from '../scheduler/decision-record.js';
import { requireName, requireNamespace } from './names.js';
import { allows, authorize, type Access, type Actor, type RoleClass } from './tenancy.js';
import { keyOf } from './volume.js';

/** A namespaced object about to be created, as `Context.requireNewObject` checks it. */
export interface NewObject {
  /** The role class whose edit right the create needs in the namespace. */
  readonly cls: RoleClass;
  /** How messages name the kind: "pod", "volume", "endpoint". */
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** The objects of that kind, by `namespace/name`. */
  readonly existing: ReadonlyMap<string, unknown>;
  /** Whether the object needs a cluster (an endpoint does not: it needs a network, checked after). */
  readonly needsCluster: boolean;
  /** Appended to "KIND NS/NAME already exists". */
  readonly existsHint?: string;
}

/** The scheduler's decision for a pod it placed in this change: stored with the pod when the change commits. */
export interface PodPlacementDecision {
  readonly namespace: string;
  readonly name: string;
  /** The pod's `seq`: a decision is the pod's, not that of a later pod of the same name. */
  readonly seq: number;
  readonly decision: RecordedDecision;
}

export class Context {
  readonly events: ClusterEvent[] = [];
  /** Placements this change made, with why (a pod placed twice keeps its last). */
  readonly placementDecisions: PodPlacementDecision[] = [];

  constructor(
    readonly state: ClusterState,
    readonly actor: Actor,
    private readonly clock: Clock,
  ) {}

  now(): string {
    return this.clock().toISOString();
  }

  event(severity: Severity, reason: string, object: string, message: string): void {
    this.events.push({ at: this.now(), severity, reason, object, message });
  }

  can(cls: RoleClass, access: Access, namespace?: string): void {
    authorize(this.actor, cls, access, namespace);
  }

  /**
   * How a message names another object: `text` (e.g. "pod nsb/podb") when the actor may view objects of
   * `cls` in `namespace`, else `hidden` (e.g. "another pod"): a tenant learns nothing of other tenants' objects.
   */
  nameIfVisible(cls: RoleClass, namespace: string, text: string, hidden: string): string {
    return allows(this.actor, cls, 'view', namespace) ? text : hidden;
  }

  /** The cluster, or a coded error saying to create one. */
  requireCluster() {
    const c = this.state.cluster;
    if (!c)
      throw new AnvilError('ANVIL_ERR_NO_CLUSTER', 'this state holds no cluster yet; create one with: anvil cluster create NAME --nodes N');
    return c;
  }

  /** The tenant (namespace), or a coded error. */
  requireTenant(namespace: string): void {
    if (!this.state.tenants.has(namespace)) {
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `namespace ${namespace} does not exist; create it with: anvil tenant create ${namespace} (or a Namespace manifest)`,
      );
    }
  }

  /**
   * The checks every create of a namespaced object makes, in this order (so that permission comes before
   * existence): the namespace's name, the right to edit, the cluster, the namespace, the object's name,
   * and that the name is free. Returns the object's key, `namespace/name`.
   */
  requireNewObject(o: NewObject): string {
    requireNamespace(o.namespace);
    this.can(o.cls, 'edit', o.namespace);
    if (o.needsCluster) this.requireCluster();
    this.requireTenant(o.namespace);
    requireName(o.name, o.kind);
    const key = keyOf(o.namespace, o.name);
    if (o.existing.has(key)) throw new AnvilError('ANVIL_ERR_OBJECT_EXISTS', `${o.kind} ${key} already exists${o.existsHint ?? ''}`);
    return key;
  }
}

/** "volume default/data" style names for messages. */
export function notFound(kind: string, name: string, hint: string): AnvilError {
  return new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `${kind} ${name} does not exist; ${hint}`);
}
