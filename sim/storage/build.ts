/**
 * The builder that puts a mirrored volume on a model: one call per volume for whoever wires the
 * cluster. It turns each plex into a leg (local: the node's device; remote: NVMe over Ethernet delays
 * around the other node's device, with room for link stations), registers the volume under its name so
 * a job addresses it as it would a device, and ties the resync to it. Faults go through the handle.
 */
import type { Station } from '../io/requests.js';
import type { Model } from '../model/model.js';
import { remotePlexDelays, type NvmeofTerms } from './delay-station.js';
import { MirroredVolume, type PlexLeg } from './mirrored-volume.js';
import { Resync, type ResyncDone } from './resync.js';

/** Service class resync copies carry unless told otherwise (foreground I/O is class 0). */
export const RESYNC_SERVICE_CLASS = 1;

/** One plex of a mirrored volume. */
export interface PlexSpec {
  /** The model device (a drive) that holds the plex. */
  readonly device: string;
  /** Where the plex's extent starts on the device, bytes (0 by default). */
  readonly offset_bytes?: number;
  /** Set for a plex on another node: the NVMe over Ethernet terms its I/O pays. */
  readonly remote?: NvmeofTerms;
  /** Stations on the way to the device, after a remote plex's outbound delay (links, ports, a QoS scheduler). */
  readonly via?: readonly Station[];
  /** Stations on the way back from the device, before a remote plex's inbound delay. */
  readonly back?: readonly Station[];
  /** Stations resync copies take instead of `via` / `back` (a QoS client of their own); the remote delays apply alike. */
  readonly copy_via?: readonly Station[];
  readonly copy_back?: readonly Station[];
}

export interface MirroredVolumeSpec {
  /** The volume's name in the model: jobs give it as their `device`. */
  readonly name: string;
  /** The volume's size, bytes. */
  readonly capacity_bytes: number;
  /** Unit of versions, dirty bits, copy-on-write and resync copies, bytes (the volume's chunk size; 4096 for a small volume). */
  readonly block_bytes: number;
  /** Plexes, nearest first: reads go to the first local in-sync plex, else the first in sync. */
  readonly plexes: readonly PlexSpec[];
  /** Resync bandwidth share, bytes per second. */
  readonly resync_bytes_per_s: number;
  /** Resync copies in flight per returning plex at most (Ceph's osd_recovery_max_active); none by default. */
  readonly resync_max_outstanding?: number;
  /** Service class of resync copies. Default RESYNC_SERVICE_CLASS. */
  readonly resync_service_class?: number;
  /** Told when a returning plex is back in sync. */
  readonly onInSync?: (done: ResyncDone) => void;
}

/** A mirrored volume on a model, with its fault controls. */
export interface MirroredVolumeHandle {
  readonly volume: MirroredVolume;
  readonly resync: Resync;
  /** The plex leaves (its node down, its drive failed). */
  fail(plex: number): void;
  /**
   * The plex comes back and resyncs; `lostData` for a replaced drive (everything written is copied);
   * `bytes_per_s` paces this resync instead of the volume's `resync_bytes_per_s`.
   */
  recover(plex: number, lostData?: boolean, bytes_per_s?: number): void;
  /** The volume's last current copy is back with its node: in sync at once, nothing to copy (the volume took no writes meanwhile). */
  rejoin(plex: number): void;
  /** Takes a snapshot. */
  snapshot(): void;
  /**
   * The volume is used from another node from now on (its pod moved): the same plexes, in the same order
   * and on the same devices and extents, with their legs as seen from there (which is local, which remote).
   */
  moveTo(plexes: readonly PlexSpec[]): void;
}

/** Builds a mirrored volume on `model` and registers it under `spec.name`. */
export function mirroredVolume(model: Model, spec: MirroredVolumeSpec): MirroredVolumeHandle {
  // Checked before any route is added, so a refused volume leaves the model as it was.
  if (model.devices.some((d) => d.name === spec.name))
    throw new RangeError(`volume "${spec.name}": a device or volume of that name is in the model already; give each its own name`);
  const legs = legsOf(model, spec.name, spec.capacity_bytes, spec.plexes);
  const volume = new MirroredVolume(spec.name, model.sim, model.requests, spec.capacity_bytes, spec.block_bytes, legs);
  const resync = new Resync(
    volume,
    {
      bytes_per_s: spec.resync_bytes_per_s,
      serviceClass: spec.resync_service_class ?? RESYNC_SERVICE_CLASS,
      ...(spec.resync_max_outstanding !== undefined ? { maxOutstanding: spec.resync_max_outstanding } : {}),
    },
    spec.onInSync,
  );
  model.addVolume(spec.name, volume, 'mirrored-volume');
  return {
    volume,
    resync,
    fail(plex) {
      resync.stop(plex);
      volume.plexOffline(plex);
    },
    recover(plex, lostData = false, bytes_per_s?: number) {
      resync.start(plex, lostData, bytes_per_s);
    },
    rejoin(plex) {
      volume.plexBackCurrent(plex);
    },
    snapshot() {
      volume.snapshot();
    },
    moveTo(plexes) {
      volume.relocate(legsOf(model, spec.name, spec.capacity_bytes, plexes));
    },
  };
}

/** Each plex as a leg: its device, its extent checked, a remote plex's NVMe over Ethernet delays around its stations. */
function legsOf(model: Model, name: string, capacity_bytes: number, plexes: readonly PlexSpec[]): PlexLeg[] {
  return plexes.map((plex, index) => {
    const device = model.device(plex.device).instance;
    const offset_bytes = plex.offset_bytes ?? 0;
    if (!(offset_bytes >= 0 && offset_bytes + capacity_bytes <= device.capacity_bytes)) {
      throw new RangeError(
        `volume "${name}": plex ${index} on "${plex.device}" spans bytes ${offset_bytes} to ${offset_bytes + capacity_bytes}, beyond the device's ${device.capacity_bytes}; give an offset_bytes and capacity that fit`,
      );
    }
    const via = [...(plex.via ?? [])];
    const back = [...(plex.back ?? [])];
    const copies = plex.copy_via !== undefined || plex.copy_back !== undefined;
    const copyVia = [...(plex.copy_via ?? plex.via ?? [])];
    const copyBack = [...(plex.copy_back ?? plex.back ?? [])];
    if (plex.remote) {
      const delays = remotePlexDelays(model.sim, model.requests, plex.remote);
      via.unshift(delays.outbound);
      back.push(delays.inbound);
      copyVia.unshift(delays.outbound);
      copyBack.push(delays.inbound);
    }
    return { via, device, back, offset_bytes, local: plex.remote === undefined, ...(copies ? { copyVia, copyBack } : {}) };
  });
}
