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
import { WatchedMap } from './watched-map.js';
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

export class ClusterState {
  cluster: Cluster | undefined;
  readonly nodes = new Map<string, Node>();
  readonly networks = new Map<string, Network>();
  readonly perfTiers = new Map<string, PerfTier>();
  /** The storage in use per node and drive, kept by the two maps below as they change; undefined: worked out afresh. */
  private readonly index: PlacementIndex | undefined;
  /** Keyed `namespace/name`. */
  readonly volumes: Map<string, Volume>;
  readonly snapshots: Map<string, Snapshot>;
  readonly pods = new Map<string, Pod>();
  /** Persistent endpoints, keyed `namespace/name`. */
  readonly endpoints = new Map<string, Endpoint>();
  readonly tenants = new Map<string, Tenant>();
  readonly users = new Map<string, User>();
  /** Namespace quotas, keyed by namespace. */
  readonly quotas = new Map<string, Quota>();
  counters: Counters = { kind: 'Counters', name: 'counters', next_mac: 1, next_pod_seq: 1 };

  constructor(options: ClusterStateOptions = {}) {
    const index = options.placementIndex === false ? undefined : new PlacementIndex();
    this.index = index;
    this.volumes = index ? new WatchedMap<Volume>((before, after) => index.volumeChanged(before, after)) : new Map();
    this.snapshots = index ? new WatchedMap<Snapshot>((before, after) => index.snapshotChanged(before, after)) : new Map();
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
    for (const kind of ['Node', 'Network', 'PerfTier', 'Volume', 'Snapshot', 'Pod', 'Endpoint', 'Tenant', 'User', 'Quota']) {
      const from = this.mapOf(kind)!;
      const to = copy.mapOf(kind)!;
      for (const [key, obj] of from) to.set(key, obj);
    }
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
   * objects in the same order as one read afresh from the file.
   */
  sortByKey(kind: string): void {
    const map = this.mapOf(kind);
    if (map === undefined) return;
    // Often in order already (a new key after the others): then left as it is.
    let previous: string | undefined;
    let inOrder = true;
    for (const key of map.keys()) {
      if (previous !== undefined && previous > key) {
        inOrder = false;
        break;
      }
      previous = key;
    }
    if (inOrder) return;
    const entries = [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (map instanceof WatchedMap) return map.reorder(entries);
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

/** Pods stored before `addresses` existed keep the addresses they are bound to. */
function withAddresses(pod: Pod): Pod {
  if (pod.addresses !== undefined || pod.status.state !== 'running') return pod;
  return { ...pod, addresses: pod.status.endpoints.map((e) => ({ network: e.network, ip: e.ip, mac: e.mac })) };
}
