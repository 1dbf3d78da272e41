/**
 * The merged table of a sweep (`sweep.arrow`, and `sweep.parquet`): one row per point and job direction, the point's index,
 * its axes as columns and its seed, then the columns of the point's jobs.arrow. Built from the point
 * folders alone, so a local run and `anvil sweep merge` over the shards' folders give the same bytes: rows
 * in point order, a point found in several folders counted once, points neither found nor failed listed
 * as missing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DataType, tableFromIPC, type Table } from 'apache-arrow';
import { AnvilError } from '../../platform/errors.js';
import { toIpc, type Column } from '../results/arrow-tables.js';
import { numberOf } from '../results/table-columns.js';
import type { SweepPlan } from './plan.js';
import { POINT_MANIFEST, pointsDir, type PointManifest } from './run-point.js';
import { MAX_SWEEP_POINTS } from './schema.js';

/** The merged table's file name in a sweep's folder. */
export const SWEEP_TABLE = 'sweep.arrow';
/** The same table as Parquet. */
export const SWEEP_PARQUET = 'sweep.parquet';

export interface FoundPoint {
  readonly manifest: PointManifest;
  /** Its folder. */
  readonly dir: string;
}

export interface FailedPoint {
  readonly index: number;
  readonly id: string;
  readonly error: string;
}

export interface SweepFolders {
  /** Complete points by index, in index order. */
  readonly points: readonly FoundPoint[];
  /** Points a folder records as failed and none holds as complete. */
  readonly failed: readonly FailedPoint[];
  /** Indices neither complete nor failed, up to the number of points the manifests give. */
  readonly missing: readonly number[];
  readonly total: number;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/**
 * Which sweep a point belongs to: its sweep's name, axis names and number of points. Point folders are
 * named by index, so points of sweeps that differ in any of these are not interchangeable (a point of
 * another sweep must neither be merged nor replaced by this one's); a sweep whose axis values changed
 * is the same sweep, its changed points run again.
 */
export interface SweepIdentity {
  readonly sweep: string;
  readonly axes: readonly string[];
  readonly points: number;
}

function identityOfManifest(m: PointManifest): SweepIdentity {
  return { sweep: m.sweep, axes: Array.isArray(m.axes) ? m.axes.map(([name]) => name) : [], points: m.points };
}

/** The identity of `plan`'s points. */
export function identityOfPlan(plan: SweepPlan): SweepIdentity {
  return { sweep: plan.name, axes: plan.axes.map((a) => a.name), points: plan.points.length };
}

function sameSweep(a: SweepIdentity, b: SweepIdentity): boolean {
  return a.sweep === b.sweep && a.points === b.points && a.axes.length === b.axes.length && a.axes.every((n, i) => n === b.axes[i]);
}

/** `sweep NAME, N points, axes A, B` for messages. */
export function describeSweep(i: SweepIdentity): string {
  return `sweep ${i.sweep}, ${i.points} point${i.points === 1 ? '' : 's'}, axes ${i.axes.length > 0 ? i.axes.join(', ') : '(none)'}`;
}

/** The manifests of the complete points in `dir`'s points/ folder (none when it has none), with their files. */
function pointManifests(dir: string): Array<{ file: string; manifest: PointManifest }> {
  const points = pointsDir(dir);
  // Temporary folders (.tmp-*) are points a run was killed in: not results.
  const names = existsSync(points)
    ? readdirSync(points)
        .filter((n) => !n.startsWith('.'))
        .sort()
    : [];
  const found: Array<{ file: string; manifest: PointManifest }> = [];
  for (const name of names) {
    const file = join(points, name, POINT_MANIFEST);
    const manifest = readJson<PointManifest>(file);
    if (manifest) found.push({ file, manifest });
  }
  return found;
}

/**
 * Refuses to run `plan` into the folder `out` when it holds points of another sweep (see
 * `SweepIdentity`): this sweep would replace some of them and merge the rest into its table.
 */
export function refuseAnotherSweep(plan: SweepPlan, out: string): void {
  const mine = identityOfPlan(plan);
  for (const { file, manifest } of pointManifests(out)) {
    const theirs = identityOfManifest(manifest);
    if (sameSweep(mine, theirs)) continue;
    throw new AnvilError(
      'ANVIL_ERR_SWEEP',
      `${out} holds the results of another sweep (${describeSweep(theirs)}, as ${file} says); this one is ${describeSweep(mine)}. ` +
        `Give another --out folder, or move ${pointsDir(out)} and ${join(out, 'failed')} away to replace those results`,
    );
  }
}

/** What the sweep folders `dirs` hold: complete points (the first folder's copy of each), failed and missing ones. */
export function readSweepFolders(dirs: readonly string[]): SweepFolders {
  const byIndex = new Map<number, FoundPoint>();
  const failedByIndex = new Map<number, FailedPoint>();
  let total = 0;
  let first: { file: string; identity: SweepIdentity } | undefined;
  for (const dir of dirs) {
    const points = pointsDir(dir);
    if (!existsSync(points) && !existsSync(join(dir, 'failed')))
      throw new AnvilError(
        'ANVIL_ERR_FILE_NOT_FOUND',
        `${dir} holds no sweep results (no points/ folder); give the --out folder of a sweep or shard`,
      );
    for (const { file, manifest } of pointManifests(dir)) {
      // `points` sizes the missing-points loop below: a corrupt or hostile manifest must not make it endless.
      if (!Number.isSafeInteger(manifest.points) || manifest.points < 0 || manifest.points > MAX_SWEEP_POINTS)
        throw new AnvilError(
          'ANVIL_ERR_SWEEP',
          `${file}: points is ${String(manifest.points)}; a sweep has 0 to ${MAX_SWEEP_POINTS} points (remove or re-run this point's folder)`,
        );
      // One table has one sweep's columns: points of another sweep are refused, not merged.
      const identity = identityOfManifest(manifest);
      if (!first) first = { file, identity };
      else if (!sameSweep(first.identity, identity))
        throw new AnvilError(
          'ANVIL_ERR_SWEEP',
          `${file} is a point of another sweep (${describeSweep(identity)}) than ${first.file} (${describeSweep(first.identity)}); ` +
            `merge one sweep's folders at a time, or move the other sweep's points/ folder away`,
        );
      total = Math.max(total, manifest.points);
      if (!byIndex.has(manifest.index)) byIndex.set(manifest.index, { manifest, dir: dirname(file) });
    }
    const failedDir = join(dir, 'failed');
    const failedNames = existsSync(failedDir)
      ? readdirSync(failedDir)
          .filter((n) => n.endsWith('.json'))
          .sort()
      : [];
    for (const name of failedNames) {
      const f = readJson<FailedPoint>(join(failedDir, name));
      if (f && !failedByIndex.has(f.index)) failedByIndex.set(f.index, f);
    }
  }
  const failed = [...failedByIndex.values()].filter((f) => !byIndex.has(f.index)).sort((a, b) => a.index - b.index);
  const missing: number[] = [];
  for (let i = 0; i < total; i++) if (!byIndex.has(i) && !failedByIndex.has(i)) missing.push(i);
  return { points: [...byIndex.values()].sort((a, b) => a.manifest.index - b.manifest.index), failed, missing, total };
}

/** A jobs.arrow field's type as a column type (a type read back from IPC is the generic Int, not Int32/Int64). */
function columnType(type: DataType): Column['type'] {
  if (DataType.isUtf8(type)) return 'utf8';
  if (DataType.isInt(type)) return type.bitWidth === 64 ? 'i64' : 'i32';
  return 'f64';
}

/** A point's jobs.arrow; ANVIL_ERR_SWEEP naming it when it is missing or not an Arrow table. */
function readJobsTable(file: string): Table {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_SWEEP',
      `${file}: cannot read the point's results (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); remove the point's folder and run it again`,
    );
  }
  try {
    return tableFromIPC(bytes);
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_SWEEP',
      `${file}: is not an Arrow IPC table (${(e as Error).message}); remove the point's folder and run it again`,
    );
  }
}

