/**
 * The control plane's facade: every change to clusters, nodes, networks, tiers, tenants, users, volumes,
 * snapshots and pods goes through here, with the acting user checked against their roles. The CLI, the
 * API and manifests call it; each method hands the change's context to a service (node-service.ts,
 * network-service.ts, perf-tier-service.ts, tenant-service.ts, quota-service.ts, user-service.ts,
 * volume-service.ts, pod-service.ts), and no service imports this file. The store runs each call in one
 * transaction and checks the invariants (`invariants.ts`) before it commits, so a failed call changes
 * nothing.
 */
import { podScheduling } from './placement-explanation.js';
import { ChangeContext } from './change-context.js';
import type { Cluster, ClusterState } from './cluster-state.js';
import type { Clock } from './clock.js';
import type { Endpoint } from './endpoint.js';
import * as networkService from './network-service.js';
import type { Network, NetworkInput } from './network.js';
import * as linkService from './link-service.js';
import * as nodeService from './node-service.js';
import type { ClusterCreateInput, Moves, NodeAddInput } from './node-service.js';
import type { Node } from './node.js';
import * as perfTierService from './perf-tier-service.js';
import type { PerfTierInput } from './perf-tier-service.js';
import type { PerfTier } from './perf-tier.js';
import * as podService from './pod-service.js';
import type { PodInput } from './pod-service.js';
import type { Pod } from './pod.js';
import type { QuotaLedger } from './quota-service.js';
import * as quotaService from './quota-service.js';
import { advanceResyncs, completeResync } from './plex-sync.js';
import type { DirtyFraction } from './resync.js';
import type { Quota, QuotaLimits } from './quota.js';
import type { SchedulingSession } from './scheduling-session.js';
import type { Actor, User } from './tenancy.js';
import * as tenantService from './tenant-service.js';
import * as userService from './user-service.js';
import * as volumeService from './volume-service.js';
import type { VolumeInput } from './volume-service.js';
import type { Snapshot, Volume } from './volume.js';

export type { ClusterCreateInput, NodeAddInput } from './node-service.js';
export { MAX_CLUSTER_NODES } from './node-service.js';
export type { PerfTierInput } from './perf-tier-service.js';
export type { VolumeInput } from './volume-service.js';

export class ControlPlane {
  /** The change's context: state, actor, clock, events, quotas counted so far, the scheduler's view. */
  readonly ctx: ChangeContext;

  constructor(state: ClusterState, actor: Actor, clock: Clock) {
    this.ctx = new ChangeContext(state, actor, clock);
  }

  get state(): ClusterState {
    return this.ctx.state;
  }

  /** Namespace quotas, checked by every create and grow of this change. */
  get quota(): QuotaLedger {
    return this.ctx.quota;
  }

  /** The scheduler's view, built once per change from the state. */
  scheduling(): SchedulingSession {
    return this.ctx.scheduling();
  }

  /** Forget the scheduler's view: nodes changed in a way it does not track. */
  resetScheduling(): void {
    this.ctx.resetScheduling();
  }

  // Cluster and nodes (node-service.ts)

  createCluster(input: ClusterCreateInput): Cluster {
    return nodeService.createCluster(this.ctx, input);
  }

  addNode(input: NodeAddInput): Node {
    return nodeService.addNode(this.ctx, input);
  }

  cordonNode(name: string): Node {
    return nodeService.cordonNode(this.ctx, name);
  }

  uncordonNode(name: string): Node {
    return nodeService.uncordonNode(this.ctx, name);
  }

  /** Cordons the node and moves its pods: each goes back to pending and is placed elsewhere if it fits. */
  drainNode(name: string): Moves {
    return nodeService.drainNode(this.ctx, name);
  }

  /** A node fails (a fault to inject): it goes down, its plexes fall out of sync or go offline, its pods move or wait. */
  failNode(name: string): Moves {
    return nodeService.failNode(this.ctx, name);
  }

  /** A drive of a live node fails (a fault to inject): its plexes are lost, their volumes degraded (or lost, for a last copy), pods left without a copy wait. */
  failDrive(node: string, drive: number): Moves {
    return nodeService.failDrive(this.ctx, node, drive);
  }

  /** A failed node is back: ready again, its plexes current again or resynced from an in-sync plex, pending pods retried. */
  /**
   * A failed node is back. `dirtyFraction` (a model's) says, per volume `namespace/name`, what fraction
   * of its plex was written while the plex was behind (0-1): a resync copies only that; without it, all.
   */
  recoverNode(name: string, dirtyFraction?: DirtyFraction): Node {
    return nodeService.recoverNode(this.ctx, name, dirtyFraction);
  }

  /**
   * The link of a node's NIC port goes down (a fault to inject): on its storage port, the remote plexes
   * whose path crosses it fall out of sync (or offline, the volume's last current copies: its pods wait).
   */
  linkDown(node: string, port: string): Moves {
    return linkService.linkDown(this.ctx, node, port);
  }

  /** The link is back: the copies it cut are current again or resync (`dirtyFraction` as for recoverNode); pending pods retried. */
  linkUp(node: string, port: string, dirtyFraction?: DirtyFraction): Node {
    return linkService.linkUp(this.ctx, node, port, dirtyFraction);
  }

  /**
   * Resyncing plexes whose copy time has passed on the clock are in sync now; returns how many. A step of
   * time, not a user's choice (nothing is decided here that the clock has not), so it checks no role:
   * the server's loop and a model run it.
   */
  advanceResyncs(): number {
    return advanceResyncs(this.ctx);
  }

