/** `anvil sweep FILE --emit k8s-job`: the ConfigMap and the Indexed Job of bench/sweep/k8s-job.ts, printed as YAML documents. */
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { anvilVersion } from '../../bench/package-root.js';
import { k8sSweepJob, type K8sJobOptions } from '../../bench/sweep/k8s-job.js';
import type { SweepPlan } from '../../bench/sweep/plan.js';
import { cliIo } from './cli-io.js';

/** The image the Job runs unless --image says: the one the README's build command tags. */
export function defaultImage(): string {
  return `ghcr.io/anvil/anvil:${anvilVersion()}`;
}

export function emitK8sJob(file: string, plan: SweepPlan, options: Partial<K8sJobOptions>): void {
  const text = readFileSync(file, 'utf8');
  const documents = k8sSweepJob(text, plan, {
    shards: options.shards ?? 4,
    image: options.image ?? defaultImage(),
    resultsClaim: options.resultsClaim ?? 'anvil-sweep-results',
    ...(options.resultsBucket !== undefined ? { resultsBucket: options.resultsBucket } : {}),
    ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
    ...(options.cpu !== undefined ? { cpu: options.cpu } : {}),
    ...(options.memory !== undefined ? { memory: options.memory } : {}),
  });
  cliIo().stdout.write(documents.map((d) => stringify(d, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n'));
}
