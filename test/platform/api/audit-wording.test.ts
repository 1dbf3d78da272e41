/**
 * The audit log speaks one way, from the API and from the embedded CLI: the action is `VERB KIND` and the
 * target `KIND/NAMESPACE/NAME` or `KIND/NAME`, KIND plural as `anvil get` names it (plus `clusters`,
 * `tokens`, and `apply manifests` whose target is where the manifests came from).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../platform/domain/queries.js';
import type { AuditEntry } from '../../../platform/state/store.js';
import { Store } from '../../../platform/state/store.js';
import { anvilInProcess, tempDir, writeFiles } from '../../cli-harness.js';
import { podManifest, seededWorld } from './api-harness.js';

const AUDIT_KINDS: readonly string[] = [...KINDS, 'clusters', 'tokens'];

/** Why `row` breaks the wording, or undefined when it follows it. */
function wordingFault(row: Pick<AuditEntry, 'action' | 'target'>): string | undefined {
  if (row.action === 'apply manifests') return row.target.length > 0 ? undefined : 'an apply names its source';
  const [verb, kind, ...rest] = row.action.split(' ');
  if (!verb || !kind || rest.length > 0 || !AUDIT_KINDS.includes(kind)) return `action "${row.action}" is not VERB KIND`;
  const parts = row.target.split('/');
  if (parts[0] !== kind || parts.length > 3 || parts.slice(1).some((p) => p === ''))
    return `target "${row.target}" is not ${kind}/[NAMESPACE/]NAME`;
  return undefined;
}

const pairs = (rows: readonly AuditEntry[]) => rows.map((a) => `${a.action} ${a.target}`);

