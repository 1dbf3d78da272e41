/**
 * A run's page beyond its intervals (run-figures.ts): its SLA verdicts, its latency CDFs and its nodes'
 * utilisation, for the runs of `anvil serve --runs DIR`. Seen by whom sees the run (run-access.ts), as GET /runs.
 */
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { authorizeRun } from '../run-access.js';
import type { LiveRuns } from '../live-runs.js';
import { actorOf } from '../auth.js';
import { answer } from '../object-schemas.js';
import { bearer, NoQuery, responses } from '../schemas.js';
import { runDir } from '../run-folders.js';
import { CDF_FRACTIONS, MAX_CDF_SERIES, runLatencyCdf, runNodeUtilisation, runVerdicts } from '../run-figures.js';
import { RunParams } from './runs.js';

const VerdictView = answer(
  {
    sla: Type.String({ description: "the SLA's name in the scenario" }),
    check: Type.String({ description: 'min_iops, min_bandwidth, max_latency_pNN, max_outage, max_admitted_pods or min_admitted_pods' }),
    window: Type.Union([Type.Literal('run'), Type.Literal('interval')], {
      description: 'run: judged over the whole run; interval: each interval judged, the worst one shown',
    }),
    scope: Type.String({ description: 'what the SLA covers: pod NAMESPACE/NAME, tenant NAME or tier NAME' }),
    unit: Type.Union([Type.Literal('IOPS'), Type.Literal('bytes/s'), Type.Literal('ns'), Type.Literal('pods')], {
      description: 'the unit of measured, limit, allowed and margin',
    }),
    limit: Type.Number({ description: "the SLA's limit, in unit" }),
    tolerance: Type.Number({ description: 'fraction the figure may miss the limit by, 0..1' }),
    allowed: Type.Number({ description: 'the limit with the tolerance applied: what the measured figure is held to, in unit' }),
    measured: Type.Union([Type.Number(), Type.Null()], { description: 'the measured figure, in unit; null where nothing was measured' }),
    margin: Type.Union([Type.Number(), Type.Null()], { description: 'headroom in unit; negative when the limit was missed' }),
    margin_fraction: Type.Union([Type.Number(), Type.Null()], {
      description: 'the margin as a fraction of the limit; null for a limit of 0',
    }),
    status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Literal('skipped')]),
    where: Type.String({
      description: 'where the figure comes from: the subject and, per interval, the worst interval ("interval ending at 600 ms")',
    }),
    samples: Type.Optional(Type.Integer({ description: 'I/Os a latency figure is computed from' })),
    note: Type.Optional(Type.String({ description: 'what the verdict cannot say: a thin tail, a check not judged and why' })),
    check_text: Type.String({ description: 'the check as a person reads it: p99 latency, IOPS per interval' }),
    measured_text: Type.String({ description: 'measured in its unit (20.0k IOPS, 668 us), or -' }),
    limit_text: Type.String({ description: 'the limit and its tolerance: >= 20.0k IOPS (tolerance 2%)' }),
    margin_text: Type.String({ description: 'the margin as a signed percentage of the limit, or -' }),
    reason: Type.String({ description: 'why the verdict is what it is, in a sentence' }),
  },
  "one SLA check of the run, from verdicts.json (bench/check/evaluate.ts's SlaVerdict) with the texts the run page shows",
);
const RunVerdictsView = Type.Object(
  {
    source: Type.Union([Type.String(), Type.Null()], {
      description: 'the verdicts.json read, relative to the runs folder; null when the run has none (it was not checked)',
    }),
    note: Type.Optional(Type.String({ description: 'why there are no verdicts, where there are none' })),
    verdicts: Type.Array(VerdictView, { description: "in verdicts.json's order" }),
  },
  { description: "a run's SLA verdicts" },
);
const CdfSeriesView = answer(
  {
    pod: Type.String({ description: 'namespace/name of the pod; the fio job for a job-file run' }),
    direction: Type.String({ description: 'read or write (trim for a host run that trimmed)' }),
    ios: Type.Integer({ description: 'I/Os the merged histogram counts' }),
    p50_us: Type.Number({ description: 'median completion latency of the merged histogram, us' }),
    p99_us: Type.Number({ description: '99th percentile, us' }),
    p999_us: Type.Number({ description: '99.9th percentile, us' }),
    points: Type.Array(
      answer(
        {
          fraction: Type.Number({ description: 'fraction of the I/Os, 0..1' }),
          latency_us: Type.Number({ description: 'completion latency at or below which that fraction completed, us' }),
        },
        'one point of the CDF',
      ),
      {
        description: `${CDF_FRACTIONS.length} points: each percent to 99%, then 99.1..99.9%, 99.91..99.99%, 99.991..99.999% and 100%`,
        maxItems: CDF_FRACTIONS.length,
      },
    ),
  },
  "one pod's completion latency CDF in one direction, from its jobs' histograms merged (never percentiles averaged)",
);
const LatencyCdfView = Type.Object(
  {
    series_total: Type.Integer({ description: 'pod and direction series with I/O in the run' }),
    series: Type.Array(CdfSeriesView, {
      description: `by pod and direction; the ${MAX_CDF_SERIES} with the most I/Os`,
      maxItems: MAX_CDF_SERIES,
    }),
    note: Type.Optional(Type.String({ description: 'why series are missing: a run without its histogram table, series left out' })),
  },
  { description: "a run's latency CDFs" },
);
const NodeUtilisationView = Type.Object(
  {
    rows: Type.Array(
      answer(
        {
          stack: Type.String({ description: 'hci or diy' }),
          node: Type.String(),
          kind: Type.Union([Type.Literal('cpu'), Type.Literal('drive'), Type.Literal('link-tx'), Type.Literal('link-rx')]),
          resource: Type.String({ description: 'CPU, the drive (NODE/nvmeN) or the port and its direction (pod0 tx)' }),
          utilisation: Type.Number({
            description: 'how busy the run kept it on average, 0..1 (cores used over cores, drive busy time, line busy time)',
          }),
          detail: Type.String({ description: 'the figure behind it: 6.02 of 40 cores, 25632 I/Os a second, of 20 Gbit/s' }),
        },
        'one resource of a node over the whole run',
      ),
      { description: "per stack and node: its CPU, then its drives, then its ports' transmit and receive lines" },
    ),
    note: Type.Optional(Type.String({ description: 'why there are no rows: a job-file run has no node tables' })),
  },
  { description: "a run's per-node utilisation, averaged over the run (the model's node tables hold no time series)" },
);

