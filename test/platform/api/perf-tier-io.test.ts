/**
 * A perf tier's I/O (size and read fraction) prices its storage guarantee at admission: the CLI's flags,
 * the API's fields and the domain's checks, and a pod of a read-only tier takes less of the node than
 * its reserved IOPS (its status says how much).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { capturingIo } from '../../../platform/cli/cli-io.js';
import { runCli } from '../../../platform/cli/main.js';
import { loadNodeProfile, nodeCapacityAt } from '../../../platform/domain/node-profile.js';
import type { Pod } from '../../../platform/domain/pod.js';
import { tempDir, writeFiles } from '../../cli-harness.js';
import { seededWorld } from './api-harness.js';

Object.assign(process.env, { ANVIL_STATE: '', ANVIL_USER: 'operator' });

function cli(state: string) {
  return async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    const io = capturingIo();
    const code = await runCli([...args, '--state', state], io);
    return { code, stdout: io.out(), stderr: io.err() };
  };
}

describe("a perf tier's I/O", () => {
  it('anvil perf-tier create --io-size --read-fraction: stored, checked, and admission prices the pod at it', async () => {
    const anvil = cli(join(tempDir('anvil-tier-io-'), 'state.db'));
    expect((await anvil(['cluster', 'create', 'c', '--nodes', '1'])).code).toBe(0);
    const netArgs = ['--subnet', '10.1.0.0/24', '--start', '10.1.0.10', '--end', '10.1.0.250', '--gateway', '10.1.0.1'];
    expect((await anvil(['network', 'create', 'blue', ...netArgs])).code).toBe(0);
    const made = await anvil([
      'perf-tier',
      'create',
      'reads',
      '--storage-iops',
      '20k',
      '--network-bandwidth',
      '1M',
      '--io-size',
      '4k',
      '--read-fraction',
      '100%',
    ]);
    expect(made.stderr).toBe('');
    const tier = JSON.parse((await anvil(['get', 'perf-tier', 'reads', '-o', 'json'])).stdout) as {
      io_size_bytes: number;
      read_fraction: number;
    };
    expect([tier.io_size_bytes, tier.read_fraction]).toEqual([4096, 1]);

    const badFraction = await anvil([
      'perf-tier',
      'create',
      'x',
      '--storage-iops',
      '1k',
      '--network-bandwidth',
      '1M',
      '--read-fraction',
      '2',
    ]);
    expect(badFraction.code).toBe(2);
    expect(badFraction.stderr).toMatch(/--read-fraction.*out of range: allowed 0 to 1/);
    const badSize = await anvil(['perf-tier', 'create', 'x', '--storage-iops', '1k', '--network-bandwidth', '1M', '--io-size', 'four']);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toMatch(/--io-size.*I\/O size; write e\.g\. 4k/);
    // fio would read 4KiB as 4000 bytes: refused rather than surprising.
    const kib = await anvil(['perf-tier', 'create', 'x', '--storage-iops', '1k', '--network-bandwidth', '1M', '--io-size', '4KiB']);
    expect(kib.code).toBe(2);

    // A pod of the read-only tier reserves 20K, which take less of the node's 4K 70/30 figure.
    const manifest = writeFiles({
      'p.yaml':
        'apiVersion: v1\nkind: Pod\nmetadata: { name: p, annotations: { anvil.dev/perf-tier: reads } }\nspec: { containers: [{ name: c }] }\n',
    });
    expect((await anvil(['apply', '-f', join(manifest, 'p.yaml')])).code).toBe(0);
    const pod = JSON.parse((await anvil(['get', 'pod', 'p', '-o', 'json'])).stdout) as Pod;
    if (pod.status.state !== 'running') throw new Error(`pod p is ${pod.status.state}`);
    const inv = loadNodeProfile('appliance-d10');
    const readCapacity = nodeCapacityAt(inv, { io_size_bytes: 4096, read_fraction: 1 });
    expect(readCapacity).toBeGreaterThan(inv.guaranteeable_iops);
    expect(pod.status.reserved_iops).toBe(20_000);
    expect(pod.status.admitted_iops).toBe(Math.ceil((20_000 * inv.guaranteeable_iops) / readCapacity));
  });

  it('the API takes and answers io_size_bytes and read_fraction, and refuses them out of range by field', async () => {
    const w = await seededWorld();
    const body = { name: 'reads', storage_iops: 20_000, network_bandwidth_bits_per_s: 1e6, io_size_bytes: 8192, read_fraction: 1 };
    const created = await w.call('admin', 'POST', '/apis/anvil.dev/v1/perf-tiers', body);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ io_size_bytes: 8192, read_fraction: 1 });
    const bad = await w.call('admin', 'POST', '/apis/anvil.dev/v1/perf-tiers', { ...body, name: 'bad', read_fraction: 1.5 });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toMatch(/read_fraction/);
    const small = await w.call('admin', 'POST', '/apis/anvil.dev/v1/perf-tiers', { ...body, name: 'small', io_size_bytes: 100 });
    expect(small.statusCode).toBe(400);
    expect(JSON.stringify(small.json())).toMatch(/io_size_bytes/);
    await w.app.close();
  });
});
