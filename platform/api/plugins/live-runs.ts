/**
 * Runs started from the API (live-runs.ts): POST /runs starts a scenario of the server's scenarios folder
 * on the model (cluster edit: it spends the server's CPU and writes into its runs folder), GET /scenarios
 * names what may be started, GET /runs/ID/events streams a run's progress and per-pod interval figures as
 * server-sent events until it ends (the cluster's view, like the runs). The stream is read with the bearer
 * token in a header (the dashboard reads it with fetch, not EventSource, so no token goes in a URL); each
 * event has an id, and Last-Event-ID resumes after it.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { AnvilError } from '../../errors.js';
import { authorize, namespacedEdits } from '../../domain/tenancy.js';
import { actorOf } from '../auth.js';
import { answer } from '../object-schemas.js';
import { bearer, NamespaceName, NoQuery, responses } from '../schemas.js';
import { LiveRuns, MAX_EVENT_STREAMS, type LiveRun, type RunEvent } from '../live-runs.js';
import { runDir, verdictOf, RUN_ID_PATTERN } from '../run-folders.js';
import { authorizeRun } from '../run-access.js';

export const LiveRunViewSchema = answer(
  {
    id: Type.String({ description: "the run's folder in the runs folder" }),
    scenario: Type.String({ description: "the scenario's name line" }),
    scenario_file: Type.String({ description: 'the scenario as POST /runs named it (GET /scenarios)' }),
    stack: Type.String({ description: 'hci or diy' }),
    seed: Type.Integer(),
    duration_s: Type.Number({ description: "the scenario's duration, simulated s" }),
    status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
    done_s: Type.Number({ description: 'simulated s done so far' }),
    started_by: Type.String({ description: 'the user who started it' }),
    tenant: Type.Union([Type.String(), Type.Null()], {
      description: "the tenant it was started under, whose users see it; null: the cluster's own (the cluster's view only)",
    }),
  },
  'a run this server started',
);

const StartRunBody = Type.Object(
  {
    scenario: Type.String({
      pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){0,3}$',
      maxLength: 200,
      description: "a scenario of the server's scenarios folder by its path there without .yaml (GET /scenarios): qos/noisy-neighbour",
    }),
    stack: Type.Optional(
      Type.Union([Type.Literal('hci'), Type.Literal('diy')], { description: "the stack to run; default the scenario's first" }),
    ),
    seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2 ** 31 - 1, description: "overrides the scenario's seed" })),
    name: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$',
        description: "the run's folder name in the runs folder; default the scenario's file name and the time",
      }),
    ),
    tenant: Type.Optional(
      Type.String({
        ...NamespaceName,
        description:
          "the tenant (namespace) to start it under: its users see the run (it takes container edit in the tenant); default the cluster's own run (it takes cluster edit)",
      }),
    ),
  },
  { additionalProperties: false },
);

const RunParams = Type.Object({ id: Type.String({ pattern: RUN_ID_PATTERN, description: "the run's folder in the runs folder" }) });

/** One event as the stream sends it. */
const sse = (e: RunEvent) => `id: ${e.id}\nevent: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`;

/** The last event id the client saw (Last-Event-ID, sent by a reconnecting client), or 0. */
function lastEventId(req: FastifyRequest): number {
  const header = req.headers['last-event-id'];
  const text = Array.isArray(header) ? header[0] : header;
  if (text === undefined || text === '') return 0;
  if (!/^\d{1,9}$/.test(text))
    throw new AnvilError(
      'ANVIL_ERR_FIELD_INVALID',
      `header Last-Event-ID: "${text}" is not an event id; send the id of the last event received`,
    );
  return Number(text);
}

