/** `anvil run JOBFILE --target host --hosts h1,h2`: fio's client/server mode (placeholder until landed). */
import { AnvilError } from '../errors.js';
import type { RunMeasurement } from '../../bench/results/measurement.js';
import type { CommandIo, RunCommandOptions } from './run-command.js';

export async function hostsRunCommand(_jobFile: string, _text: string, _options: RunCommandOptions, _io: CommandIo): Promise<RunMeasurement> {
  throw new AnvilError('ANVIL_ERR_TARGET', '--hosts is not available in this build yet; run without --hosts on each machine');
}
