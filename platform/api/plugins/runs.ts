/**
 * The runs `anvil serve --runs DIR` knows of (run-folders.ts): the list, and each run's IOPS and latency
 * percentiles per pod over time. A run's pods are the scenario's, not the cluster's tenants: the runs are
 * the cluster's view (a cluster-wide cluster-view role), as its Prometheus metrics are, except a run started
 * under a tenant (POST /runs with tenant), which that tenant's users see too (run-access.ts).
 */
import type { FastifyPluginAsync } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { allows, authorize } from '../../domain/tenancy.js';
import { authorizeRun, mayListRuns, mayViewRunOf, runOwnerOf } from '../run-access.js';
import { actorOf } from '../auth.js';
import { answer } from '../object-schemas.js';
import { bearer, NoQuery, responses } from '../schemas.js';
import { listRuns, runDir, runIntervals, RUN_ID_PATTERN } from '../run-folders.js';
import type { LiveRuns } from '../live-runs.js';
import { LiveRunViewSchema } from './live-runs.js';

const RunListingView = answer(
  {
    id: Type.String({
      description: "the run's folder in the runs folder; a check's run (anvil check --out) is CHECK/SCENARIO/STACK/seed-N",
    }),
    target: Type.String({ description: 'sim (the model) or host (fio on machines)' }),
    scenario: Type.String({ description: "the scenario's name, or the job file" }),
    stack: Type.Optional(Type.String({ description: "a scenario run's stack: hci or diy" })),
    seed: Type.Number(),
    duration_s: Type.Optional(Type.Number({ description: 'simulated seconds' })),
    pods: Type.Optional(Type.Integer({ description: "a scenario run's pods" })),
    finished_at: Type.String({ description: 'when summary.json was written, ISO 8601 UTC' }),
    verdict: Type.Optional(
      answer(
        {
          status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skipped')], {
            description: 'fail if a check failed, skipped if none was judged, else pass',
          }),
          checks: Type.Integer(),
          passed: Type.Integer(),
          failed: Type.Integer(),
          skipped: Type.Integer(),
        },
        "the SLA verdict of the run folder's verdicts.json (anvil check --out); absent when it has none",
      ),
    ),
  },
  'a run',
);
const RunList = Type.Object(
  {
    folder: Type.Union([Type.String(), Type.Null()], { description: 'the runs folder (anvil serve --runs); null when none was given' }),
    runs: Type.Array(RunListingView, { description: 'newest first' }),
    live: Type.Array(LiveRunViewSchema, {
      description: 'the runs this server started (POST /runs), newest first: running, and the last finished ones',
    }),
  },
  { description: 'the runs of the runs folder' },
);
const RunIntervalView = answer(
  {
    time_s: Type.Number({ description: 'end of the interval, s since the start of the run' }),
    pod: Type.String({ description: 'namespace/name of the pod; the fio job for a job-file run' }),
    direction: Type.String({ description: 'read or write' }),
    iops: Type.Number({ description: 'I/Os per second over the interval' }),
    clat_p50_us: Type.Number({ description: 'median completion latency, us' }),
    clat_p99_us: Type.Number({ description: '99th percentile completion latency, us' }),
  },
  "one pod's interval in one direction",
);
/** A run's id as the path parameter of its routes. */
export const RunParams = Type.Object({
  id: Type.String({
    pattern: RUN_ID_PATTERN,
    description: "the run's folder in the runs folder; a check's run CHECK/SCENARIO/STACK/seed-N, its / sent as %2F",
  }),
});

export const runsPlugin: FastifyPluginAsync<{ folder: string | undefined; live: LiveRuns }> = async (app, { folder, live }) => {
  const s = { tags: ['runs'], security: bearer };
  app.get(
    '/runs',
    {
      schema: {
        ...s,
        operationId: 'listRuns',
        summary: 'the runs of the runs folder',
        description:
          "Every results folder of anvil serve --runs DIR (a folder holding a summary.json, or a run of a check folder holding a verdicts.json), newest first: target, scenario, stack, seed, simulated seconds, and the SLA verdict where the folder holds a verdicts.json (anvil check --out). The cluster's view sees every run; a tenant's user (container view in the tenant) only the runs started under its tenant (POST /runs with tenant).",
        querystring: NoQuery,
        response: responses(RunList),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      if (!mayListRuns(actor)) authorize(actor, 'cluster', 'view');
      const runs = folder === undefined ? [] : listRuns(folder);
      if (allows(actor, 'cluster', 'view')) return { folder: folder ?? null, runs, live: live.list() };
      // A tenant's user: the runs started under a tenant it may view, from the record in each run's folder.
      return {
        folder: folder ?? null,
        runs: runs.filter((r) => mayViewRunOf(actor, runOwnerOf(runDir(folder!, r.id))?.tenant)),
        live: live.list().filter((r) => mayViewRunOf(actor, r.tenant)),
      };
    },
  );
  app.get<{ Params: Static<typeof RunParams> }>(
    '/runs/:id/intervals',
    {
      schema: {
        ...s,
        operationId: 'getRunIntervals',
        summary: "a run's IOPS and latency per pod over time",
        description:
          "Each interval's IOPS and p50 and p99 completion latency per pod (or job) and direction, from the run's intervals.arrow.",
        params: RunParams,
        querystring: NoQuery,
        response: responses(Type.Array(RunIntervalView, { description: 'in time order' })),
      },
    },
    async (req) => {
      const id = req.params.id;
      authorizeRun(actorOf(req), folder, id, live.get(id)?.owner.tenant);
      if (folder === undefined)
        throw new AnvilError(
          'ANVIL_ERR_OBJECT_NOT_FOUND',
          `no run ${id}: this server has no runs folder; start anvil serve with --runs DIR`,
        );
      return runIntervals(runDir(folder, id), id);
    },
  );
};