  /**
   * The resyncing plex of `volume` (`namespace/name`) on `node` is in sync now, before or after its
   * estimated finish: a model that copies the blocks says when its copy is done. Like `advanceResyncs` a
   * step of time that checks no role. True if the plex was resyncing; false (no change) otherwise.
   */
  completeResync(volume: string, node: string): boolean {
    return completeResync(this.ctx, volume, node);
  }

  /** Removes a node; refused while pods or current plexes are there unless `force` (which drops its plexes with it). */
  removeNode(name: string, force = false): void {
    nodeService.removeNode(this.ctx, name, force);
  }

  // Networks and endpoints (network-service.ts), perf tiers (perf-tier-service.ts)

  createNetwork(input: NetworkInput): Network {
    return networkService.createNetwork(this.ctx, input);
  }

  deleteNetwork(name: string): void {
    networkService.deleteNetwork(this.ctx, name);
  }

  /** A persistent endpoint: an IP (pinned, or the lowest free) and a MAC, ready for a pod to ask for by name. */
  createEndpoint(namespace: string, name: string, network: string, ip?: string): Endpoint {
    return networkService.createEndpoint(this.ctx, namespace, name, network, ip);
  }

  deleteEndpoint(namespace: string, name: string): void {
    networkService.deleteEndpoint(this.ctx, namespace, name);
  }

  /** The network pods get when they name none: the one marked default, else the first created. */
  defaultNetwork(): Network | undefined {
    return networkService.defaultNetwork(this.ctx);
  }

  createPerfTier(input: PerfTierInput): PerfTier {
    return perfTierService.createPerfTier(this.ctx, input);
  }

  deletePerfTier(name: string): void {
    perfTierService.deletePerfTier(this.ctx, name);
  }

  // Tenants (tenant-service.ts) and their quotas (quota-service.ts)

  createTenant(name: string): void {
    tenantService.createTenant(this.ctx, name);
  }

  /** Like `createTenant`, but a no-op when it exists (a Namespace manifest applied twice). */
  ensureTenant(name: string): void {
    tenantService.ensureTenant(this.ctx, name);
  }

  deleteTenant(name: string): void {
    tenantService.deleteTenant(this.ctx, name);
  }

  /** Sets (replaces) a namespace's quota; cluster admins only. */
  setQuota(namespace: string, limits: QuotaLimits): Quota {
    return quotaService.setQuota(this.ctx, namespace, limits);
  }

  deleteQuota(namespace: string): void {
    quotaService.deleteQuota(this.ctx, namespace);
  }

  // Users (user-service.ts)

  /** Creates a user with roles (see user-service.ts for who may grant what). */
  createUser(name: string, roles: string[]): User {
    return userService.createUser(this.ctx, name, roles);
  }

  /** Replaces a user's roles. */
  setUserRoles(name: string, roles: string[]): User {
    return userService.setUserRoles(this.ctx, name, roles);
  }

  /** Deletes a user; its API tokens stop working at once. */
  deleteUser(name: string): void {
    userService.deleteUser(this.ctx, name);
  }

  // Volumes and snapshots (volume-service.ts)

  createVolume(input: VolumeInput): Volume {
    return volumeService.createVolume(this.ctx, input);
  }

  /** Refused while attached or while snapshots depend on it, unless `force` (which detaches and deletes those snapshots). */
  deleteVolume(namespace: string, name: string, force = false): void {
    volumeService.deleteVolume(this.ctx, namespace, name, force);
  }

  /** Adds or drops one mirror (or brings back a plex lost with its node), or grows a detached volume. */
  updateVolume(namespace: string, name: string, change: { mirrors?: number; size_bytes?: number }): Volume {
    return volumeService.updateVolume(this.ctx, namespace, name, change);
  }

  createSnapshot(namespace: string, name: string, volume: string): Snapshot {
    return volumeService.createSnapshot(this.ctx, namespace, name, volume);
  }

  /** Restores a snapshot to a new volume: a linked clone on the snapshot's nodes that shares its blocks. */
  restoreSnapshot(namespace: string, snapshot: string, volume: string, perfTier?: string): Volume {
    return volumeService.restoreSnapshot(this.ctx, namespace, snapshot, volume, perfTier);
  }

  deleteSnapshot(namespace: string, name: string): void {
    volumeService.deleteSnapshot(this.ctx, namespace, name);
  }

  // Pods (pod-service.ts)

  /** Why a pending pod fits nowhere now, every node's reason (a read: it changes nothing). */
  explainPending(namespace: string, name: string): Pod['status'] {
    return podService.explainPending(this.ctx, namespace, name);
  }

  /** A pod's status with the scheduler's reasons: why a running pod is on its node, or why a pending one fits nowhere. */
  podScheduling(namespace: string, name: string, decisionOf?: Parameters<typeof podScheduling>[3]): ReturnType<typeof podScheduling> {
    return podScheduling(this.ctx, namespace, name, decisionOf);
  }

  /** Stores a pod and places it now if it fits; otherwise it stays pending with the reasons. */
  createPod(pod: PodInput): Pod {
    return podService.createPod(this.ctx, pod);
  }

  /** Deletes the pods a Deployment or StatefulSet made; a StatefulSet's claimed volumes stay, as in Kubernetes. */
  deleteWorkload(namespace: string, kind: 'Deployment' | 'StatefulSet', name: string): number {
    return podService.deleteWorkload(this.ctx, namespace, kind, name);
  }

  deletePod(namespace: string, name: string): void {
    podService.deletePod(this.ctx, namespace, name);
  }
}
