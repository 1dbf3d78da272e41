/**
 * Runs started from the API in tests: the worker the `anvil` bin's `serve` starts, bundled by the build
 * (`dist/platform/cli/bundle/live-run-worker.js`; the thread runs plain Node), the scenarios folder of live-scenarios/ (one short scenario, two-pods: 2 s simulated, 8 intervals,
 * one SLA held and one failed), and a parser of server-sent events.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LiveRunOptions } from '../../../platform/api/live-runs.js';

export const LIVE_SCENARIO = 'two-pods';
/** What two-pods.yaml runs and what its SLAs judge (anvil check gives the same). */
export const LIVE_SCENARIO_FACTS = {
  scenario: 'two pods at a fixed rate',
  stack: 'hci',
  seed: 3,
  duration_s: 2,
  intervals: 8,
  pods: ['shop/orders-db', 'shop/stock-db'],
  verdict: { status: 'fail', checks: 2, passed: 1, failed: 1, skipped: 0 },
} as const;

export function liveRunOptions(more: Partial<LiveRunOptions> = {}): LiveRunOptions {
  return {
    worker: pathToFileURL(join(process.cwd(), 'dist', 'platform', 'cli', 'bundle', 'live-run-worker.js')),
    scenariosDir: join(process.cwd(), 'test', 'platform', 'api', 'live-scenarios'),
    maxConcurrent: 2,
    maxSimulated_s: 10,
    maxIos: 10_000_000,
    ...more,
  };
}

/** One server-sent event. */
export interface Sse {
  readonly id: number;
  readonly event: string;
  readonly data: { [k: string]: unknown };
}

/** The events of a text/event-stream body (comments and `retry:` left out); a partial last event is left out too. */
export function parseSse(text: string): Sse[] {
  const events: Sse[] = [];
  const blocks = text.split('\n\n');
  blocks.pop(); // what follows the last blank line is not a whole event
  for (const block of blocks) {
    const fields = new Map<string, string>();
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || line === '') continue;
      const at = line.indexOf(': ');
      fields.set(line.slice(0, at), line.slice(at + 2));
    }
    if (!fields.has('event')) continue;
    events.push({ id: Number(fields.get('id')), event: fields.get('event')!, data: JSON.parse(fields.get('data')!) as Sse['data'] });
  }
  return events;
}
