/**
 * `anvil sweep FILE --emit k8s-job` (issue 21): a ConfigMap with the sweep made self-contained and a
 * batch/v1 Indexed Job whose pods run the shard command on it; both validate against the Kubernetes API
 * schema (kubernetes-models), and the fields that make it a sweep are checked.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseSweep } from '../../bench/sweep/plan.js';
import { pointInputs } from '../../bench/sweep/point-inputs.js';
import { writeFiles } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const JOB = '[global]\nrw=randread\nbs=4k\nruntime=20ms\ntime_based\n[randread-4k]\n';
const SWEEP = `kind: Sweep
base: jobs/randread.fio
profile: profiles/slow.yaml
seeds: [1, 2]
axes:
  - option: iodepth
    range: { from: 1, to: 256, factor: 4 }
  - profile: controller.cores
    values: [2, 4]
`;

function emitted(args: string[]) {
  const dir = writeFiles({ 'P4510_qd.yaml': SWEEP });
  mkdirSync(join(dir, 'jobs'));
  mkdirSync(join(dir, 'profiles'));
  writeFileSync(join(dir, 'jobs', 'randread.fio'), JOB);
  copyFileSync(join('sim', 'profiles', 'intel-p4510-4tb.yaml'), join(dir, 'profiles', 'slow.yaml'));
  const r = spawnSync(process.execPath, [BIN, 'sweep', 'P4510_qd.yaml', '--emit', 'k8s-job', ...args], { cwd: dir, encoding: 'utf8' });
  return { dir, r, docs: parseAllDocuments(r.stdout).map((d) => d.toJS() as Record<string, unknown>) };
}

describe('anvil sweep --emit k8s-job', () => {
  it('writes a ConfigMap and a batch/v1 Job that validate against the Kubernetes API schema', () => {
    const { r, docs } = emitted(['--shards', '6', '--parallelism', '3', '--image', 'registry.example/anvil:1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(docs.map((d) => d.kind)).toEqual(['ConfigMap', 'Job']);
    expect(() => new ConfigMap(docs[0] as never).validate()).not.toThrow();
    expect(() => new Job(docs[1] as never).validate()).not.toThrow();
    // The validator is not a formality: the same Job with a wrong type is refused.
    const broken = structuredClone(docs[1]) as { spec: { completions: unknown } };
    broken.spec.completions = 'six';
    expect(() => new Job(broken as never).validate()).toThrow();
  });

  it('runs the shard command on the ConfigMap, one shard per index, with resources and the results volume', () => {
    const { docs } = emitted(['--shards', '6', '--parallelism', '3', '--image', 'registry.example/anvil:1', '--results-claim', 'sweeps']);
    const job = new Job(docs[1] as never);
    const spec = job.spec!;
    expect(job.apiVersion).toBe('batch/v1');
    expect(job.metadata?.name).toBe('anvil-sweep-p4510-qd');
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBe(6);
    expect(spec.parallelism).toBe(3);
    expect(spec.backoffLimitPerIndex).toBeGreaterThan(0);
    const pod = spec.template.spec!;
    expect(pod.restartPolicy).toBe('Never');
    const container = pod.containers[0]!;
    expect(container.image).toBe('registry.example/anvil:1');
    expect(container.command).toEqual(['anvil', 'sweep', 'run-shard', '/sweep/sweep.yaml', '--shards', '6', '--out', '/results/p4510-qd']);
    expect(container.resources?.requests).toEqual({ cpu: '1', memory: '3Gi' });
    expect(container.resources?.limits).toEqual({ cpu: '1', memory: '3Gi' });
    const mounts = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.name, m.mountPath]));
    expect(mounts).toEqual({ sweep: '/sweep', results: '/results' });
    const volumes = Object.fromEntries((pod.volumes ?? []).map((v) => [v.name, v]));
    expect(volumes.sweep?.configMap?.name).toBe((docs[0] as { metadata: { name: string } }).metadata.name);
    expect(volumes.results?.persistentVolumeClaim?.claimName).toBe('sweeps');
  });

  it('writes to an S3-compatible bucket instead, its credentials from a Secret through the environment, never inline', () => {
    const { r, docs } = emitted([
      '--shards',
      '2',
      '--results-bucket',
      's3://anvil-sweeps/p4510-qd',
      '--s3-endpoint',
      'http://minio.storage:9000',
      '--s3-secret',
      'sweep-s3',
    ]);
    expect(r.stderr).toBe('');
    const job = new Job(docs[1] as never);
    expect(() => job.validate()).not.toThrow();
    const pod = job.spec!.template.spec!;
    const container = pod.containers[0]!;
    expect(container.command).toEqual([
      'anvil',
      'sweep',
      'run-shard',
      '/sweep/sweep.yaml',
      '--shards',
      '2',
      '--results',
      's3://anvil-sweeps/p4510-qd',
      '--s3-endpoint',
      'http://minio.storage:9000',
    ]);
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
    expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']);
    for (const e of Object.values(env)) {
      expect(e.value, e.name).toBeUndefined();
      expect(e.valueFrom?.secretKeyRef).toMatchObject({ name: 'sweep-s3', key: e.name });
    }
    expect(env.AWS_ACCESS_KEY_ID?.valueFrom?.secretKeyRef?.optional).toBeUndefined();
    // No results volume: only the sweep's ConfigMap is mounted.
    expect((pod.volumes ?? []).map((v) => v.name)).toEqual(['sweep']);
    expect((container.volumeMounts ?? []).map((m) => m.name)).toEqual(['sweep']);
  });

  it('refuses a bucket that is not an s3:// URL, and bucket flags without --emit k8s-job', () => {
    const bad = emitted(['--results-bucket', '/mnt/results']);
    expect(bad.r.status).toBe(2);
    expect(bad.r.stderr).toMatch(/^ANVIL_ERR_USAGE: \/mnt\/results is not an s3:\/\/ URL/);
    const dir = writeFiles({
      'qd.yaml': 'kind: Sweep\njob: |\n  [j]\n  rw=read\n  runtime=1ms\naxes:\n  - option: iodepth\n    values: [1]\n',
    });
    const local = spawnSync(process.execPath, [BIN, 'sweep', 'qd.yaml', '--results-bucket', 's3://b-b-b/x'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(local.status).toBe(2);
    expect(local.stderr).toMatch(/^ANVIL_ERR_USAGE: --results-bucket and --s3-endpoint go with --emit k8s-job/);
  });

  it('holds a sweep with nothing outside it that gives the same points as the file it came from', () => {
    const { dir, docs } = emitted([]);
    const data = (docs[0] as { data: Record<string, string> }).data;
    expect(Object.keys(data).sort()).toEqual(['profile.yaml', 'sweep.yaml']);
    const mounted = writeFiles(data);
    const original = parseSweep(SWEEP, join(dir, 'P4510_qd.yaml'));
    const fromConfigMap = parseSweep(data['sweep.yaml']!, join(mounted, 'sweep.yaml'));
    expect(fromConfigMap.points.length).toBe(5 * 2 * 2);
    expect(fromConfigMap.points.map((p) => pointInputs(fromConfigMap, p, 'v').digest)).toEqual(
      original.points.map((p) => pointInputs(original, p, 'v').digest),
    );
  });
});
