/** Reference scenarios shortened for tests (same cluster, pods and jobs; less simulated time). */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFiles } from '../../cli-harness.js';

/** `bench/scenarios/NAME.yaml` with its duration, warm-up and interval replaced, written to a temp folder; returns its path. */
export function shortenedScenario(
  name: string,
  times: { duration: string; warmup: string; interval: string },
  extra = '',
  replace: readonly (readonly [string, string])[] = [],
): string {
  let text = readFileSync(join('bench', 'scenarios', `${name}.yaml`), 'utf8');
  for (const [from, to] of replace) {
    if (!text.includes(from)) throw new Error(`${name}.yaml has no "${from}" to replace`);
    text = text.replace(from, to);
  }
  text = text
    .replace(/^duration: .*$/m, `duration: ${times.duration}`)
    .replace(/^warmup: .*$/m, `warmup: ${times.warmup}`)
    .replace(/^interval: .*$/m, '');
  const dir = writeFiles({ [`${name}.yaml`]: `${text}\ninterval: ${times.interval}\n${extra}` });
  return join(dir, `${name}.yaml`);
}

/** A scenario of our own in a temp folder; returns its path. */
export function scenarioFile(text: string, name = 'scenario.yaml'): string {
  return join(writeFiles({ [name]: text }), name);
}

/**
 * The shortened noisy neighbour on a node whose drive is the P5500 instead of the P4510 (a node profile
 * written beside it): the faster baseline a regression test compares today's drives against.
 */
export function noisyNeighbourOnFasterDrives(times: { duration: string; warmup: string; interval: string }): string {
  const file = shortenedScenario('noisy-neighbour', times, '', [['    profile: appliance-d10\n', '    profile: faster.yaml\n']]);
  const profile = readFileSync(join('platform', 'node-profiles', 'appliance-d10.yaml'), 'utf8')
    .replace('profile: intel-p4510-4tb', 'profile: intel-p5500-3.84tb')
    .replace(/^name: .*$/m, 'name: appliance-d10-p5500');
  writeFileSync(join(dirname(file), 'faster.yaml'), profile);
  return file;
}
