/**
 * Everything the control plane knows, in memory: the cluster, its nodes, networks, tiers, volumes,
 * snapshots, pods, tenants and users. The store loads it from and saves it to documents (one per
 * object); the control plane's services (through `ControlPlane`) are the only code that changes it.
 */
import type { Endpoint } from './endpoint.js';
import type { Network } from './network.js';
import type { Node } from './node.js';
import type { PerfTier } from './perf-tier.js';
import { withVolumeReservations, type Pod } from './pod.js';
import type { Quota } from './quota-limits.js';
import type { Tenant, User } from './tenancy.js';
import { allocateExtent, extentsInUse } from './drive-extents.js';
import { freshPlacementUse, PlacementIndex, placementContents, type PlacementUse } from './placement-index.js';
import { orderedByKey, WatchedMap } from './watched-map.js';
import { InvariantScope } from './invariant-scope.js';
import { PodIndex } from './pod-index.js';
import { keyOf, plexBytes, volumeStateOf, withPlexState, type Plex, type Snapshot, type Volume } from './volume.js';

export interface Cluster {
  readonly kind: 'Cluster';
  readonly name: string;
  readonly node_profile: string;
  readonly created_at: string;
  /** Scoring policy: spread pods (balance) or fill nodes (pack). */
  readonly policy: 'balance' | 'pack';
  /** Share (0-1] of a node's storage-port bandwidth a resync may take; DEFAULT_RESYNC_SHARE (resync.ts) when unset. */
  readonly resync_share?: number;
}

/** Counters that must survive restarts so identities (MACs) are never reused. */
export interface Counters {
  kind: 'Counters';
  name: 'counters';
  next_mac: number;
  next_pod_seq: number;
}

export type StoredObject = Cluster | Node | Network | PerfTier | Volume | Snapshot | Pod | Endpoint | Tenant | User | Quota | Counters;

export interface ClusterStateOptions {
  /**
   * Placement reads a node's storage in use from an index kept up to date by every change of the volumes
   * and snapshots (the default), or, with false, works it out from every volume each time (the reference
   * the tests compare the index with).
   */
  readonly placementIndex?: boolean;
}

/** The kinds kept in maps, in the order `documents` gives them. */
const MAP_KINDS = ['Node', 'Network', 'PerfTier', 'Volume', 'Snapshot', 'Pod', 'Endpoint', 'Tenant', 'User', 'Quota'] as const;

/** Kinds whose objects a scheduling view is built from (a volume too, while attached: scheduling-session.ts). */
const SCHEDULING_KINDS = new Set(['Node', 'Network', 'PerfTier', 'Pod', 'Endpoint']);

export class ClusterState {
  private clusterObject: Cluster | undefined;
  private schedulingChanges = 0;
  readonly nodes: Map<string, Node> = this.watched('Node');
  readonly networks: Map<string, Network> = this.watched('Network');
  readonly perfTiers: Map<string, PerfTier> = this.watched('PerfTier');
  /** The storage in use per node and drive, kept by the two maps below as they change; undefined: worked out afresh. */
  private readonly index: PlacementIndex | undefined;
  /** Keyed `namespace/name`. */
  readonly volumes: Map<string, Volume>;
  readonly snapshots: Map<string, Snapshot>;
  readonly pods: Map<string, Pod> = this.watched('Pod');
  /** Persistent endpoints, keyed `namespace/name`. */
  readonly endpoints: Map<string, Endpoint> = this.watched('Endpoint');
  readonly tenants: Map<string, Tenant> = this.watched('Tenant');
  readonly users: Map<string, User> = this.watched('User');
  /** Namespace quotas, keyed by namespace. */
  readonly quotas: Map<string, Quota> = this.watched('Quota');
  counters: Counters = { kind: 'Counters', name: 'counters', next_mac: 1, next_pod_seq: 1 };
  /**
   * Per kind, the keys set or deleted in the maps since the store last took them (`takeChanged`): a commit
   * writes those documents without walking every object.
   */
  private changed = new Map<string, Set<string>>();
  /** What the invariants about pods read, kept by the pod, volume and endpoint maps as they change. */
  readonly podIndex = new PodIndex();

