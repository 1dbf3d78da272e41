/**
 * The drives of a placed cluster on the model, the same on both stacks: per node one device per drive of
 * its node profile, nodes in the control plane's order, each from the drive's device profile (the
 * default one, with a note, where the node profile names a profile the model does not know).
 */
import { DEFAULT_PROFILE, loadProfile, type DeviceProfile } from '../../bench/profiles.js';
import type { Model } from '../../sim/model/model.js';
import type { ClusterState } from '../domain/cluster-state.js';
import { isAnvilError } from '../errors.js';

/** The model device of drive `index` of `node`. */
export function driveDevice(node: string, index: number): string {
  return `${node}/nvme${index}`;
}

/** What was added: device names per node in drive order, and each device's profile by device name. */
export interface DriveDevices {
  readonly drives: Map<string, string[]>;
  readonly profiles: ReadonlyMap<string, DeviceProfile>;
}

/** Adds every node's drives to `model`; a note for each drive profile that fell back to the default goes to `notes`. */
export function addDriveDevices(model: Model, state: ClusterState, notes: string[]): DriveDevices {
  const byName = new Map<string, DeviceProfile>();
  const profileOf = (name: string, where: string): DeviceProfile => {
    let p = byName.get(name);
    if (p) return p;
    try {
      p = loadProfile(name);
    } catch (e) {
      if (!isAnvilError(e)) throw e;
      notes.push(
        `note: ${where}: drive profile ${name} is not a device profile the model knows (anvil profiles lists them); the model uses ${DEFAULT_PROFILE}`,
      );
      p = loadProfile(DEFAULT_PROFILE);
    }
    byName.set(name, p);
    return p;
  };
  const drives = new Map<string, string[]>();
  const profiles = new Map<string, DeviceProfile>();
  for (const node of state.nodes.values()) {
    const names = node.inventory.drives.map((d, i) => {
      const p = profileOf(d.profile, `node ${node.name} drive ${i}`);
      const name = driveDevice(node.name, i);
      model.addDevice(name, p.kind, p.params);
      profiles.set(name, p);
      return name;
    });
    drives.set(node.name, names);
  }
  return { drives, profiles };
}
