/**
 * Issue 11, point 7: YAML aliases that do not resolve, alias bombs and integers beyond 2^53 in every YAML
 * Anvil reads (manifests, TCO scenarios and catalogues, device and node profiles) are coded errors with
 * the file and line, never an internal error; and no source file parses YAML other than through
 * platform/yaml-input.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { loadNodeProfile } from '../../platform/domain/node-profile.js';
import { parseManifestText } from '../../platform/manifests/documents.js';
import { parseYamlDocuments, YAML_MAX_ALIAS_EXPANSION } from '../../platform/yaml-input.js';
import { parseCatalogueFile } from '../../reports/tco/catalogue.js';
import { parseScenario } from '../../reports/tco/scenario.js';
import { caughtAnvilError } from '../caught.js';
import { writeFiles } from '../cli-harness.js';
import { seededWorld } from './api/api-harness.js';

const UNRESOLVED = 'name: x\nq: *nope\n';
/** Nine-fold nesting six deep: 9^6 = 531,441 values from a 7-line file; the bound is passed on line 6. */
const BOMB =
  [
    'name: x',
    'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
    ...['b', 'c', 'd', 'e', 'f'].map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdef'[i]}`).join(', ')}]`),
  ].join('\n') + '\n';
const HUGE_INT = 'name: x\nn: 9007199254740993\n';

/** Every way a YAML text reaches Anvil, each with the code its errors carry. */
const READERS: [string, string, (text: string, file: string) => unknown][] = [
  ['manifest', 'ANVIL_ERR_MANIFEST', (t, f) => parseManifestText(t, f)],
  ['TCO scenario', 'ANVIL_ERR_TCO_SCENARIO', (t, f) => parseScenario(t, f)],
  ['cost catalogue file', 'ANVIL_ERR_TCO_CATALOGUE', (t, f) => parseCatalogueFile(t, f)],
  ['device profile', 'ANVIL_ERR_PROFILE_INVALID', (t, f) => parseProfile(t, f)],
  ['node profile', 'ANVIL_ERR_NODE_PROFILE', (t, f) => loadNodeProfile(join(writeFiles({ [f]: t }), f))],
];

describe('YAML aliases and large integers', () => {
  for (const [what, code, read] of READERS) {
    it(`a ${what} with an unresolved alias, an alias bomb or an inexact integer is ${code} with file and line`, () => {
      for (const [text, line, message] of [
        [UNRESOLVED, 2, /alias \*nope has no anchor &nope/],
        [BOMB, 6, new RegExp(`aliases expand this document to more than ${YAML_MAX_ALIAS_EXPANSION} values`)],
        [HUGE_INT, 2, /the integer 9007199254740993 is beyond ±9007199254740991/],
      ] as const) {
        const e = caughtAnvilError(() => read(text, 'in.yaml'));
        expect(e.code, `${what}: ${text}`).toBe(code);
        expect(e.message).toMatch(/is not valid YAML$/);
        expect(e.details.join('\n')).toMatch(new RegExp(`(^|/)in\\.yaml:${line}: ${message.source}`));
      }
    });
  }

  it('keeps ordinary aliases and large exact numbers working', () => {
    const { documents, problems } = parseYamlDocuments(
      'base: &b { cpu: 1, mem: 2 }\ncopy: *b\nbig: 9007199254740991\nfloat: 1e300\n',
      'ok.yaml',
    );
    expect(problems).toEqual([]);
    expect(documents[0]!.data).toEqual({ base: { cpu: 1, mem: 2 }, copy: { cpu: 1, mem: 2 }, big: 9007199254740991, float: 1e300 });
  });

  it('refuses an alias inside its own anchor', () => {
    const { problems } = parseYamlDocuments('a: &a [1, *a]\n', 'self.yaml');
    expect(problems).toEqual([expect.stringMatching(/^self\.yaml:1: alias \*a refers to the collection that holds it/)]);
  });

  it('answers an alias in an API apply with 400 ANVIL_ERR_MANIFEST and the line, not a 500', async () => {
    const w = await seededWorld();
    for (const manifests of [
      `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: *nope\n`,
      `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\n${BOMB.replace('name: x\n', '')}`,
    ]) {
      const r = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests });
      expect(r.statusCode, manifests).toBe(400);
      const body = r.json() as { code: string; message: string; details?: string[] };
      expect(body.code).toBe('ANVIL_ERR_MANIFEST');
      expect(JSON.stringify(body)).toMatch(/body\.manifests:\d+: alias/);
    }
    await w.app.close();
  });
});

describe('one YAML reader', () => {
  it('no source file outside platform/yaml-input.ts imports a YAML parser', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && path !== join('platform', 'yaml-input.ts')) {
          const imports = readFileSync(path, 'utf8').match(/import\s*\{([^}]*)\}\s*from\s*'yaml'/g) ?? [];
          if (imports.some((i) => /\b(parse|parseDocument|parseAllDocuments|Parser|Composer)\b/.test(i))) offenders.push(path);
        }
      }
    };
    for (const root of ['platform', 'bench', 'reports', 'sim']) walk(root);
    expect(offenders).toEqual([]);
  });
});