  constructor(options: ClusterStateOptions = {}) {
    const index = options.placementIndex === false ? undefined : new PlacementIndex();
    this.index = index;
    this.volumes = this.watched<Volume>('Volume', index ? (before, after) => index.volumeChanged(before, after) : undefined);
    this.snapshots = this.watched<Snapshot>('Snapshot', index ? (before, after) => index.snapshotChanged(before, after) : undefined);
  }

  get cluster(): Cluster | undefined {
    return this.clusterObject;
  }

  set cluster(cluster: Cluster | undefined) {
    this.clusterObject = cluster;
    this.schedulingChanges++;
    this.unchecked.wide = true;
  }

  /** What changed since the invariants were last checked; a new state (loaded, copied) has everything to check. */
  private unchecked = new InvariantScope(true);

  /** What changed since the last call (everything, the first time) and starts recording afresh: what a commit checks. */
  takeInvariantScope(): InvariantScope {
    const scope = this.unchecked;
    this.unchecked = new InvariantScope(false);
    return scope;
  }

  /**
   * Counts the changes of what a scheduling view (SchedulingSession) is built from: the cluster (its policy),
   * nodes, networks, tiers, pods, endpoints, and volumes while attached (a running pod's). A view built on
   * this state holds while the count is the same, whatever else changed (a detached volume, a snapshot, a
   * tenant): the extender keeps its view across such changes (platform/api/extender/assessments.ts).
   */
  get schedulingVersion(): number {
    return this.schedulingChanges;
  }

  /** A map of `kind` whose changes are recorded (and told to `also`). */
  private watched<V>(kind: string, also?: (before: V | undefined, after: V | undefined) => void): WatchedMap<V> {
    const scheduling = SCHEDULING_KINDS.has(kind);
    return new WatchedMap<V>((key, before, after) => {
      let keys = this.changed.get(kind);
      if (keys === undefined) this.changed.set(kind, (keys = new Set()));
      keys.add(key);
      if (kind === 'Pod') this.podIndex.podChanged(key, before as Pod | undefined, after as Pod | undefined);
      else if (kind === 'Volume') this.podIndex.volumeChanged(key, before as Volume | undefined, after as Volume | undefined);
      else if (kind === 'Endpoint') this.podIndex.endpointChanged(key, before as Endpoint | undefined, after as Endpoint | undefined);
      if (kind === 'Pod') {
        this.schedulingChanges++;
        this.unchecked.podChanged(key, before as Pod | undefined, after as Pod | undefined, this.podIndex.attachedTo(key).size > 0);
      } else if (scheduling || (kind === 'Volume' && (isAttached(before) || isAttached(after)))) {
        this.schedulingChanges++;
        this.unchecked.wide = true;
      } else if (kind === 'Volume') this.unchecked.volumeChanged(key, before as Volume | undefined, after as Volume | undefined);
      else if (kind === 'Snapshot') this.unchecked.snapshotChanged(before as Snapshot | undefined, after as Snapshot | undefined);
      also?.(before, after);
    });
  }

  /** Whether any map was set or deleted in since the last `takeChanged` (a failed change that set nothing left the maps as they were). */
  get changedSinceTaken(): boolean {
    return this.changed.size > 0;
  }

  /** The keys of each kind set or deleted in the maps since the last call (or since `clone`), and forgets them. */
  takeChanged(): Map<string, Set<string>> {
    const changed = this.changed;
    this.changed = new Map();
    return changed;
  }

  /** The object of a kind kept in a map, by key, or undefined. */
  objectOf(kind: string, key: string): StoredObject | undefined {
    return this.mapOf(kind)?.get(key);
  }

  /** What placement reads of the storage in use: the index, or (without one) a computation from every volume now. */
  placementUse(): PlacementUse {
    return this.index ?? freshPlacementUse(this);
  }

