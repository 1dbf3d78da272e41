/**
 * The Kubernetes facade's writes through Fastify's inject(): the manifest kept beside the Anvil objects
 * (uid, generation, creation time), generation bumped only by spec changes, dry runs that keep nothing,
 * field validation (Strict refuses, Warn warns), and the strategic merge patch's directives as kubectl sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestsOf } from '../../../platform/state/kube-manifests.js';
import { mergePatch, mergePatchBetween, strategicMergePatch } from '../../../platform/api/kube/patch.js';
import { seededWorld, type World } from './api-harness.js';

let w: World;
beforeAll(async () => {
  w = await seededWorld();
});
afterAll(async () => {
  await w.app.close();
});

const DEPLOY = '/apis/apps/v1/namespaces/a/deployments';
const deployment = (name: string, replicas: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, labels: { app: name } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    },
    ...extra,
  },
});
const send = (method: 'POST' | 'PATCH', url: string, body: unknown, contentType = 'application/json') =>
  w.app.inject({
    method,
    url,
    payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': contentType },
  });
const podsOf = (name: string) => w.api.store.read((s) => [...s.pods.values()].filter((p) => p.owner?.name === name).map((p) => p.name));

describe('the Kubernetes facade writes', () => {
  it('keeps the manifest beside the pods it placed, with uid, generation and creation time; only a spec change bumps the generation', async () => {
    const created = await send('POST', `${DEPLOY}?fieldManager=kubectl-create&fieldValidation=Strict`, deployment('w1', 2));
    expect(created.statusCode, created.body).toBe(201);
    const object = created.json() as { metadata: { uid: string; generation: number; creationTimestamp: string; resourceVersion: string } };
    expect(object.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(object.metadata.generation).toBe(1);
    expect(object.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(object.metadata.resourceVersion).not.toBe('');
    const stored = manifestsOf(w.api.store).get('Deployment', 'a', 'w1')!;
    expect(stored.uid).toBe(object.metadata.uid);
    expect(stored.manifest).toMatchObject({ spec: { replicas: 2 } });
    expect(podsOf('w1')).toEqual(['w1-0', 'w1-1']);

    const labelled = await send('PATCH', `${DEPLOY}/w1`, { metadata: { labels: { tier: 'x' } } }, 'application/merge-patch+json');
    expect((labelled.json() as typeof object).metadata.generation).toBe(1);
    const scaled = await send('PATCH', `${DEPLOY}/w1`, { spec: { replicas: 1 } }, 'application/strategic-merge-patch+json');
    expect(scaled.statusCode, scaled.body).toBe(200);
    expect((scaled.json() as typeof object).metadata.generation).toBe(2);
    expect((scaled.json() as typeof object).metadata.uid).toBe(object.metadata.uid);
    expect(podsOf('w1')).toEqual(['w1-0']);
  });

  it('a dry run answers the object and keeps nothing', async () => {
    const r = await send('POST', `${DEPLOY}?dryRun=All`, deployment('dry', 1));
    expect(r.statusCode, r.body).toBe(201);
    expect(manifestsOf(w.api.store).get('Deployment', 'a', 'dry')).toBeUndefined();
    expect(podsOf('dry')).toEqual([]);
  });

  it('Strict refuses unknown fields by their paths; Warn keeps the object and warns', async () => {
    const bad = deployment('strict', 1, { foo: 1 });
    (bad.spec.template.spec.containers[0] as Record<string, unknown>).bar = 2;
    const strict = await send('POST', `${DEPLOY}?fieldValidation=Strict`, bad);
    expect(strict.statusCode).toBe(400);
    expect(strict.json()).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message:
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].bar", unknown field "spec.foo"',
    });
    const warn = await send('POST', `${DEPLOY}?fieldValidation=Warn`, bad);
    expect(warn.statusCode).toBe(201);
    expect(String(warn.headers.warning)).toContain('299 - "unknown field \\"spec.foo\\""');
  });

  it('a value Anvil cannot take is Invalid with its field; a duplicate AlreadyExists; JSON Patch 415', async () => {
    const invalid = await send('POST', DEPLOY, deployment('neg', -1));
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json()).toMatchObject({
      reason: 'Invalid',
      details: { kind: 'Deployment', name: 'neg', causes: [{ field: 'spec.replicas', reason: 'FieldValueInvalid' }] },
    });
    await send('POST', DEPLOY, deployment('dup', 1));
    expect((await send('POST', DEPLOY, deployment('dup', 1))).json()).toMatchObject({
      reason: 'AlreadyExists',
      message: 'deployments.apps "dup" already exists',
      code: 409,
    });
    expect((await send('PATCH', `${DEPLOY}/dup`, '[]', 'application/json-patch+json')).statusCode).toBe(415);
  });
});

describe('patches', () => {
  it("applies kubectl's strategic merge patch: merged by name and containerPort, deleted items, element order, retained keys", () => {
    const live = {
      metadata: { labels: { app: 'x', tier: 'web' } },
      spec: {
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'nginx:1.27',
                env: [
                  { name: 'A', value: '1' },
                  { name: 'B', value: '2' },
                ],
                ports: [{ containerPort: 80 }, { containerPort: 443 }],
              },
              { name: 'sidecar', image: 'busybox' },
            ],
          },
        },
      },
    };
    // What kubectl 1.32 sent for removing a label, an env var, a port and a container, and switching strategy.
    const patch = {
      metadata: { labels: { tier: null } },
      spec: {
        strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' },
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'B' }],
                '$setElementOrder/ports': [{ containerPort: 80 }],
                env: [
                  { name: 'B', value: '3' },
                  { $patch: 'delete', name: 'A' },
                ],
                image: 'nginx:1.28',
                name: 'web',
                ports: [{ $patch: 'delete', containerPort: 443 }],
              },
              { $patch: 'delete', name: 'sidecar' },
            ],
          },
        },
      },
    };
    expect(strategicMergePatch(live, patch)).toEqual({
      metadata: { labels: { app: 'x' } },
      spec: {
        strategy: { type: 'Recreate' },
        template: {
          spec: { containers: [{ name: 'web', image: 'nginx:1.28', env: [{ name: 'B', value: '3' }], ports: [{ containerPort: 80 }] }] },
        },
      },
    });
  });

  it('merge patch replaces lists and removes nulls; the patch between two configurations removes what was dropped', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({ a: 1, b: { d: 3 }, l: [3] });
    const before = { spec: { replicas: 1, env: [{ name: 'X' }] }, metadata: { labels: { a: '1' } } };
    const after = { spec: { replicas: 2 }, metadata: { labels: { a: '1' } } };
    const live = { spec: { replicas: 1, env: [{ name: 'X' }], other: true }, metadata: { labels: { a: '1', b: '2' } } };
    expect(mergePatch(live, mergePatchBetween(before, after))).toEqual({
      spec: { replicas: 2, other: true },
      metadata: { labels: { a: '1', b: '2' } },
    });
  });
});
