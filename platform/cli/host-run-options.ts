/**
 * The host-run flags `anvil run` and `anvil check` share, registered, refused where unused and handed on
 * in one place: `--host-device` and `--destroy-data-on` (host-device-options.ts), `--sriov-pf`
 * (sriov-options.ts).
 */
import type { Command } from 'commander';
import type { HostDeviceChoice, SriovPfChoice } from '../cluster/host-plan-of.js';
import { destroyDataOnOption, hostDeviceOption, refuseHostDevicesOff } from './host-device-options.js';
import { refuseSriovOff, sriovPfOption } from './sriov-options.js';

/** The flags as commander gives them. */
export interface HostRunFlags {
  readonly hostDevice?: readonly HostDeviceChoice[];
  readonly destroyDataOn?: readonly string[];
  readonly sriovPf?: readonly SriovPfChoice[];
}

/** What a scenario's host run takes of them (the names of the run's options). */
export interface HostRunChoices {
  readonly hostDevices?: readonly HostDeviceChoice[];
  readonly destroyDataOn?: readonly string[];
  readonly sriovPfs?: readonly SriovPfChoice[];
}

/** Adds the three flags to `command`, in the order its help lists them. */
export function addHostRunOptions(command: Command): Command {
  return command.addOption(hostDeviceOption()).addOption(destroyDataOnOption()).addOption(sriovPfOption());
}

/** ANVIL_ERR_USAGE where any of them is given to what does not use it: a job file, or another target than host. */
export function refuseHostRunOptionsOff(flags: HostRunFlags, target: string, scenario: boolean): void {
  refuseHostDevicesOff(flags, target, scenario);
  refuseSriovOff(flags, target, scenario);
}

/** The flags given, as a scenario run's options. */
export function hostRunChoicesOf(flags: HostRunFlags): HostRunChoices {
  return {
    ...(flags.hostDevice !== undefined ? { hostDevices: flags.hostDevice } : {}),
    ...(flags.destroyDataOn !== undefined ? { destroyDataOn: flags.destroyDataOn } : {}),
    ...(flags.sriovPf !== undefined ? { sriovPfs: flags.sriovPf } : {}),
  };
}
