/** Perf-tier maximums cap pods on the model, not yet on a host: describe and the API say so. */
import { describe, expect, it } from 'vitest';
import { describeText } from '../../../platform/cli/views.js';
import { perfTierCreatedLine } from '../../../platform/cli/control-plane-commands.js';
import { ClusterState } from '../../../platform/domain/cluster-state.js';
import { perfTierView, type PerfTier } from '../../../platform/domain/perf-tier.js';
import { seededWorld } from './api-harness.js';

const GOLD: PerfTier = {
  kind: 'PerfTier',
  name: 'gold',
  storage_iops: 10_000,
  network_bandwidth_bits_per_s: 250e6,
  max_storage_iops: 50_000,
  max_network_bandwidth_bits_per_s: 1e9,
  builtin: false,
};

describe('perf-tier maximums', () => {
  it('describe prints each maximum as enforced on the model only; create says so when one is given', () => {
    const text = describeText(new ClusterState(), 'perf-tiers', perfTierView(GOLD), []);
    expect(text).toMatch(/^Max storage IOPS: +50K \(enforced on the model, not on a host yet\)$/m);
    expect(text).toMatch(/^Max bandwidth: +1G bit\/s \(enforced on the model, not on a host yet\)$/m);
    expect(text).toMatch(/^Storage IOPS: +10K guaranteed \(min\)$/m);
    const { max_storage_iops: _i, max_network_bandwidth_bits_per_s: _b, ...uncapped } = GOLD;
    expect(describeText(new ClusterState(), 'perf-tiers', perfTierView(uncapped), [])).toMatch(/^Max storage IOPS: +-$/m);
    expect(perfTierCreatedLine(GOLD)).toBe('perf tier gold created (its maximums are enforced on the model, not on a host yet)\n');
    expect(perfTierCreatedLine(uncapped)).toBe('perf tier gold created\n');
  });

  it('the API answers each perf tier with maximums_enforced: false, and its schema says what it means', async () => {
    const w = await seededWorld();
    const { kind: _k, builtin: _b, ...body } = GOLD;
    const created = await w.call('admin', 'POST', '/apis/anvil.dev/v1/perf-tiers', body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ ...GOLD, maximums_enforced: false });
    expect((await w.call('viewer', 'GET', '/apis/anvil.dev/v1/perf-tiers/gold')).json()).toEqual({ ...GOLD, maximums_enforced: false });
    const all = (await w.call('viewer', 'GET', '/apis/anvil.dev/v1/perf-tiers')).json() as { name: string; maximums_enforced: boolean }[];
    expect(all.map((t) => [t.name, t.maximums_enforced]).sort()).toEqual([
      ['best-effort', false],
      ['gold', false],
      ['high', false],
      ['medium', false],
    ]);
    // The served keys in the order of the embedded view: the CLI prints both alike (get -o yaml).
    expect(Object.keys(created.json() as object)).toEqual(Object.keys(perfTierView(GOLD)));
    expect(Object.keys(perfTierView(GOLD))).toEqual([
      'kind',
      'name',
      'storage_iops',
      'network_bandwidth_bits_per_s',
      'builtin',
      'maximums_enforced',
      'max_storage_iops',
      'max_network_bandwidth_bits_per_s',
    ]);
    const doc = (await w.call('viewer', 'GET', '/openapi.json')).json() as {
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, { description?: string }> } }> }> }
        >
      >;
    };
    const schema = doc.paths['/apis/anvil.dev/v1/perf-tiers/{name}']!.get!.responses['200']!.content['application/json']!.schema;
    expect(schema.properties.maximums_enforced!.description).toMatch(/recorded, not enforced \(the model enforces them/);
    expect(schema.properties.max_storage_iops!.description).toMatch(/the model caps a pod at it/);
    await w.app.close();
  });
});
