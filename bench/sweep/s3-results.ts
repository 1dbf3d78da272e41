/**
 * A shard's results in a bucket: the same point folders as on a volume (points/ID/..., failed/ID.json),
 * each point run by the one point runner into a local staging folder and then uploaded, its point.json
 * last, so a point with point.json in the bucket is complete (as a renamed folder is on a volume). A
 * point whose uploaded point.json has the same digest is not run again; a shard killed mid-upload leaves a
 * point without point.json, which the next run replaces whole. `anvil sweep merge` downloads the complete
 * points into a local folder and merges them like any other.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureOutputDir } from '../results/output-dir.js';
import { anvilVersion } from '../package-root.js';
import type { SweepPlan } from './plan.js';
import { pointInputs } from './point-inputs.js';
import { POINT_MANIFEST, pointsDir, runPoint, type PointManifest, type PointOutcome, type ScenarioRunner } from './run-point.js';
import { SweepBucket, type S3Connection } from './s3-bucket.js';

/** The digest of point `id`'s complete copy in the bucket, or undefined when it has none. */
async function uploadedDigest(bucket: SweepBucket, id: string): Promise<string | undefined> {
  const bytes = await bucket.get(`points/${id}/${POINT_MANIFEST}`);
  if (bytes === undefined) return undefined;
  try {
    return (JSON.parse(Buffer.from(bytes).toString('utf8')) as PointManifest).digest;
  } catch {
    return undefined;
  }
}

/** Files under `dir`, relative names, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) names.push(...filesUnder(join(dir, entry.name), `${prefix}${entry.name}/`));
    else names.push(`${prefix}${entry.name}`);
  }
  return names.sort();
}

/** Replaces point `id`'s copy in the bucket with the folder `local`: the old copy's point.json goes first, the new one last. */
async function uploadPoint(bucket: SweepBucket, id: string, local: string): Promise<void> {
  const base = `points/${id}/`;
  const old = await bucket.list(base);
  const manifestKey = `${base}${POINT_MANIFEST}`;
  await bucket.delete(old.filter((k) => k === manifestKey));
  await bucket.delete(old.filter((k) => k !== manifestKey));
  const files = filesUnder(local).filter((f) => f !== POINT_MANIFEST);
  for (const file of files) await bucket.put(`${base}${file}`, readFileSync(join(local, file)));
  await bucket.put(manifestKey, readFileSync(join(local, POINT_MANIFEST)));
}

/**
 * Runs the points `indices` of `plan` with their results in the bucket at `url`, each staged in a
 * temporary folder; `add` is told each outcome.
 */
export async function runPointsToBucket(
  plan: SweepPlan,
  indices: readonly number[],
  url: string,
  connection: S3Connection,
  add: (outcome: PointOutcome) => void,
  scenarioRunner?: ScenarioRunner,
): Promise<void> {
  const bucket = await SweepBucket.open(url, connection);
  const staging = mkdtempSync(join(tmpdir(), 'anvil-shard-'));
  const version = anvilVersion();
  try {
    for (const index of indices) {
      const point = plan.points[index]!;
      let digest: string | undefined;
      try {
        digest = pointInputs(plan, point, version).digest;
      } catch {
        digest = undefined; // the point runner records why
      }
      if (digest !== undefined && (await uploadedDigest(bucket, point.id)) === digest) {
        add({ index, id: point.id, status: 'skipped' });
        continue;
      }
      const outcome = await runPoint(plan, index, staging, scenarioRunner);
      const failedRecord = `failed/${point.id}.json`;
      if (outcome.status === 'failed') {
        try {
          await bucket.put(failedRecord, readFileSync(join(staging, failedRecord)));
        } finally {
          rmSync(join(staging, failedRecord), { force: true });
        }
      } else {
        const local = join(pointsDir(staging), point.id);
        await uploadPoint(bucket, point.id, local);
        await bucket.delete([failedRecord]);
        rmSync(local, { recursive: true, force: true });
      }
      add(outcome);
    }
  } finally {
    bucket.close();
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Downloads the complete points (those with point.json) and the failure records of the sweep results at
 * `url` into the folder `dir`, laid out as a shard's --out folder.
 */
export async function downloadSweepResults(url: string, connection: S3Connection, dir: string): Promise<void> {
  const bucket = await SweepBucket.open(url, connection);
  try {
    const keys = await bucket.list('');
    const complete = new Set(
      keys.filter((k) => /^points\/[^/]+\/point\.json$/.test(k)).map((k) => k.slice('points/'.length, -`/${POINT_MANIFEST}`.length)),
    );
    ensureOutputDir(pointsDir(dir));
    ensureOutputDir(join(dir, 'failed'));
    for (const key of keys) {
      const parts = key.split('/');
      const wanted =
        (parts[0] === 'points' && parts.length >= 3 && complete.has(parts[1]!) && !parts.includes('..')) ||
        (parts[0] === 'failed' && parts.length === 2 && key.endsWith('.json'));
      if (!wanted) continue;
      const bytes = await bucket.get(key);
      if (bytes === undefined) continue; // deleted since it was listed: a shard is rewriting it
      const file = join(dir, ...parts);
      ensureOutputDir(join(dir, ...parts.slice(0, -1)));
      writeFileSync(file, bytes);
    }
  } finally {
    bucket.close();
  }
}
