/**
 * A device's capacity comes from its kind's `capacityOf(params)`, read from the profile's typed
 * parameters without building a simulator and a device; it equals what a built device reports (built
 * here once, as the oracle). Profiles carry their kind's parameter type, so nothing casts them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { builtInProfiles, loadProfile, parseProfile, profileCapacity, standaloneDevice, type DeviceProfile } from '../../bench/profiles.js';
import { packageRoot } from '../../bench/package-root.js';
import { nullDevice } from '../../sim/devices/null-device.js';
import { nvmeDevice, type NvmeParams } from '../../sim/devices/nvme/index.js';

const OTHER_KINDS: Record<string, string> = {
  'null-default.yaml': 'kind: null\n',
  'null-sized.yaml': 'kind: null\ncapacity: 3.84T\nlatency: 10us\n',
  'queue-default.yaml': 'kind: queue\nservice: { dist: exponential, mean: 10us }\n',
  'queue-sized.yaml': 'kind: queue\nservers: 4\nservice: { dist: exponential, mean: 10us }\ncapacity: 512G\n',
  'nvme-sized.yaml': 'kind: nvme\ncapacity: 3.84T\n',
};

function profiles(): DeviceProfile[] {
  return [...builtInProfiles().map(loadProfile), ...Object.entries(OTHER_KINDS).map(([path, text]) => parseProfile(text, path))];
}

afterEach(() => vi.restoreAllMocks());

describe('device capacity', () => {
  it('covers every built-in profile and every device kind', () => {
    expect(builtInProfiles().length).toBeGreaterThanOrEqual(3);
    expect(new Set(profiles().map((p) => p.kind.name))).toEqual(new Set(['null', 'queue', 'nvme']));
  });

  for (const profile of profiles()) {
    it(`of ${profile.name} (${profile.kind.name}) is what the built device reports, read without building one`, () => {
      const built = standaloneDevice(profile).capacity_bytes; // the oracle: the old way, once
      expect(built).toBeGreaterThan(0);
      const create = vi.spyOn(profile.kind, 'create');
      expect(profile.kind.capacityOf(profile.params)).toBe(built);
      expect(profileCapacity(profile)).toBe(built);
      expect(create).not.toHaveBeenCalled();
    });
  }

  it("is each kind's own reading of its parameters", () => {
    expect(nullDevice.capacityOf({ kind: 'null', capacity: '1T', latency: '0ns' })).toBe(2 ** 40);
    const nvme = Value.Create(nvmeDevice.schema);
    expect(nvmeDevice.capacityOf({ ...nvme, capacity: '375083606016' })).toBe(375083606016);
    expect(() => nvmeDevice.capacityOf({ ...nvme, capacity: '0' })).toThrow(/capacity must be greater than zero/);
  });

  it("types a profile's parameters as its kind's", () => {
    expectTypeOf<DeviceProfile<typeof nvmeDevice.schema>['params']>().toEqualTypeOf<NvmeParams>();
    expectTypeOf(nvmeDevice.capacityOf).parameter(0).toEqualTypeOf<NvmeParams>();
  });

  it('leaves no `as never` in the model or bench sources', () => {
    const root = packageRoot();
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && /\bas never\b/.test(readFileSync(path, 'utf8'))) offenders.push(path.slice(root.length + 1));
      }
    };
    for (const part of ['sim', 'bench', 'reports']) walk(join(root, part));
    expect(offenders).toEqual([]);
  });
});
