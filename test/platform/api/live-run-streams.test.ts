/**
 * Issue 18, a run's event stream is bounded: a heartbeat comment keeps an idle stream open, a client that
 * leaves is let go (its listener and heartbeat stop, the stream count falls back), and past
 * MAX_EVENT_STREAMS open streams one more is refused with ANVIL_ERR_RUNS_BUSY. The run's worker here never
 * ends (live-workers/never-ends.mjs), so the streams stay open for as long as each step needs: every wait
 * is for an event, never for a length of wall time.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { bootstrapAdmin, buildServer } from '../../../platform/api/server.js';
import { MAX_EVENT_STREAMS, type LiveRuns } from '../../../platform/api/live-runs.js';
import { tempDir } from '../../cli-harness.js';
import { liveRunOptions, LIVE_SCENARIO } from './live-run-harness.js';

const V1 = '/apis/anvil.dev/v1';
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function neverEndingRun(): Promise<{ origin: string; headers: Record<string, string>; id: string; liveRuns: LiveRuns }> {
  const built = await buildServer({
    statePath: ':memory:',
    runsDir: tempDir('anvil-live-streams-'),
    liveRuns: liveRunOptions({
      worker: pathToFileURL(join(process.cwd(), 'test', 'platform', 'api', 'live-workers', 'never-ends.mjs')),
      heartbeat_ms: 20,
    }),
  });
  app = built.app;
  const headers = { authorization: `Bearer ${bootstrapAdmin(built.api)!}` };
  const origin = await app.listen({ host: '127.0.0.1', port: 0 });
  const started = await app.inject({ method: 'POST', url: `${V1}/runs`, headers, payload: { scenario: LIVE_SCENARIO, name: 'forever' } });
  expect(started.statusCode, started.body).toBe(202);
  return { origin, headers, id: 'forever', liveRuns: built.liveRuns };
}

/** Reads `response` until its text holds `what`; returns the text read. */
async function readUntil(response: Response, what: string): Promise<{ text: string; reader: ReadableStreamDefaultReader<Uint8Array> }> {
  const reader = response.body!.getReader();
  let text = '';
  while (!text.includes(what)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before it said ${what}: ${text}`);
    text += new TextDecoder().decode(value);
  }
  return { text, reader };
}

/** Resolves once `check` holds, looking again after each turn of the event loop. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

describe("a run's event stream", () => {
  it('sends heartbeats while the run is quiet, and lets a client that leaves go', async () => {
    const { origin, headers, id, liveRuns } = await neverEndingRun();
    const response = await fetch(`${origin}${V1}/runs/${id}/events`, { headers });
    const { text, reader } = await readUntil(response, ': heartbeat\n\n');
    // The run's events so far came first, then the comment that keeps the connection open.
    expect(text).toMatch(/^retry: 2000\n\nid: 1\nevent: progress\ndata: \{"now_s":0\.001,"end_s":1,"ios":0\}\n\n(: heartbeat\n\n)+$/);
    expect(liveRuns.streams).toBe(1);
    await reader.cancel();
    await until(() => liveRuns.streams === 0);
    expect(liveRuns.get(id)!.status).toBe('running');
  });

  it(`refuses a stream past the ${MAX_EVENT_STREAMS} open at once with ANVIL_ERR_RUNS_BUSY`, async () => {
    const { origin, headers, id, liveRuns } = await neverEndingRun();
    const open = new AbortController();
    for (let k = 0; k < MAX_EVENT_STREAMS; k++)
      await readUntil(await fetch(`${origin}${V1}/runs/${id}/events`, { headers, signal: open.signal }), 'event: progress');
    expect(liveRuns.streams).toBe(MAX_EVENT_STREAMS);
    const refused = await fetch(`${origin}${V1}/runs/${id}/events`, { headers });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { code: string }).code).toBe('ANVIL_ERR_RUNS_BUSY');
    open.abort();
    await until(() => liveRuns.streams === 0);
  });
});
