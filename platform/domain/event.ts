/** Events: what happened to which object, with a severity, as `anvil events` lists them. */

export type Severity = 'info' | 'warning' | 'error';

export interface ClusterEvent {
  readonly at: string;
  readonly severity: Severity;
  /** Short CamelCase cause, as Kubernetes events: Scheduled, FailedScheduling, PlexOutOfSync, NodeDrained. */
  readonly reason: string;
  /** `kind/name` or `kind/namespace/name`. */
  readonly object: string;
  readonly message: string;
}
