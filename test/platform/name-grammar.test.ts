/**
 * Issue 12, "two grammars for one notation": names and node labels have one grammar each (the domain's,
 * platform/domain/names.ts), and the API's schemas are built from it. A table of good and bad names,
 * zones and labels goes through `anvil` (in-process, on a state file) and through the served API; both
 * accept the good rows and refuse the bad ones. Before, the CLI took any zone and any number of labels,
 * which the API refused.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../cli-harness.js';
import { seededWorld, type World } from './api/api-harness.js';

const env = { ANVIL_STATE: '', ANVIL_USER: 'operator' };
const many = (n: number) => Array.from({ length: n }, (_, i) => `k${i}=v`);

interface Row {
  readonly what: string;
  readonly ok: boolean;
  /** The CLI's arguments after `anvil`. */
  readonly cli: string[];
  /** The API's request as the cluster admin. */
  readonly api: { method: 'POST'; url: string; body: unknown };
}

const namespaceRow = (name: string, ok: boolean): Row => ({
  what: `namespace "${name.length > 20 ? `${name.slice(0, 8)}... (${name.length} chars)` : name}"`,
  ok,
  cli: ['tenant', 'create', name],
  api: { method: 'POST', url: '/apis/anvil.dev/v1/namespaces', body: { name } },
});

let nodeCount = 0;
/** A node add with a fresh name unless `name` is given; `labels` as k=v texts. */
function nodeRow(what: string, ok: boolean, o: { name?: string; zone?: string; labels?: string[] }): Row {
  const name = o.name ?? `grammar-${nodeCount++}`;
  const labels = Object.fromEntries((o.labels ?? []).map((t) => [t.slice(0, t.indexOf('=')), t.slice(t.indexOf('=') + 1)]));
  return {
    what,
    ok,
    cli: ['node', 'add', name, ...(o.zone !== undefined ? ['--zone', o.zone] : []), ...(o.labels ?? []).flatMap((l) => ['--label', l])],
    api: {
      method: 'POST',
      url: '/apis/anvil.dev/v1/nodes',
      body: { name, ...(o.zone !== undefined ? { zone: o.zone } : {}), ...(o.labels ? { labels } : {}) },
    },
  };
}

const ROWS: Row[] = [
  ...['t1', 'team-x', '0', 'a'.repeat(63)].map((n) => namespaceRow(n, true)),
  ...['', 'Team', 'a_b', '-a', 'a-', 'a.b', 'a'.repeat(64), 'é'].map((n) => namespaceRow(n, false)),
  ...['n.x-1', '9', 'n'.repeat(253)].map((name) => nodeRow(`node "${name.slice(0, 20)}"`, true, { name })),
  ...['N1', 'n_1', '.n', 'n.', 'n'.repeat(254), 'n/1'].map((name) => nodeRow(`node "${name.slice(0, 20)}"`, false, { name })),
  nodeRow('zone "rack-1.dc"', true, { zone: 'rack-1.dc' }),
  nodeRow('zone "Zone A"', false, { zone: 'Zone A' }),
  nodeRow('zone "z_1"', false, { zone: 'z_1' }),
  nodeRow('labels "zone=a", "example.com/rack=R_1.b-2", "empty="', true, { labels: ['zone=a', 'example.com/rack=R_1.b-2', 'empty='] }),
  nodeRow('label "k=v/w" (a / in the value)', false, { labels: ['k=v/w'] }),
  nodeRow('label "k v=1"', false, { labels: ['k v=1'] }),
  nodeRow('label "k=a=b"', false, { labels: ['k=a=b'] }),
  nodeRow('label "é=1"', false, { labels: ['é=1'] }),
  nodeRow('64 labels', true, { labels: many(64) }),
  nodeRow('65 labels', false, { labels: many(65) }),
];

describe('the CLI and the API accept the same names, zones and labels', () => {
  const state = join(tempDir(), 'state.db');
  let world: World;
  beforeAll(async () => {
    world = await seededWorld();
    const created = await anvilInProcess(['cluster', 'create', 'c1', '--nodes', '1', '--state', state], env);
    expect(created.stderr).toBe('');
  });
  afterAll(async () => {
    await world.app.close();
  });

  it.each(ROWS)('$what: accepted $ok', async (row) => {
    const cli = await anvilInProcess([...row.cli, '--state', state], env);
    const api = await world.call('admin', row.api.method, row.api.url, row.api.body);
    const refusal = /^ANVIL_ERR_(FIELD_INVALID|USAGE): /;
    expect({ cli: cli.code === 0, api: api.statusCode < 300 }, `${cli.stderr} | ${api.body}`).toEqual({ cli: row.ok, api: row.ok });
    if (!row.ok) {
      expect(cli.stderr).toMatch(refusal);
      expect(api.statusCode).toBe(400);
    }
  });
});
