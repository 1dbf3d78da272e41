/**
 * Who may see which run. The cluster's view (cluster-view) sees every run. A tenant's user sees the runs
 * started under its tenant (POST /runs with a tenant, recorded in the run's folder as started-by.json, so
 * the record outlives the server): a run it may view containers of that tenant in. Any other run, another
 * tenant's or none at all, is refused with the same answer, so a tenant learns nothing of the others' runs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allows, authorize, rolesOf, type Actor } from '../domain/tenancy.js';
import { RUN_ID_PATTERN } from './run-folders.js';

/** The file of a run's folder naming who started it from the API and under which tenant. */
export const RUN_OWNER_FILE = 'started-by.json';

/** Who started a run from the API, and the tenant it was started under (null: the cluster's own). */
export interface RunOwner {
  readonly started_by: string;
  readonly tenant: string | null;
}

/** Records `owner` in the run's folder `dir`, as the run starts. */
export function writeRunOwner(dir: string, owner: RunOwner): void {
  writeFileSync(join(dir, RUN_OWNER_FILE), `${JSON.stringify(owner)}\n`);
}

/** The owner recorded in `dir`, or undefined for a run not started from the API (or a record unreadable). */
export function runOwnerOf(dir: string): RunOwner | undefined {
  try {
    const doc = JSON.parse(readFileSync(join(dir, RUN_OWNER_FILE), 'utf8')) as Partial<RunOwner>;
    if (typeof doc.started_by !== 'string' || !(typeof doc.tenant === 'string' || doc.tenant === null)) return undefined;
    return { started_by: doc.started_by, tenant: doc.tenant };
  } catch {
    return undefined;
  }
}

const runId = new RegExp(RUN_ID_PATTERN);

/** May `actor` see a run of tenant `tenant` (undefined or null: a run of the cluster's own)? */
export function mayViewRunOf(actor: Actor, tenant: string | null | undefined): boolean {
  if (allows(actor, 'cluster', 'view')) return true;
  return typeof tenant === 'string' && allows(actor, 'container', 'view', tenant);
}

/**
 * Throws the refusal of the cluster's view unless `actor` may see run `id`, whose tenant is `liveTenant` for
 * a run this server keeps, else the one recorded in its folder of `folder`. The refusal is the same for a run
 * of another tenant and for no run at all.
 */
export function authorizeRun(actor: Actor, folder: string | undefined, id: string, liveTenant?: string | null): void {
  if (allows(actor, 'cluster', 'view')) return;
  const tenant =
    liveTenant !== undefined
      ? liveTenant
      : folder !== undefined && runId.test(id)
        ? runOwnerOf(join(folder, ...id.split('/')))?.tenant
        : undefined;
  if (mayViewRunOf(actor, tenant)) return;
  authorize(actor, 'cluster', 'view');
}

/** Whether `actor` may see runs of any tenant at all (the cluster's view, or container view in a tenant). */
export function mayListRuns(actor: Actor): boolean {
  if (allows(actor, 'cluster', 'view')) return true;
  return actor.roles.some((text) => rolesOf(text).some((r) => r.cls === 'container'));
}