describe('the audit log wording', () => {
  it('tells a row that breaks it (the check can fail)', () => {
    for (const row of [
      { action: 'volume create', target: 'volume/a/v' },
      { action: 'delete volumes', target: 'volume/a/v' },
      { action: 'create perf-tiers', target: 'perftier/gold' },
      { action: 'token issue', target: 'token/u/1' },
    ]) {
      expect(wordingFault(row), JSON.stringify(row)).toBeDefined();
    }
  });

  it('is VERB KIND on KIND/[NAMESPACE/]NAME for every change through the API', async () => {
    const w = await seededWorld();
    const before = w.api.store.audit(100000).length;
    const calls: [string, string, unknown?][] = [
      ['POST', '/apis/anvil.dev/v1/nodes', { name: 'node9' }],
      ['POST', '/apis/anvil.dev/v1/nodes/node2/cordon'],
      ['POST', '/apis/anvil.dev/v1/nodes/node2/uncordon'],
      [
        'POST',
        '/apis/anvil.dev/v1/networks',
        { name: 'net2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1' },
      ],
      ['DELETE', '/apis/anvil.dev/v1/networks/netx'],
      ['POST', '/apis/anvil.dev/v1/perf-tiers', { name: 'gold', storage_iops: 1000, network_bandwidth_bits_per_s: 1e8 }],
      ['DELETE', '/apis/anvil.dev/v1/perf-tiers/gold'],
      ['POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: 'vnew', size_bytes: 1e9 }],
      ['PATCH', '/apis/anvil.dev/v1/namespaces/a/volumes/vnew', { mirrors: 2 }],
      ['POST', '/apis/anvil.dev/v1/namespaces/a/snapshots', { name: 's2', volume: 'vnew' }],
      ['POST', '/apis/anvil.dev/v1/namespaces/a/snapshots/s2/restore', { to: 'vr' }],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/a/volumes/vr'],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/a/snapshots/s2'],
      ['POST', '/apis/anvil.dev/v1/namespaces/a/endpoints', { name: 'e2', network: 'net1' }],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/a/endpoints/e2'],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/a/deployments/da'],
      ['POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: podManifest('pnew') }],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/a/pods/pnew'],
      ['POST', '/apis/anvil.dev/v1/namespaces', { name: 'd' }],
      ['PUT', '/apis/anvil.dev/v1/namespaces/d/quota', { pods: 5 }],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/d/quota'],
      ['DELETE', '/apis/anvil.dev/v1/namespaces/d'],
      ['POST', '/apis/anvil.dev/v1/users', { name: 'eve', roles: ['viewer'] }],
      ['PATCH', '/apis/anvil.dev/v1/users/eve', { roles: ['node-view'] }],
      ['POST', '/apis/anvil.dev/v1/users/eve/tokens', {}],
      ['DELETE', '/apis/anvil.dev/v1/users/eve'],
      ['POST', '/apis/anvil.dev/v1/nodes/node3/drain'],
      ['DELETE', '/apis/anvil.dev/v1/nodes/node9?force=true'],
    ];
    for (const [method, url, body] of calls)
      expect((await w.call('admin', method, url, body)).statusCode, `${method} ${url}`).toBeLessThan(300);
    const rows = w.api.store.audit(100000).slice(before);
    expect(rows.map(wordingFault).filter((f) => f !== undefined)).toEqual([]);
    const tokenId = /^create tokens tokens\/eve\/(\d+)$/.exec(pairs(rows)[24] ?? '')?.[1];
    expect(pairs(rows)).toEqual([
      'create nodes nodes/node9',
      'cordon nodes nodes/node2',
      'uncordon nodes nodes/node2',
      'create networks networks/net2',
      'delete networks networks/netx',
      'create perf-tiers perf-tiers/gold',
      'delete perf-tiers perf-tiers/gold',
      'create volumes volumes/a/vnew',
      'update volumes volumes/a/vnew',
      'create snapshots snapshots/a/s2',
      'restore volumes volumes/a/vr',
      'delete volumes volumes/a/vr',
      'delete snapshots snapshots/a/s2',
      'create endpoints endpoints/a/e2',
      'delete endpoints endpoints/a/e2',
      'delete deployments deployments/a/da',
      'apply manifests namespaces/a',
      'delete pods pods/a/pnew',
      'create namespaces namespaces/d',
      'set quotas quotas/d',
      'delete quotas quotas/d',
      'delete namespaces namespaces/d',
      'create users users/eve',
      'update users users/eve',
      `create tokens tokens/eve/${tokenId}`,
      'delete users users/eve',
      `revoke tokens tokens/eve/${tokenId}`,
      'drain nodes nodes/node3',
      'delete nodes nodes/node9',
    ]);
  });

  it('is the same wording from the embedded CLI, the generic delete of a quota included', async () => {
    const state = join(tempDir('anvil-audit-'), 'state.db');
    const manifest = join(writeFiles({ 'app.yaml': podManifest('p1') }), 'app.yaml');
    const env = { ANVIL_STATE: state, ANVIL_SERVER: '', ANVIL_TOKEN: '', ANVIL_USER: 'admin' };
    for (const args of [
      ['cluster', 'create', 'c1', '--nodes', '2'],
      ['node', 'fail', 'node1'],
      ['node', 'recover', 'node1'],
      ['tenant', 'create', 'shop'],
      ['network', 'create', 'blue', '--subnet', '10.0.0.0/24', '--start', '10.0.0.10', '--end', '10.0.0.20', '--gateway', '10.0.0.1'],
      ['volume', 'create', 'data', '-n', 'shop', '--size', '1G'],
      ['quota', 'set', 'shop', '--pods', '5'],
      ['delete', 'quota', 'shop'],
      ['apply', '-f', manifest, '-n', 'shop'],
      ['user', 'create', 'bob', '--roles', 'viewer'],
      ['user', 'set-roles', 'bob', '--roles', 'node-view'],
      ['token', 'create', 'bob'],
    ]) {
      const r = await anvilInProcess(args, env);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    const store = Store.open(state);
    try {
      const rows = store.audit(100000);
      expect(rows.map(wordingFault).filter((f) => f !== undefined)).toEqual([]);
      expect(pairs(rows)).toEqual([
        'create clusters clusters/c1',
        'fail nodes nodes/node1',
        'recover nodes nodes/node1',
        'create namespaces namespaces/shop',
        'create networks networks/blue',
        'create volumes volumes/shop/data',
        'set quotas quotas/shop',
        'delete quotas quotas/shop',
        `apply manifests ${manifest}`,
        'create users users/bob',
        'update users users/bob',
        'create tokens tokens/bob/1',
      ]);
    } finally {
      store.close();
    }
  });
});
