/**
 * parseYamlData parses a file's text once per process (a cluster run reads each node and drive profile
 * once per node and drive) and hands out copies: what one caller changes, the next never sees; bad YAML
 * is refused with the caller's code every time, as parseYamlFile refuses it.
 */
import { describe, expect, it } from 'vitest';
import { parseProfile } from '../../bench/profiles.js';
import { parseYamlData } from '../../platform/yaml-input.js';
import { caughtAnvilError } from '../caught.js';

describe('parseYamlData', () => {
  it('gives each caller its own copy of the same data', () => {
    const text = 'kind: nvme\nlist: [1, 2]\nnested: { a: 1 }\n';
    const first = parseYamlData(text, 'copies.yaml', 'ANVIL_ERR_PROFILE_INVALID') as Record<string, unknown>;
    first.kind = 'changed';
    (first.list as number[]).push(3);
    (first.nested as Record<string, number>).a = 2;
    const second = parseYamlData(text, 'copies.yaml', 'ANVIL_ERR_PROFILE_INVALID');
    expect(second).toEqual({ kind: 'nvme', list: [1, 2], nested: { a: 1 } });
    expect(second).not.toBe(first);
  });

  it('reads another text of the same file anew', () => {
    expect(parseYamlData('a: 1\n', 'edited.yaml', 'ANVIL_ERR_PROFILE_INVALID')).toEqual({ a: 1 });
    expect(parseYamlData('a: 2\n', 'edited.yaml', 'ANVIL_ERR_PROFILE_INVALID')).toEqual({ a: 2 });
  });

  it('refuses bad YAML every time, with the code the caller gives', () => {
    const bad = 'a: [1, 2\n';
    for (const code of ['ANVIL_ERR_PROFILE_INVALID', 'ANVIL_ERR_NODE_PROFILE'] as const) {
      const e = caughtAnvilError(() => parseYamlData(bad, 'bad.yaml', code));
      expect(e.code).toBe(code);
      expect(e.message).toContain('bad.yaml is not valid YAML');
    }
  });

  it('keeps a profile parsed twice the same (parseProfile changes its copy: kind null is the null device)', () => {
    const text = 'kind: null\n';
    expect(parseProfile(text, 'twice.yaml').kind.name).toBe('null');
    expect(parseYamlData(text, 'twice.yaml', 'ANVIL_ERR_PROFILE_INVALID')).toEqual({ kind: null });
    expect(parseProfile(text, 'twice.yaml').kind.name).toBe('null');
  });
});
