/** What a scenario's faults did, as the summary gives it: each fault as it fired, outages, plexes' end states. */
import { formatDuration } from '../../sim/core/units.js';

/** What a fault did, for the summary. */
export interface FaultRecord {
  readonly at_ns: number;
  readonly event: string;
  readonly node: string;
  /** The failed drive's index (drive-failed). */
  readonly drive?: number;
  /** The NIC port (link-down, link-up). */
  readonly port?: string;
  /** `TENANT/NAME#PLEX` of the modelled plexes (diy: the block store's copies) it took offline, lost or brought back. */
  readonly plexes: readonly string[];
  /** Pods with workloads the platform moved to another node, and where. */
  readonly moved?: readonly { readonly pod: string; readonly to: string }[];
  /** Pods with workloads it stopped, and why. */
  readonly stopped?: readonly { readonly pod: string; readonly reason: string }[];
  /** Stopped pods the platform placed again (a node came back): their workloads start anew there. */
  readonly restarted?: readonly { readonly pod: string; readonly on: string }[];
}

/** A time a volume had no plex in sync (no current copy to serve I/O from), or a pod was down. */
export interface OutageRecord {
  /** `TENANT/NAME` of the volume or pod. */
  readonly name: string;
  readonly from_ns: number;
  readonly to_ns: number;
  readonly outage_ns: number;
  /** What ended it (`node-up NODE`, `started again on NODE`), or `end of run`. */
  readonly until: string;
}

/** One modelled plex's end state, for the summary. */
export interface PlexRecord {
  readonly volume: string;
  readonly node: string;
  /** diy: the row is a copy of the block store (its drive, and whether it is the acting primary at the end), its `state` the block store's own. */
  readonly copy?: { readonly drive: number; readonly primary: boolean };
  /** The model's state at the end: in-sync, resyncing or offline (lost with its drive: offline for good). */
  readonly state: string;
  /**
   * The control plane's state of the plex at the end (its clock at the model's end); `lost` where its drive
   * failed. diy: its plex of the volume on that node (`gone` where it has none), which the block store does not follow.
   */
  readonly platform_state: string;
  /** Resyncs done: bytes copied and when, ns. */
  readonly resyncs: readonly { readonly copied_bytes: number; readonly started_ns: number; readonly finished_ns: number }[];
}

/** A plex's end state as a line of the summary's text, saying whose state it is (the platform's plex, or the diy block store's copy). */
export function plexLine(p: PlexRecord): string {
  const copied = (word: string) =>
    p.resyncs.map((r) => `${word} ${r.copied_bytes} bytes in ${formatDuration(r.finished_ns - r.started_ns)}`);
  if (!p.copy)
    return `  plex of ${p.volume} on ${p.node}: ${[`${p.state} (platform: ${p.platform_state})`, ...copied('resynced')].join(', ')}`;
  const state = `${p.state} (the block store's; the platform's plex there: ${p.platform_state})`;
  const primary = p.copy.primary ? ', acting primary' : '';
  return `  copy of ${p.volume} on ${p.node} drive ${p.copy.drive}${primary}: ${[state, ...copied('recovered')].join(', ')}`;
}