export const runFiguresPlugin: FastifyPluginAsync<{ folder: string | undefined; live: LiveRuns }> = async (app, { folder, live }) => {
  const s = { tags: ['runs'], security: bearer, params: RunParams, querystring: NoQuery };
  /** The run's folder, once the token may view the run (run-access.ts): permission before existence. */
  const runOf = (req: FastifyRequest<{ Params: Static<typeof RunParams> }>) => {
    const id = req.params.id;
    authorizeRun(actorOf(req), folder, id, live.get(id)?.owner.tenant);
    if (folder === undefined)
      throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `no run ${id}: this server has no runs folder; start anvil serve with --runs DIR`);
    return { id, dir: runDir(folder, id), folder };
  };
  app.get<{ Params: Static<typeof RunParams> }>(
    '/runs/:id/verdicts',
    {
      schema: {
        ...s,
        operationId: 'getRunVerdicts',
        summary: "a run's SLA verdicts, check by check",
        description:
          "Each SLA check anvil check judged the run by (its verdicts.json; for a check's run CHECK/SCENARIO/STACK/seed-N the check folder's, that run's): scope, check, limit and tolerance, measured figure and where (the worst interval for a per-interval check), margin, verdict and why. A run anvil check did not write answers with no verdicts, source null and a note saying so.",
        response: responses(RunVerdictsView),
      },
    },
    async (req) => {
      const { id, dir, folder: runs } = runOf(req);
      return runVerdicts(runs, dir, id);
    },
  );
  app.get<{ Params: Static<typeof RunParams> }>(
    '/runs/:id/latency-cdf',
    {
      schema: {
        ...s,
        operationId: 'getRunLatencyCdf',
        summary: "a run's completion latency CDF per pod and direction",
        description: `Each pod's (or job's) completion latency CDF per direction from the run's latency_histogram.arrow, its jobs' buckets added up before any percentile is read (merged, never averaged): ${CDF_FRACTIONS.length} points from 1% to 100%, and p50, p99, p99.9. At most the ${MAX_CDF_SERIES} series with the most I/Os.`,
        response: responses(LatencyCdfView),
      },
    },
    async (req) => {
      const { id, dir } = runOf(req);
      return runLatencyCdf(dir, id);
    },
  );
  app.get<{ Params: Static<typeof RunParams> }>(
    '/runs/:id/nodes',
    {
      schema: {
        ...s,
        operationId: 'getRunNodeUtilisation',
        summary: "a run's per-node CPU, drive and link utilisation",
        description:
          "How busy the run kept each node's CPU (cores used over cores), drives (busy time) and NIC ports (transmit and receive line busy time), 0..1, averaged over the run, from its nodes.arrow, drives.arrow and links.arrow. A job-file run has none: no rows and a note.",
        response: responses(NodeUtilisationView),
      },
    },
    async (req) => {
      const { id, dir } = runOf(req);
      return runNodeUtilisation(dir, id);
    },
  );
};
