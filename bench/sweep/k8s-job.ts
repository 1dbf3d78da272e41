/**
 * A sweep as a Kubernetes Indexed Job (`anvil sweep FILE --emit k8s-job`): a ConfigMap holding the sweep
 * made self-contained (the base job file and a profile file inlined) and a batch/v1 Job with
 * `completionMode: Indexed` whose pods each run `anvil sweep run-shard` on it, the pod's shard read from
 * JOB_COMPLETION_INDEX, writing their points to a shared volume or an S3-compatible bucket (credentials
 * from a Secret). `anvil sweep merge` on that volume or bucket then gives the merged table. Plain objects: the CLI prints them as YAML.
 */
import { parseYamlFile } from '../../platform/yaml-input.js';
import { dnsLabel, type SweepPlan } from './plan.js';
import { POINT_PROFILE_FILE } from './point-inputs.js';
import { POINT_SCENARIO_FILE, selfContainedScenario } from './scenario-base.js';

/** Where the pods see the sweep file (the ConfigMap's mount). */
export const SWEEP_MOUNT = '/sweep';
/** Where the pods write results (the results volume's mount). */
export const RESULTS_MOUNT = '/results';

export interface K8sJobOptions {
  /** The Job's completions: one shard per index. */
  readonly shards: number;
  /** Pods at a time (default: all shards). */
  readonly parallelism?: number;
  /** The workbench image (the repository's Containerfile). */
  readonly image: string;
  /** The PersistentVolumeClaim the shards write to (ReadWriteMany when pods share nodes unevenly). */
  readonly resultsClaim: string;
  /** Results in an S3-compatible bucket instead of the claim: s3://BUCKET/PREFIX, reached as below. */
  readonly resultsBucket?: {
    readonly url: string;
    /** The Secret whose keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and optionally AWS_SESSION_TOKEN, AWS_REGION) the pods get as environment. */
    readonly secret: string;
    /** An S3-compatible store's URL (path-style); default: the AWS environment's. */
    readonly endpoint?: string;
  };
  /** Retries of each index before it counts as failed. */
  readonly backoffLimitPerIndex?: number;
  /** Each pod's CPU, cores (a shard runs its points one after another). */
  readonly cpu?: string;
  /** Each pod's memory, a Kubernetes quantity. */
  readonly memory?: string;
}

/**
 * The sweep file's text with nothing outside it: `job` inlined for `base`, a profile file as profile.yaml
 * beside it; a scenario sweep's base as scenario.yaml beside it with the files the scenario names (`files`).
 */
export function selfContainedSweep(
  sweepText: string,
  plan: SweepPlan,
): { sweep: string; profile: string | undefined; files: Record<string, string> } {
  const doc = parseYamlFile(sweepText, plan.file, 'ANVIL_ERR_SWEEP').doc;
  if (plan.scenario) {
    const { text, files } = selfContainedScenario(plan.scenario);
    doc.set('base', POINT_SCENARIO_FILE);
    doc.set('name', plan.name);
    return { sweep: doc.toString(), profile: undefined, files: { [POINT_SCENARIO_FILE]: text, ...files } };
  }
  doc.delete('base');
  doc.set('job', plan.jobText);
  doc.set('name', plan.name);
  const profileIsFile = plan.profileText !== undefined && plan.profile.includes('/');
  if (profileIsFile) doc.set('profile', POINT_PROFILE_FILE);
  return { sweep: doc.toString(), profile: profileIsFile ? plan.profileText : undefined, files: {} };
}

/** The AWS environment variables of a shard's pod, each from the key of the same name in `secret`. */
function bucketEnvironment(secret: string): object[] {
  const fromSecret = (key: string, optional: boolean) => ({
    name: key,
    valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } },
  });
  return [
    fromSecret('AWS_ACCESS_KEY_ID', false),
    fromSecret('AWS_SECRET_ACCESS_KEY', false),
    fromSecret('AWS_SESSION_TOKEN', true),
    fromSecret('AWS_REGION', true),
  ];
}

/** The ConfigMap and the Job that run `plan` as an Indexed Job. */
export function k8sSweepJob(sweepText: string, plan: SweepPlan, options: K8sJobOptions): [object, object] {
  const name = `anvil-sweep-${dnsLabel(plan.name, 50)}`;
  const labels = { 'app.kubernetes.io/name': 'anvil', 'app.kubernetes.io/component': 'sweep', 'anvil.dev/sweep': dnsLabel(plan.name, 63) };
  const { sweep, profile, files } = selfContainedSweep(sweepText, plan);
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels },
    data: { 'sweep.yaml': sweep, ...(profile !== undefined ? { [POINT_PROFILE_FILE]: profile } : {}), ...files },
  };
  const bucket = options.resultsBucket;
  const out = bucket ? bucket.url : `${RESULTS_MOUNT}/${dnsLabel(plan.name, 63)}`;
  const results = bucket
    ? {
        volumes: [],
        mounts: [],
        flags: ['--results', bucket.url, ...(bucket.endpoint !== undefined ? ['--s3-endpoint', bucket.endpoint] : [])],
      }
    : {
        volumes: [{ name: 'results', persistentVolumeClaim: { claimName: options.resultsClaim } }],
        mounts: [{ name: 'results', mountPath: RESULTS_MOUNT }],
        flags: ['--out', out],
      };
  const cpu = options.cpu ?? '1';
  const memory = options.memory ?? '3Gi';
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: options.shards,
      parallelism: Math.min(options.parallelism ?? options.shards, options.shards),
      // A shard whose pod fails (a node lost, or a point failed: run-shard exits 1 after running all its
      // points) is retried alone, the others go on; a retry runs only the points not yet in place.
      backoffLimitPerIndex: options.backoffLimitPerIndex ?? 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'anvil',
              image: options.image,
              // The shard's index is JOB_COMPLETION_INDEX, which Kubernetes sets in every pod of an Indexed Job.
              command: ['anvil', 'sweep', 'run-shard', `${SWEEP_MOUNT}/sweep.yaml`, '--shards', `${options.shards}`, ...results.flags],
              // The bucket's credentials from a Secret, never in the Job itself.
              ...(bucket ? { env: bucketEnvironment(bucket.secret) } : {}),
              resources: { requests: { cpu, memory }, limits: { cpu, memory } },
              volumeMounts: [{ name: 'sweep', mountPath: SWEEP_MOUNT, readOnly: true }, ...results.mounts],
            },
          ],
          volumes: [{ name: 'sweep', configMap: { name } }, ...results.volumes],
        },
      },
    },
  };
  return [configMap, job];
}
