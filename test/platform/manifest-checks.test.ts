/**
 * Issue 11, point 11: a modelled kind in an apiVersion Anvil does not read is reported and skipped like an
 * unmodelled kind (rejected with --strict), apiVersion is required, and an apply with no object at all
 * ("no objects passed to apply", as kubectl says) is an error: non-zero from the CLI, 400 from the API.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planApply } from '../../platform/manifests/apply.js';
import { parseManifestText, readManifests } from '../../platform/manifests/documents.js';
import { caughtAnvilError } from '../caught.js';
import { tempDir, writeFiles } from '../cli-harness.js';
import { seededWorld } from './api/api-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const plan = (yaml: string, strict = false) => planApply(parseManifestText(yaml, 'm.yaml'), 'default', strict);

const V9 = `apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: apps/v9
kind: Deployment
metadata: { name: web }
spec: { replicas: 2, template: { spec: { containers: [{ name: c }] } } }
`;

describe('apiVersion and kind pairs', () => {
  it('skips a Deployment of apps/v9 with a note naming the line and the allowed apiVersion', () => {
    const p = plan(V9);
    expect(p.workloads).toEqual([]);
    expect(p.namespaces).toEqual(['shop']);
    expect(p.notes).toEqual([
      'm.yaml:5: Deployment web: apiVersion apps/v9 is not one Anvil reads for kind Deployment, allowed: apps/v1; skipped',
    ]);
  });

  it('rejects it with --strict, as other unsupported kinds', () => {
    const e = caughtAnvilError(() => plan(V9, true));
    expect(e.code).toBe('ANVIL_ERR_KIND_UNSUPPORTED');
    expect(e.details).toEqual([
      'm.yaml:5: Deployment web: apiVersion apps/v9 is not one Anvil reads for kind Deployment, allowed: apps/v1',
    ]);
  });

  it('requires apiVersion', () => {
    const e = caughtAnvilError(() => plan('kind: Pod\nmetadata: { name: p }\nspec: { containers: [{ name: c }] }\n'));
    expect(e.code).toBe('ANVIL_ERR_MANIFEST');
    expect(e.message).toBe('m.yaml:1: apiVersion: is required');
  });
});

describe('no objects passed to apply', () => {
  const dir = writeFiles({ 'empty.yaml': '', 'comments.yaml': '# nothing here\n---\n# nor here\n' });

  it('an empty file, a comments-only file, a folder without YAML and empty stdin are ANVIL_ERR_MANIFEST', () => {
    const folderWithoutYaml = writeFiles({ 'notes.txt': 'apiVersion: v1\nkind: Namespace\nmetadata: { name: x }\n' });
    for (const [path, stdin] of [
      [join(dir, 'empty.yaml'), ''],
      [join(dir, 'comments.yaml'), ''],
      [folderWithoutYaml, ''],
      ['-', '# only a comment\n'],
    ] as const) {
      const e = caughtAnvilError(() => readManifests(path, () => stdin));
      expect(e.code, path).toBe('ANVIL_ERR_MANIFEST');
      expect(e.message, path).toMatch(
        new RegExp(`^no objects passed to apply: ${path === '-' ? '<stdin>' : path.replace(/[/.]/g, '\\$&')} holds no Kubernetes object`),
      );
    }
  });

  it('the CLI exits non-zero with that message', () => {
    const state = join(tempDir('anvil-cli-'), 'state.db');
    const bin = anvilBin();
    const r = spawnSync(process.execPath, [bin, 'apply', '-f', join(dir, 'comments.yaml'), '--state', state], {
      encoding: 'utf8',
      env: { ...process.env, ANVIL_STATE: '', ANVIL_USER: 'operator' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^ANVIL_ERR_MANIFEST: no objects passed to apply: .*comments\.yaml holds no Kubernetes object/);
    expect(r.stdout).toBe('');
  });

  it('the API answers 400 with the code, and a Deployment of apps/v9 is not created', async () => {
    const w = await seededWorld();
    const empty = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: '# only comments\n---\n' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'ANVIL_ERR_MANIFEST', message: expect.stringMatching(/^no objects passed to apply/) });
    const v9 = await w.call('tuser', 'POST', '/apis/anvil.dev/v1/namespaces/a/apply', { manifests: V9.split('---\n')[1]! });
    expect(v9.statusCode).toBe(200);
    expect(v9.json()).toEqual({
      lines: [],
      notes: ['body.manifests:1: Deployment web: apiVersion apps/v9 is not one Anvil reads for kind Deployment, allowed: apps/v1; skipped'],
    });
    const deployments = await w.call('tuser', 'GET', '/apis/anvil.dev/v1/namespaces/a/deployments');
    expect(JSON.stringify(deployments.json())).not.toMatch(/"web"/);
    await w.app.close();
  });
});