export const liveRunsPlugin: FastifyPluginAsync<{ runs: LiveRuns }> = async (app, { runs }) => {
  const s = { tags: ['runs'], security: bearer };
  const heartbeat_ms = runs.options.heartbeat_ms ?? 15_000;
  const closers = new Set<() => void>();
  /** Set once the server starts closing: a stream that ends then takes its connection with it. */
  let closing = false;
  // A stream is an ordinary keep-alive response: once it ends, its connection may carry the client's next
  // request. The server's close waits for every connection that is not idle, and a connection that goes idle
  // after the close began (a stream ended by it) would hold the close for the keep-alive timeout (72 s):
  // so the streams are ended before the server closes (preClose), and a stream that ends while it closes
  // (one whose request was under way) ends its connection too once its last byte is out.
  app.addHook('preClose', async () => {
    closing = true;
    for (const close of [...closers]) close();
  });
  app.addHook('onClose', async () => {
    await runs.close();
  });

  app.get(
    '/scenarios',
    {
      schema: {
        ...s,
        operationId: 'listScenarios',
        summary: 'the scenarios a run may be started with',
        description:
          "The cluster scenarios of the server's scenarios folder, by their path there without .yaml, and the server's bounds on a run. For the cluster's view, and for a tenant's users who may start runs under it (container edit).",
        querystring: NoQuery,
        response: responses(
          Type.Object({
            scenarios: Type.Array(Type.String()),
            max_runs: Type.Integer({ description: 'runs at once' }),
            max_simulated_s: Type.Number({ description: "a scenario's longest duration, simulated s" }),
            max_ios: Type.Integer({ description: "the drives' I/Os past which a run stops" }),
          }),
        ),
      },
    },
    async (req) => {
      const actor = actorOf(req);
      // Whoever may start a run sees what it may start: the cluster's view, or container edit in a tenant.
      if (!Object.values(namespacedEdits(actor)).some((classes) => classes.includes('container'))) authorize(actor, 'cluster', 'view');
      const o = runs.options;
      return { scenarios: runs.scenarios(), max_runs: o.maxConcurrent, max_simulated_s: o.maxSimulated_s, max_ios: o.maxIos };
    },
  );

  app.post<{ Body: Static<typeof StartRunBody> }>(
    '/runs',
    {
      schema: {
        ...s,
        operationId: 'startRun',
        summary: 'start a scenario run on the model',
        description:
          "Runs a cluster scenario of the server's scenarios folder on the model, on a worker thread, into a new folder of the runs folder; answers once the scenario is read, with the run's id. Follow it with GET /runs/{id}/events. Bounded by the server: runs at once (ANVIL_ERR_RUNS_BUSY), the scenario's simulated time (ANVIL_ERR_RUN_TOO_LONG) and its drives' I/Os (ANVIL_ERR_RUN_TOO_LARGE, in the run's failed event).",
        body: StartRunBody,
        response: responses(LiveRunViewSchema, 202),
      },
    },
    async (req, reply) => {
      const actor = actorOf(req);
      const { tenant, ...request } = req.body;
      // A tenant's run is its users' work, as its containers are; the cluster's own run is a cluster edit.
      if (tenant === undefined) authorize(actor, 'cluster', 'edit');
      else authorize(actor, 'container', 'edit', tenant);
      const run = await runs.start(request, { started_by: actor.user, tenant: tenant ?? null });
      return reply.status(202).send(run.view());
    },
  );

  app.get<{ Params: Static<typeof RunParams> }>(
    '/runs/:id/events',
    {
      // Server-sent events, written past Fastify (request-metrics.ts counts them when the stream ends).
      config: { streamed: true },
      schema: {
        ...s,
        operationId: 'streamRunEvents',
        summary: "a run's progress as server-sent events",
        description:
          "text/event-stream: `progress` (simulated s done of the total), `sample` (the intervals closed since the last, each pod's IOPS and p50/p99 as GET /runs/{id}/intervals gives them), then `done` (with the SLA verdict) or `failed` (a coded error), after which the stream ends. Every event has an id: send Last-Event-ID to resume after it. A comment line every 15 s keeps the stream open. A finished run the server no longer keeps (or did not start) gives only its `done`.",
        params: RunParams,
        querystring: NoQuery,
        response: {
          200: {
            description: 'the event stream',
            content: {
              'text/event-stream': {
                schema: Type.String({ description: 'id:, event: and data: (JSON) lines per event, a blank line after each' }),
              },
            },
          },
          '4xx': Type.Ref('ErrorBody'),
          '5xx': Type.Ref('ErrorBody'),
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const run = runs.get(id);
      authorizeRun(actorOf(req), runs.folder, id, run?.owner.tenant);
      const after = lastEventId(req);
      if (run === undefined) {
        // Not one this server keeps: a finished run of the folder has only its end to tell.
        if (runs.folder === undefined)
          throw new AnvilError(
            'ANVIL_ERR_OBJECT_NOT_FOUND',
            `no run ${id}: this server has no runs folder; start anvil serve with --runs DIR`,
          );
        const verdict = verdictOf(runDir(runs.folder, id));
        return stream(reply, [{ id: 1, event: 'done', data: verdict !== undefined ? { verdict } : {} }], after);
      }
      if (!run.ended && runs.streams >= MAX_EVENT_STREAMS)
        throw new AnvilError(
          'ANVIL_ERR_RUNS_BUSY',
          `this server streams ${runs.streams} runs' events already, the most it does at once; retry when a stream has closed`,
        );
      return stream(reply, run.events, after, run);
    },
  );

  /** Ends a stream's response; while the server closes, its connection too (else it would stay kept alive). */
  function end(res: FastifyReply['raw']): void {
    const socket = res.socket;
    res.end(() => {
      if (closing) socket?.end();
    });
  }

  /** Sends `events` after `after`; with a running `run`, what it says next, until it ends or the client leaves. */
  function stream(reply: FastifyReply, events: readonly RunEvent[], after: number, run?: LiveRun): FastifyReply {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, private',
      'x-content-type-options': 'nosniff',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const e of events) if (e.id > after) res.write(sse(e));
    // A stream asked for as the server began closing (its request was under way) sends what there is and ends.
    if (run === undefined || run.ended || closing) {
      end(res);
      return reply;
    }
    runs.streams++;
    const beat = setInterval(() => res.write(': heartbeat\n\n'), heartbeat_ms);
    let stopListening = () => {};
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(beat);
      stopListening();
      closers.delete(close);
      runs.streams--;
      end(res);
    };
    closers.add(close);
    stopListening = run.listen((e) => {
      res.write(sse(e));
      if (e.event === 'done' || e.event === 'failed') close();
    });
    // The response's close (the client left), not the request's: the request closes once it has been read.
    res.on('close', close);
    return reply;
  }
};