  /**
   * Where the index differs from the storage in use worked out from every volume now, as a sentence, or
   * undefined (also without an index). The store asks on every commit with ANVIL_STORE_VERIFY=1 (the tests).
   */
  placementIndexDrift(): string | undefined {
    if (this.index === undefined) return undefined;
    const kept = placementContents(this.index, this);
    const fresh = placementContents(freshPlacementUse(this), this);
    for (let i = 0; i < fresh.length; i++) {
      const a = JSON.stringify(kept[i]);
      const b = JSON.stringify(fresh[i]);
      if (a !== b) return `placement index: ${a} where the volumes give ${b}`;
    }
    return undefined;
  }

  /**
   * A copy to change apart from this one (a change worked out in steps while readers keep this one):
   * new maps holding the same objects, which the domain replaces rather than edits, and new counters.
   */
  clone(): ClusterState {
    const copy = new ClusterState({ placementIndex: this.index !== undefined });
    copy.cluster = this.cluster;
    copy.counters = { ...this.counters };
    for (const kind of MAP_KINDS) {
      const from = this.mapOf(kind)!;
      const to = copy.mapOf(kind)!;
      for (const [key, obj] of from) to.set(key, obj);
    }
    // The copy holds the same objects: what it has changed is what is changed on it from here on.
    copy.takeChanged();
    return copy;
  }

  /** Every object as (kind, key, object), in a stable order. */
  *documents(): Generator<[string, string, StoredObject]> {
    if (this.cluster) yield ['Cluster', this.cluster.name, this.cluster];
    yield ['Counters', 'counters', this.counters];
    const maps: [string, Map<string, StoredObject>][] = [
      ['Node', this.nodes],
      ['Network', this.networks],
      ['PerfTier', this.perfTiers],
      ['Volume', this.volumes],
      ['Snapshot', this.snapshots],
      ['Pod', this.pods],
      ['Endpoint', this.endpoints],
      ['Tenant', this.tenants],
      ['User', this.users],
      ['Quota', this.quotas],
    ];
    for (const [kind, map] of maps) for (const [key, obj] of map) yield [kind, key, obj];
  }

  /**
   * Puts one kind's map in key order, the order the store loads documents in (SQLite's BINARY order; keys
   * are ASCII names). Iteration order decides ties in scheduling, so a state kept in memory must see its
   * objects in the same order as one read afresh from the file. `moved`: the keys set since the map was
   * last in order (a commit's): the others are merged with them rather than all sorted again. Done when
   * the map is next walked (`WatchedMap.orderByKeyLater`), which a run of creates may never do.
   */
  sortByKey(kind: string, moved?: ReadonlySet<string>): void {
    const map = this.mapOf(kind);
    if (map === undefined) return;
    if (map instanceof WatchedMap) return map.orderByKeyLater(moved);
    const entries = orderedByKey([...map], moved);
    map.clear();
    for (const [key, obj] of entries) map.set(key, obj);
  }

  private mapOf(kind: string): Map<string, StoredObject> | undefined {
    const maps: Record<string, Map<string, StoredObject>> = {
      Node: this.nodes,
      Network: this.networks,
      PerfTier: this.perfTiers,
      Volume: this.volumes,
      Snapshot: this.snapshots,
      Pod: this.pods,
      Endpoint: this.endpoints,
      Tenant: this.tenants,
      User: this.users,
      Quota: this.quotas,
    };
    return maps[kind];
  }

