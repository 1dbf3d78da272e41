/**
 * A host run's realised mirrors through node faults: at node-down each mirror's member on that node is
 * failed and removed (the md array runs degraded on the others), at node-up it rejoins with --re-add and md
 * copies what its write-intent bitmap says was written meanwhile; the resync's time (re-add to the array
 * whole again, polled) and the bytes written to the returning member meanwhile are the model's resync record.
 */
import type { HostActions } from '../../bench/targets/host/realise/host-actions.js';
import { bytesWritten, mdDegradeArgv, mdReAddArgv, mirrorWhole } from '../../bench/targets/host/realise/md-mirror.js';
import type { RealisedHost } from '../../bench/targets/host/realise/realiser.js';
import type { PlexRecord } from './fault-records.js';

interface PlexTrack {
  readonly volume: string;
  readonly plex: number;
  readonly node: number;
  state: 'in-sync' | 'offline' | 'resyncing';
  /** The resync under way: when it started and the member's bytes written then. */
  resyncing?: { readonly started_ns: number; readonly written_bytes: number };
  readonly resyncs: { copied_bytes: number; started_ns: number; finished_ns: number }[];
}

export interface HostPlexes {
  /** Fails and removes each mirror's members on `node`; returns the plexes taken out (`TENANT/NAME#PLEX`). */
  down(node: number): Promise<string[]>;
  /** Re-adds them at `at_ns`; returns the plexes whose resync started. */
  up(node: number, at_ns: number): Promise<string[]>;
  /** Ends the resyncs md has finished by `now_ns`. */
  poll(now_ns: number): void;
  /** Each realised plex's end state, as the model's plex records; `platformState` gives the control plane's. */
  records(nodeNames: readonly string[], platformState: (volume: string, node: string) => string): PlexRecord[];
}

export function hostPlexes(host: RealisedHost, actions: HostActions): HostPlexes {
  const tracks: PlexTrack[] = [...host.volumes.values()].flatMap((v) =>
    (v.plexes ?? []).map((p, plex) => ({ volume: v.key, plex, node: p.node, state: 'in-sync' as const, resyncs: [] })),
  );
  const volumeOf = (t: PlexTrack) => host.volumes.get(t.volume)!;
  const member = (t: PlexTrack) => volumeOf(t).plexes![t.plex]!.member;
  const mirrored = (node: number) => tracks.filter((t) => t.node === node && volumeOf(t).mirror !== undefined);
  const name = (t: PlexTrack) => `${t.volume}#${t.plex}`;
  return {
    async down(node) {
      const out: string[] = [];
      for (const t of mirrored(node)) {
        if (t.state === 'offline') continue;
        // md keeps a RAID1's last working member: the volume's last current copy stays (as the platform's offline plex).
        const others = tracks.filter((x) => x.volume === t.volume && x !== t && x.state === 'in-sync');
        if (others.length === 0) continue;
        await actions.run(mdDegradeArgv(volumeOf(t).mirror!.path, member(t)));
        t.state = 'offline';
        t.resyncing = undefined;
        out.push(name(t));
      }
      return out;
    },
    async up(node, at_ns) {
      const out: string[] = [];
      for (const t of mirrored(node)) {
        if (t.state !== 'offline') continue;
        const written_bytes = bytesWritten(actions, member(t));
        await actions.run(mdReAddArgv(volumeOf(t).mirror!.path, member(t)));
        t.state = 'resyncing';
        t.resyncing = { started_ns: at_ns, written_bytes };
        out.push(name(t));
      }
      return out;
    },
    poll(now_ns) {
      for (const t of tracks) {
        if (t.state !== 'resyncing' || !t.resyncing || !mirrorWhole(actions, volumeOf(t).mirror!)) continue;
        t.resyncs.push({
          copied_bytes: Math.max(0, bytesWritten(actions, member(t)) - t.resyncing.written_bytes),
          started_ns: t.resyncing.started_ns,
          finished_ns: now_ns,
        });
        t.state = 'in-sync';
        t.resyncing = undefined;
      }
    },
    records(nodeNames, platformState) {
      return tracks.map((t) => {
        const node = nodeNames[t.node]!;
        return { volume: t.volume, node, state: t.state, platform_state: platformState(t.volume, node), resyncs: t.resyncs };
      });
    },
  };
}
