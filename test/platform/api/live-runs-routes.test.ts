/**
 * Issue 18, runs started from the API: POST /runs runs a scenario of the server's scenarios folder on a
 * worker thread into a new folder of the runs folder (cluster edit), GET /runs/ID/events streams its
 * progress and per-pod intervals as server-sent events until its verdict, and resumes after Last-Event-ID
 * with no gap and no duplicate; the figures streamed are those GET /runs/ID/intervals gives once it ends.
 * Bounded: runs at once, the scenario's simulated time; coded errors for each refusal. Runs are bounded by
 * the scenario (2 s simulated), never by wall time.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../cli-harness.js';
import { seededWorld, type World } from './api-harness.js';
import { LIVE_SCENARIO, LIVE_SCENARIO_FACTS, liveRunOptions, parseSse, type Sse } from './live-run-harness.js';
import type { LiveRunOptions } from '../../../platform/api/live-runs.js';

const V1 = '/apis/anvil.dev/v1';
let world: World | undefined;
afterEach(async () => {
  await world?.app.close();
  world = undefined;
});

async function liveWorld(more: Partial<LiveRunOptions> = {}): Promise<{ world: World; runsDir: string }> {
  const runsDir = tempDir('anvil-live-runs-');
  world = await seededWorld(':memory:', undefined, undefined, { runsDir, liveRuns: liveRunOptions(more) });
  return { world, runsDir };
}

/** The whole stream of run `id` (inject returns once the run has ended and the stream with it). */
async function eventsOf(w: World, id: string, lastEventId?: number): Promise<Sse[]> {
  const r = await w.app.inject({
    method: 'GET',
    url: `${V1}/runs/${id}/events`,
    headers: { authorization: `Bearer ${w.tokens.admin}`, ...(lastEventId !== undefined ? { 'last-event-id': String(lastEventId) } : {}) },
  });
  expect(r.statusCode, r.body).toBe(200);
  expect(r.headers['content-type']).toBe('text/event-stream; charset=utf-8');
  return parseSse(r.body);
}

const key = (r: { [k: string]: unknown }) => JSON.stringify([r.time_s, r.pod, r.direction, r.iops, r.clat_p50_us, r.clat_p99_us]);

