/** Reference scenarios shortened for tests (same cluster, pods and jobs; less simulated time). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
