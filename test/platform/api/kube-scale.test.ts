/**
 * The scale subresource of Deployments and StatefulSets through inject(): the Scale read back, replicas
 * set by a merge patch (what kubectl scale sends) or a PUT of a whole Scale with its resourceVersion as a
 * precondition, a body with no Content-Type read as JSON (client-go's scale client sends none), bad
 * counts refused by their field, permission before existence, and discovery naming the subresource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededWorld, type World } from './api-harness.js';

let w: World;
beforeAll(async () => {
  w = await seededWorld();
});
afterAll(async () => {
  await w.app.close();
});

const scaleUrl = (ns: string, resource: string, name: string) => `/apis/apps/v1/namespaces/${ns}/${resource}/${name}/scale`;
const podsOf = (name: string) =>
  w.api.store.read((s) => [...s.pods.values()].filter((p) => p.owner?.name === name && p.namespace === 'a').map((p) => p.name));
interface Scale {
  kind: string;
  apiVersion: string;
  metadata: { name: string; resourceVersion: string };
  spec: { replicas: number };
  status: { replicas: number; selector: string };
}
const request = (method: 'GET' | 'PATCH' | 'PUT', url: string, body?: unknown, contentType?: string, token = w.tokens.admin) =>
  w.app.inject({
    method,
    url,
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
    headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
  });

describe('the scale subresource', () => {
  it('reads a Deployment’s Scale and sets its replicas by a merge patch: pods follow', async () => {
    const read = await request('GET', scaleUrl('a', 'deployments', 'da'));
    expect(read.statusCode, read.body).toBe(200);
    const before = read.json() as Scale;
    expect(before).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 1 } });
    expect(before.status.selector).toBe('app=da');
    const patched = await request('PATCH', scaleUrl('a', 'deployments', 'da'), { spec: { replicas: 3 } }, 'application/merge-patch+json');
    expect(patched.statusCode, patched.body).toBe(200);
    expect((patched.json() as Scale).spec.replicas).toBe(3);
    expect((patched.json() as Scale).status.replicas).toBe(3);
    expect(podsOf('da')).toHaveLength(3);
  });

  it('a PUT of a whole Scale with no Content-Type sets a StatefulSet’s replicas; a stale resourceVersion is a 409 that changes nothing', async () => {
    const current = (await request('GET', scaleUrl('a', 'statefulsets', 'ca'))).json() as Scale;
    const put = await request('PUT', scaleUrl('a', 'statefulsets', 'ca'), { ...current, spec: { replicas: 2 } });
    expect(put.statusCode, put.body).toBe(200);
    expect(podsOf('ca')).toHaveLength(2);
    const stale = await request('PUT', scaleUrl('a', 'statefulsets', 'ca'), { ...current, spec: { replicas: 4 } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ kind: 'Status', reason: 'Conflict' });
    expect(podsOf('ca')).toHaveLength(2);
  });

  it('refuses a count that is not an integer from 0, or above the workload bound, by its field; a JSON Patch is 415', async () => {
    for (const replicas of [-1, 1.5, 'three']) {
      const r = await request('PATCH', scaleUrl('a', 'deployments', 'da'), { spec: { replicas } }, 'application/merge-patch+json');
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json()).toMatchObject({ kind: 'Status', reason: 'Invalid' });
      expect((r.json() as { message: string }).message).toContain('spec.replicas');
    }
    const huge = await request('PATCH', scaleUrl('a', 'deployments', 'da'), { spec: { replicas: 1e6 } }, 'application/merge-patch+json');
    // The bound on one workload's replicas, as a patch of the workload answers it.
    expect(huge.statusCode).toBe(413);
    expect((huge.json() as { message: string }).message).toContain('spec.replicas');
    const jsonPatch = await request('PATCH', scaleUrl('a', 'deployments', 'da'), [{ op: 'replace' }], 'application/json-patch+json');
    expect(jsonPatch.statusCode).toBe(415);
    expect(podsOf('da')).toHaveLength(3);
  });

  it('permission before existence: another tenant is Forbidden for a workload that exists and one that does not', async () => {
    const there = await request('GET', scaleUrl('a', 'deployments', 'da'), undefined, undefined, w.tokens.tother);
    const absent = await request('GET', scaleUrl('a', 'deployments', 'nothing'), undefined, undefined, w.tokens.tother);
    expect(there.statusCode).toBe(403);
    expect(absent.statusCode).toBe(403);
    expect(there.json()).toMatchObject({ reason: 'Forbidden' });
    const mine = await request('GET', scaleUrl('a', 'deployments', 'nothing'), undefined, undefined, w.tokens.tuser);
    expect(mine.statusCode).toBe(404);
    expect((mine.json() as { message: string }).message).toBe('deployments.apps "nothing" not found');
  });

  it('discovery names deployments/scale and statefulsets/scale as autoscaling/v1 Scale, legacy and aggregated', async () => {
    const legacy = (await request('GET', '/apis/apps/v1')).json() as { resources: { name: string; group?: string; kind: string }[] };
    expect(legacy.resources.filter((r) => r.name.endsWith('/scale'))).toEqual([
      expect.objectContaining({ name: 'deployments/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }),
      expect.objectContaining({ name: 'statefulsets/scale', group: 'autoscaling', version: 'v1', kind: 'Scale' }),
    ]);
    const aggregated = await w.app.inject({
      method: 'GET',
      url: '/apis',
      headers: {
        authorization: `Bearer ${w.tokens.admin}`,
        accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      },
    });
    const deployments = (
      aggregated.json() as { items: { versions: { resources: { resource: string; subresources?: unknown[] }[] }[] }[] }
    ).items[0]!.versions[0]!.resources.find((r) => r.resource === 'deployments');
    expect(deployments?.subresources).toEqual([
      { subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] },
    ]);
  });
});