/** The merged table's IPC bytes for `points` (in index order). */
export function mergedTable(points: readonly FoundPoint[]): Uint8Array {
  const first = points[0]?.manifest;
  const axisNames = first ? first.axes.map(([name]) => name) : [];
  const numeric = axisNames.map((_, i) => points.every((p) => typeof p.manifest.axes[i]?.[1] === 'number'));
  const fixed: Column[] = [
    { name: 'point', type: 'i32', values: [], doc: "the point's index in the sweep's order" },
    ...axisNames.map((name, i): Column => ({ name, type: numeric[i] ? 'f64' : 'utf8', values: [], doc: `sweep axis ${name}` })),
    { name: 'seed', type: 'i64', values: [], doc: "the point's seed" },
  ];
  const jobCols = new Map<string, Column>();
  let rows = 0;
  for (const { manifest, dir } of points) {
    const jobs = readJobsTable(join(dir, 'jobs.arrow'));
    for (const field of jobs.schema.fields) {
      if (!jobCols.has(field.name)) {
        const type = columnType(field.type);
        const doc = field.metadata.get('description') ?? field.name;
        jobCols.set(field.name, { name: field.name, type, values: new Array(rows).fill(type === 'utf8' ? '' : NaN), doc });
      }
    }
    for (let r = 0; r < jobs.numRows; r++) {
      fixed[0]!.values.push(manifest.index);
      manifest.axes.forEach(([, value], i) => fixed[i + 1]!.values.push(numeric[i] ? Number(value) : String(value)));
      fixed[fixed.length - 1]!.values.push(manifest.seed);
      for (const col of jobCols.values()) {
        const value: unknown = jobs.getChild(col.name)?.get(r);
        col.values.push(col.type === 'utf8' ? ((value ?? '') as string) : numberOf(value));
      }
    }
    rows += jobs.numRows;
  }
  const metadata = new Map<string, string>([
    ['sweep', first?.sweep ?? ''],
    ['anvil_version', first?.anvil_version ?? ''],
    ['points', `${points.length}`],
  ]);
  return toIpc([...fixed, ...jobCols.values()], metadata);
}