describe('a run started from the API', () => {
  it('runs the scenario on a worker, streams its progress and intervals, and ends with its SLA verdict', async () => {
    const { world: w, runsDir } = await liveWorld();
    const started = await w.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, name: 'first' });
    expect(started.statusCode, started.body).toBe(202);
    const f = LIVE_SCENARIO_FACTS;
    expect(started.json()).toMatchObject({
      id: 'first',
      scenario: f.scenario,
      scenario_file: LIVE_SCENARIO,
      stack: f.stack,
      seed: f.seed,
      duration_s: f.duration_s,
    });

    const events = await eventsOf(w, 'first');
    // Numbered 1, 2, 3, ... with nothing missing; the stream ends with the verdict.
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: 'done', data: { verdict: f.verdict } });
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as { now_s: number; end_s: number });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((p, i) => i === 0 || p.now_s >= progress[i - 1]!.now_s)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ now_s: f.duration_s, end_s: f.duration_s });
    // The samples, together, are the run's intervals table: every pod, direction and interval once.
    const streamed = events.filter((e) => e.event === 'sample').flatMap((e) => e.data.rows as { [k: string]: unknown }[]);
    expect(events.filter((e) => e.event === 'sample').length).toBeGreaterThan(1);
    const table = (await w.call('admin', 'GET', `${V1}/runs/first/intervals`)).json() as { [k: string]: unknown }[];
    expect(table.length).toBe(f.pods.length * 2 * f.intervals);
    expect(streamed.map(key).sort()).toEqual(table.map(key).sort());

    // Listed with its verdict, and among the runs this server started, done.
    const list = (await w.call('viewer', 'GET', `${V1}/runs`)).json();
    expect(list.runs).toEqual([expect.objectContaining({ id: 'first', verdict: f.verdict, seed: f.seed })]);
    expect(list.live).toEqual([expect.objectContaining({ id: 'first', status: 'done', done_s: f.duration_s })]);
    expect(readdirSync(runsDir)).toEqual(['first']);

    // Resumed after any event: exactly the rest, no gap, no duplicate.
    for (const after of [1, Math.floor(events.length / 2), events.length]) {
      expect(await eventsOf(w, 'first', after)).toEqual(events.slice(after));
    }
  });

  it('streams a run over HTTP as it runs; a dropped stream resumed with Last-Event-ID misses and repeats nothing', async () => {
    const { world: w } = await liveWorld();
    const origin = await w.app.listen({ host: '127.0.0.1', port: 0 });
    const id = (await w.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO })).json().id as string;
    expect(id).toMatch(/^two-pods-\d{8}-\d{6}$/);
    const headers = { authorization: `Bearer ${w.tokens.admin}` };
    // The first connection is dropped after its first event (whatever the run has done by then).
    const first = await fetch(`${origin}${V1}/runs/${id}/events`, { headers });
    const reader = first.body!.getReader();
    let text = '';
    while (parseSse(text).length === 0) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const before = parseSse(text);
    const lastId = before.at(-1)!.id;
    const rest = parseSse(
      await (await fetch(`${origin}${V1}/runs/${id}/events`, { headers: { ...headers, 'last-event-id': String(lastId) } })).text(),
    );
    const all = [...before, ...rest];
    expect(all.map((e) => e.id)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)).toMatchObject({ event: 'done', data: { verdict: LIVE_SCENARIO_FACTS.verdict } });
    expect(await eventsOf(w, id)).toEqual(all);
  });

  it('refuses a run past the runs at once, or past the simulated time the server allows, with coded errors', async () => {
    const { world: w, runsDir } = await liveWorld({ maxConcurrent: 1 });
    const [a, b] = await Promise.all([
      w.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, name: 'a' }),
      w.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, name: 'b' }),
    ]);
    expect(a.statusCode, a.body).toBe(202);
    expect([b.statusCode, b.json().code]).toEqual([429, 'ANVIL_ERR_RUNS_BUSY']);
    expect(b.json().message).toMatch(/already runs 1 of the 1 runs .*--max-runs/);
    await eventsOf(w, 'a');
    await w.app.close();

    const { world: short, runsDir: shortDir } = await liveWorld({ maxSimulated_s: 1 });
    const r = await short.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO, name: 'long' });
    expect([r.statusCode, r.json().code]).toEqual([422, 'ANVIL_ERR_RUN_TOO_LONG']);
    expect(r.json().message).toMatch(/simulates 2 s, above the 1 s .*--max-run-simulated/);
    // Refused before it ran: no folder left behind.
    expect(existsSync(`${shortDir}/long`)).toBe(false);
    expect(readdirSync(runsDir)).toEqual(['a']);
  });

  it('checks permission first, then the scenario and the body, and says what a server without a worker lacks', async () => {
    const { world: w } = await liveWorld();
    // A viewer may watch runs, not start them: refused before the scenario is looked up.
    const viewer = await w.call('viewer', 'POST', `${V1}/runs`, { scenario: 'no-such' });
    expect([viewer.statusCode, viewer.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    const tenant = await w.call('tadmin', 'GET', `${V1}/runs/anything/events`);
    expect([tenant.statusCode, tenant.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    const unknown = await w.call('admin', 'POST', `${V1}/runs`, { scenario: 'no-such' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    expect(unknown.json().message).toContain(`it has ${LIVE_SCENARIO}`);
    const outside = await w.call('admin', 'POST', `${V1}/runs`, { scenario: '../../etc/passwd' });
    expect([outside.statusCode, outside.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    const scenarios = (await w.call('viewer', 'GET', `${V1}/scenarios`)).json();
    expect(scenarios).toEqual({ scenarios: [LIVE_SCENARIO], max_runs: 2, max_simulated_s: 10, max_ios: 10_000_000 });
    const missing = await w.call('admin', 'GET', `${V1}/runs/no-such/events`);
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'ANVIL_ERR_OBJECT_NOT_FOUND']);
    const badId = await w.app.inject({
      method: 'GET',
      url: `${V1}/runs/x/events`,
      headers: { authorization: `Bearer ${w.tokens.admin}`, 'last-event-id': 'abc' },
    });
    expect([badId.statusCode, badId.json().code]).toEqual([400, 'ANVIL_ERR_FIELD_INVALID']);
    await w.app.close();

    world = await seededWorld();
    const none = await world.call('admin', 'POST', `${V1}/runs`, { scenario: LIVE_SCENARIO });
    expect([none.statusCode, none.json().code]).toEqual([409, 'ANVIL_ERR_NO_RUNS_FOLDER']);
  });
});