  /**
   * Brings volumes stored by older builds (no `state`) up to date once every document is loaded: plexes of
   * nodes removed before removal dropped them go; a volume with no in-sync plex whose one plex on a down node
   * was marked out of sync when that node failed (those builds did so) has it offline, its current copy;
   * and each volume gets its state.
   */
  afterLoad(): void {
    const down = (node: string) => this.nodes.get(node)!.status.state === 'down';
    for (const [key, v] of this.volumes) {
      let plexes = v.plexes.filter((p) => this.nodes.has(p.node));
      const onDown = plexes.filter((p) => down(p.node));
      const legacy = (v as Partial<Volume>).state === undefined;
      if (
        legacy &&
        !plexes.some((p) => p.state === 'in-sync' && !down(p.node)) &&
        onDown.length === 1 &&
        !plexes.some((p) => p.state === 'offline')
      ) {
        plexes = plexes.map((p) => (p === onDown[0] ? { ...p, state: 'offline' as const } : p));
      }
      plexes = plexes.map((p) =>
        (p.state === 'in-sync' || p.state === 'resyncing') && down(p.node) ? withPlexState(p, 'out-of-sync') : p,
      );
      const state = volumeStateOf({ mirrors: v.mirrors, plexes });
      if (v.state === state && plexes.length === v.plexes.length && plexes.every((p, i) => p === v.plexes[i])) continue;
      this.volumes.set(key, { ...v, plexes, state });
    }
    this.placeLegacyExtents();
  }

  /**
   * Plexes stored before plexes had a drive and an offset get an extent each (in key order, so every load
   * gives the same), as the allocator would have placed them; a plex that finds no room keeps drive 0 at
   * offset 0 and the invariants say so on the next change.
   */
  private placeLegacyExtents(): void {
    const legacy = (p: Plex) => (p as Partial<Plex>).drive === undefined;
    if (![...this.volumes.values()].some((v) => v.plexes.some(legacy))) return;
    const unplaced = [...this.volumes].filter(([, v]) => v.plexes.some(legacy));
    for (const [key] of unplaced) this.volumes.delete(key);
    const use = extentsInUse(this);
    for (const [key, v] of unplaced) {
      const plexes = v.plexes.map((p) => {
        if (!legacy(p)) return p;
        const node = this.nodes.get(p.node)!;
        return {
          ...p,
          ...(allocateExtent(use, node, plexBytes(v), keyOf(v.namespace, v.name)) ?? { node: p.node, drive: 0, offset_bytes: 0 }),
        };
      });
      this.volumes.set(key, { ...v, plexes });
    }
    this.sortByKey('Volume');
  }

  /** Puts a document read from storage back in its map. */
  load(kind: string, key: string, obj: StoredObject): void {
    switch (kind) {
      case 'Cluster':
        this.cluster = obj as Cluster;
        break;
      case 'Counters':
        this.counters = obj as Counters;
        break;
      case 'Node':
        this.nodes.set(key, obj as Node);
        break;
      case 'Network':
        this.networks.set(key, obj as Network);
        break;
      case 'PerfTier':
        this.perfTiers.set(key, obj as PerfTier);
        break;
      case 'Volume':
        this.volumes.set(key, obj as Volume);
        break; // brought up to date by afterLoad
      case 'Snapshot':
        this.snapshots.set(key, obj as Snapshot);
        break;
      case 'Pod':
        this.pods.set(key, withVolumeReservations(withAddresses(obj as Pod)));
        break;
      case 'Endpoint':
        this.endpoints.set(key, obj as Endpoint);
        break;
      case 'Tenant':
        this.tenants.set(key, obj as Tenant);
        break;
      case 'User':
        this.users.set(key, obj as User);
        break;
      case 'Quota':
        this.quotas.set(key, obj as Quota);
        break;
      default:
        throw new Error(`unknown stored kind ${kind}`);
    }
  }
}

/** Whether `value` is a volume attached to a pod. */
function isAttached(value: unknown): boolean {
  return (value as Volume | undefined)?.attachment.state === 'attached';
}

/** Pods stored before `addresses` existed keep the addresses they are bound to. */
function withAddresses(pod: Pod): Pod {
  if (pod.addresses !== undefined || pod.status.state !== 'running') return pod;
  return { ...pod, addresses: pod.status.endpoints.map((e) => ({ network: e.network, ip: e.ip, mac: e.mac })) };
}
