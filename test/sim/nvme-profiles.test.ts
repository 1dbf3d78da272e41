/**
 * The nvme profiles as data: each validates against the kind's schema, each figure it gives (parameter
 * or datasheet entry) names its source, and the project's profile loader reads them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { DEFAULT_PROFILE, loadProfile } from '../../bench/profiles.js';
import { PROFILE_DIR, loadNvmeProfile } from './nvme-harness.js';

const DESCRIPTIVE = new Set(['kind', 'name', 'description', 'sources']);

/** Paths of every figure a profile gives: "media.read", "capacity", "datasheet.randread_4k_iops". */
function figurePaths(raw: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (DESCRIPTIVE.has(key)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const sub of Object.keys(value)) paths.push(`${key}.${sub}`);
    } else {
      paths.push(key);
    }
  }
  return paths;
}

const profiles = readdirSync(PROFILE_DIR)
  .filter((f) => f.endsWith('.yaml') && /^kind:\s*nvme\s*$/m.test(readFileSync(join(PROFILE_DIR, f), 'utf8')))
  .map((f) => f.slice(0, -'.yaml'.length));

test('the default profile is the P4510', () => {
  expect(DEFAULT_PROFILE).toBe('intel-p4510-4tb');
  expect(profiles).toContain(DEFAULT_PROFILE);
});

for (const name of profiles) {
  describe(name, () => {
    test('validates against the nvme schema and has a name and a description', () => {
      const { raw } = loadNvmeProfile(name);
      expect(typeof raw.name).toBe('string');
      expect(typeof raw.description).toBe('string');
    });

    test('every figure names its source: a citation with its year, or derived / fitted / assumed / measured', () => {
      const { raw } = loadNvmeProfile(name);
      const sources = (raw.sources ?? {}) as Record<string, string>;
      const missing = figurePaths(raw).filter((path) => !(path in sources));
      expect(missing).toEqual([]);
      for (const [path, source] of Object.entries(sources)) {
        const ok = /^(derived|fitted|assumed|measured|unused)\b/.test(source) || /\b(19|20)\d\d\b/.test(source);
        expect(ok, `${name}: sources.${path} = ${source}`).toBe(true);
        if (source.startsWith('fitted')) expect(source, `${name}: say what was fitted to what`).toMatch(/^fitted: \S/);
      }
      // No source for a figure the profile does not give.
      const given = new Set(figurePaths(raw));
      expect(Object.keys(sources).filter((path) => !given.has(path))).toEqual([]);
    });

    test("the project's profile loader reads it", () => {
      const profile = loadProfile(name);
      expect(profile.kind.name).toBe('nvme');
      expect(profile.title).toBe(loadNvmeProfile(name).raw.name);
    });
  });
}
