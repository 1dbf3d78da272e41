/**
 * Issue 11, point 10 (control plane): every numeric field has a range. A perf tier's storage_iops of 1e308
 * or 2^53+1, a volume of 2 EiB, a pod asking for a billion cores, a node profile with 1e30 bytes of
 * memory are refused with a coded error naming the field and the allowed range, through the domain, the
 * API (whose schemas carry the same maximums), the CLI and manifests.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IOPS_RANGE, VOLUME_SIZE_RANGE } from '../../platform/domain/limits.js';
import { loadNodeProfile } from '../../platform/domain/node-profile.js';
import { planApply, runApply } from '../../platform/manifests/apply.js';
import { parseManifestText } from '../../platform/manifests/documents.js';
import { caughtAnvilError } from '../caught.js';
import { tempDir } from '../cli-harness.js';
import { seededWorld } from './api/api-harness.js';
import { as, openStore, podSpec, smallProfilePath } from './control-plane-harness.js';
import { anvilBin } from '../../bench/package-root.js';

// eslint-disable-next-line no-loss-of-precision -- the point: the literal parses as 2^53, not kept exactly
const TWO_POW_53_PLUS_1 = 9007199254740993;

function cluster() {
  const { store } = openStore();
  as(store, (cp) => {
    cp.createCluster({ name: 'c', nodes: 1 });
    cp.createNetwork({ name: 'blue', subnet: '10.1.0.0/24', start: '10.1.0.10', end: '10.1.0.20', gateway: '10.1.0.1' });
  });
  return store;
}

describe('control-plane numeric ranges', () => {
  it('refuses perf tiers whose figures are out of range, naming the field and the range, and stores nothing', () => {
    const store = cluster();
    for (const [input, field] of [
      [{ storage_iops: 1e308, network_bandwidth_bits_per_s: 0 }, 'storage_iops'],
      [{ storage_iops: TWO_POW_53_PLUS_1, network_bandwidth_bits_per_s: 0 }, 'storage_iops'],
      [{ storage_iops: 10, network_bandwidth_bits_per_s: 1e300 }, 'network_bandwidth_bits_per_s'],
      [{ storage_iops: 10, network_bandwidth_bits_per_s: 0, max_storage_iops: IOPS_RANGE.max + 1 }, 'max_storage_iops'],
    ] as const) {
      const e = caughtAnvilError(() => as(store, (cp) => cp.createPerfTier({ name: 'absurd', ...input })));
      expect(e.code).toBe('ANVIL_ERR_FIELD_INVALID');
      expect(e.message).toMatch(new RegExp(`^perf tier absurd: ${field} \\(--[a-z-]+\\): .* is out of range, allowed: .*0 to `));
    }
    expect(store.read((s) => s.perfTiers.has('absurd'))).toBe(false);
    // The largest allowed value is stored exactly.
    as(store, (cp) => cp.createPerfTier({ name: 'top', storage_iops: IOPS_RANGE.max, network_bandwidth_bits_per_s: 0 }));
    expect(store.read((s) => s.perfTiers.get('top')!.storage_iops)).toBe(IOPS_RANGE.max);
  });

  it('refuses volumes above 1 PiB and pods above 10,000 cores', () => {
    const store = cluster();
    const vol = caughtAnvilError(() => as(store, (cp) => cp.createVolume({ namespace: 'default', name: 'v', size_bytes: 2 ** 61 })));
    expect(vol.message).toBe(
      `volume default/v: size_bytes (--size): ${2 ** 61} is out of range, allowed: a whole number from ${VOLUME_SIZE_RANGE.min} to ${VOLUME_SIZE_RANGE.max} bytes`,
    );
    const pod = caughtAnvilError(() =>
      as(store, (cp) => cp.createPod(podSpec('p', { cpu_millicores: 1e12, endpoints: [{ network: 'blue', perf_tier: 'best-effort' }] }))),
    );
    expect(pod.message).toMatch(
      /^pod default\/p: cpu request \(millicores\): 1000000000000 is out of range, allowed: a whole number from 0 to 10000000 millicores/,
    );
  });

  it('names the manifest line of an absurd claim size or pod cpu', () => {
    const claim = caughtAnvilError(() =>
      planApply(
        parseManifestText(
          'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: c }\nspec: { resources: { requests: { storage: 2Ei } } }\n',
          'm.yaml',
        ),
        'default',
        false,
      ),
    );
    expect(claim.message).toBe('m.yaml:4: spec.resources.requests.storage: "2Ei" is out of range, allowed: 1Mi to 1Pi');
    const cpu = caughtAnvilError(() =>
      planApply(
        parseManifestText(
          'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - { name: c, resources: { requests: { cpu: "1e9" } } }\n',
          'm.yaml',
        ),
        'default',
        false,
      ),
    );
    expect(cpu.message).toBe('m.yaml:6: spec.containers[0].resources.requests.cpu: "1e9" is out of range, allowed: up to 10000 cores');
    // Containers that are each in range can still sum past it: the domain refuses the pod, at the document's line.
    const store = cluster();
    const many = Array.from({ length: 3 }, (_, i) => `    - { name: c${i}, resources: { requests: { cpu: "4000" } } }`).join('\n');
    const plan = planApply(
      parseManifestText(`apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n${many}\n`, 'm.yaml'),
      'default',
      false,
    );
    const pod = caughtAnvilError(() => as(store, (cp) => runApply(cp, plan)));
    expect(pod.code).toBe('ANVIL_ERR_FIELD_INVALID');
    expect(pod.message).toMatch(
      /^m\.yaml:1: pod default\/p: cpu request \(millicores\): 12000000 is out of range, allowed: a whole number from 0 to 10000000 millicores/,
    );
    // A quantity that overflows is not a quantity at all; unquoted, YAML itself refuses the number.
    const inf = caughtAnvilError(() =>
      planApply(
        parseManifestText(
          'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: c }\nspec: { resources: { requests: { storage: "1e999" } } }\n',
          'm.yaml',
        ),
        'default',
        false,
      ),
    );
    expect(inf.message).toMatch(/^m\.yaml:4: spec\.resources\.requests\.storage: "1e999" is not a size/);
    const bare = caughtAnvilError(() =>
      parseManifestText(
        'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: c }\nspec: { resources: { requests: { storage: 1e999 } } }\n',
        'm.yaml',
      ),
    );
    expect(bare.details).toEqual(['m.yaml:4: the number 1e999 is beyond what a number can hold (about ±1.8e308); use a smaller number']);
  });

  it('refuses a node profile with absurd memory or IOPS', () => {
    expect(loadNodeProfile(smallProfilePath()).memory_bytes).toBe(8 * 2 ** 30); // the profile the cases below break
    const huge = caughtAnvilError(() => loadNodeProfile(writeProfile('memory: 8Gi', 'memory: 1e30')));
    expect(huge.code).toBe('ANVIL_ERR_NODE_PROFILE');
    expect(huge.message).toMatch(/\/memory: 1e\+30 is out of range, allowed: 0 to 1125899906842624 bytes$/);
    const iops = caughtAnvilError(() => loadNodeProfile(writeProfile('storage_iops: 50000', 'storage_iops: 100000000000')));
    expect(iops.details.join('\n')).toMatch(/\/guaranteeable\/storage_iops: Expected integer to be less or equal to 100000000/);
  });

  it('answers 400 for out-of-range API bodies: 1e308 and 2^53+1 IOPS, a 2 EiB volume', async () => {
    const w = await seededWorld();
    for (const body of [
      `{"name":"t1","storage_iops":1e308,"network_bandwidth_bits_per_s":0}`,
      `{"name":"t2","storage_iops":9007199254740993,"network_bandwidth_bits_per_s":0}`,
    ]) {
      const r = await w.app.inject({
        method: 'POST',
        url: '/apis/anvil.dev/v1/perf-tiers',
        headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/json' },
        payload: body,
      });
      expect(r.statusCode, body).toBe(400);
      expect(r.json()).toMatchObject({
        code: 'ANVIL_ERR_FIELD_INVALID',
        message: expect.stringMatching(/storage_iops: must be <= 100000000/),
      });
    }
    const vol = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/volumes', { name: 'big', size_bytes: 2 ** 61 });
    expect(vol.statusCode).toBe(400);
    expect(vol.json()).toMatchObject({
      code: 'ANVIL_ERR_FIELD_INVALID',
      message: expect.stringMatching(/size_bytes: must be <= 1125899906842624/),
    });
    const tiers = await w.call('admin', 'GET', '/apis/anvil.dev/v1/perf-tiers');
    expect(JSON.stringify(tiers.json())).not.toMatch(/"t1"|"t2"/);
    await w.app.close();
  });

  it('the CLI refuses --storage-iops beyond the range with the field and range', () => {
    const state = join(tempDir('anvil-cli-'), 'state.db');
    const bin = anvilBin();
    const run = (args: string[]) =>
      spawnSync(process.execPath, [bin, ...args, '--state', state], {
        encoding: 'utf8',
        env: { ...process.env, ANVIL_STATE: '', ANVIL_USER: 'operator' },
      });
    expect(run(['cluster', 'create', 'c', '--nodes', '1']).status).toBe(0);
    const r = run(['perf-tier', 'create', 't', '--storage-iops', '99999999999999999999', '--network-bandwidth', '1G']);
    // A flag's value outside the domain's range is a usage error (exit 2) naming the flag and the range.
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /^ANVIL_ERR_USAGE: option '--storage-iops <n>' argument '99999999999999999999' is invalid: out of range: allowed 0 to 100000000 IOPS; see anvil perf-tier create --help/,
    );
  });
});

/** The small test profile with one line replaced. */
function writeProfile(from: string, to: string): string {
  const path = smallProfilePath();
  writeFileSync(path, readFileSync(path, 'utf8').replace(from, to));
  return path;
}
