/**
 * What kubectl's everyday commands beyond `create -f` need of the facade, through Fastify's inject(): the
 * protobuf bodies of its imperative creates (bytes as kubectl 1.32 sent them), `metadata.generateName`,
 * and deleting a namespace with what it holds (refused while it holds Anvil objects kubectl does not show).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectOfProtobuf, ProtobufBodyError } from '../../../platform/api/kube/protobuf-body.js';
import { nameSuffix, withGeneratedName } from '../../../platform/api/kube/generated-names.js';
import { seededWorld, type World } from './api-harness.js';

/** `kubectl create namespace foo` (kubectl 1.32.4 -v=9, the request body). */
const CREATE_NAMESPACE = Buffer.from(
  '6b3873000a0f0a0276311209 4e616d657370616365121b0a130a03666f6f12001a0022002a00320038004200 12001a020a001a002200'.replace(/ /g, ''),
  'hex',
);
/** `kubectl create deployment web --image=nginx --replicas=2 --port=80` (kubectl 1.32.4 -v=9). */
const CREATE_DEPLOYMENT = Buffer.from(
  [
    '6b 38 73 00 0a 15 0a 07 61 70 70 73 2f 76 31 12',
    '0a 44 65 70 6c 6f 79 6d 65 6e 74 12 b8 01 0a 1f',
    '0a 03 77 65 62 12 00 1a 00 22 00 2a 00 32 00 38',
    '00 42 00 5a 0a 0a 03 61 70 70 12 03 77 65 62 12',
    '86 01 08 02 12 0c 0a 0a 0a 03 61 70 70 12 03 77',
    '65 62 1a 6c 0a 1c 0a 00 12 00 1a 00 22 00 2a 00',
    '32 00 38 00 42 00 5a 0a 0a 03 61 70 70 12 03 77',
    '65 62 12 4c 12 2e 0a 05 6e 67 69 6e 78 12 05 6e',
    '67 69 6e 78 2a 00 32 0a 0a 00 10 00 18 50 22 00',
    '2a 00 42 00 6a 00 72 00 80 01 00 88 01 00 90 01',
    '00 a2 01 00 1a 00 32 00 42 00 4a 00 52 00 58 00',
    '60 00 68 00 82 01 00 8a 01 00 9a 01 00 c2 01 00',
    '22 02 0a 00 28 00 38 00 1a 0c 08 00 10 00 18 00',
    '20 00 28 00 38 00 1a 00 22 00',
  ]
    .join(' ')
    .replace(/ /g, ''),
  'hex',
);

describe('protobuf bodies of kubectl imperative creates', () => {
  it('reads create namespace into the object create -f would send', () => {
    expect(objectOfProtobuf(CREATE_NAMESPACE)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } });
  });

  it('reads create deployment with its replicas, selector, template, image and port', () => {
    expect(objectOfProtobuf(CREATE_DEPLOYMENT)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }] }] },
        },
      },
    });
  });

  it('refuses a body without the envelope, of another kind, or with a field it does not read that holds a value', () => {
    expect(() => objectOfProtobuf(Buffer.from('{"kind":"Namespace"}'))).toThrow(ProtobufBodyError);
    // The namespace body with kind Secret: not read (its fields would be misread).
    const secret = Buffer.from('6b3873000a0c0a02763112065365637265741200', 'hex');
    expect(() => objectOfProtobuf(secret)).toThrow(/v1\/Secret is not read here/);
    // ObjectMeta field 15 (not in the schema): empty, it loses nothing; holding "x", it is refused, never dropped unseen.
    const unknownField = Buffer.from('6b3873000a0f0a0276311209' + '4e616d657370616365' + '1209' + '0a07' + '0a03666f6f' + '7a00', 'hex');
    expect(objectOfProtobuf(unknownField)).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' } });
    const holding = Buffer.from('6b3873000a0f0a0276311209' + '4e616d657370616365' + '120a' + '0a08' + '0a03666f6f' + '7a0178', 'hex');
    expect(() => objectOfProtobuf(holding)).toThrow(/field 15 of ObjectMeta .* send the object as JSON/);
  });
});

describe('metadata.generateName', () => {
  /** A draw that walks the alphabet from `start`: the same names each run. */
  const walking = (start: number) => {
    let i = start;
    return (below: number) => i++ % below;
  };

  it('makes the prefix plus five characters of the Kubernetes alphabet, drawn again while taken', () => {
    expect(nameSuffix(walking(0))).toBe('bcdfg');
    const taken = new Set(['job-bcdfg']);
    const body = { kind: 'Pod', metadata: { generateName: 'job-' } };
    expect(withGeneratedName(body, (n) => taken.has(n), walking(0))).toEqual({
      kind: 'Pod',
      metadata: { generateName: 'job-', name: 'job-hjklm' },
    });
    expect(withGeneratedName(body, () => true, walking(0))).toBeUndefined();
    // A name given wins; a long prefix is cut so the name stays a DNS label.
    expect(withGeneratedName({ metadata: { name: 'x', generateName: 'job-' } }, () => false)).toEqual({
      metadata: { name: 'x', generateName: 'job-' },
    });
    const long = withGeneratedName({ metadata: { generateName: 'a'.repeat(80) } }, () => false) as { metadata: { name: string } };
    expect(long.metadata.name).toMatch(/^a{58}[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('the facade on generateName and namespace deletion', () => {
  let w: World;
  beforeAll(async () => {
    w = await seededWorld();
  });
  afterAll(async () => {
    await w.app.close();
  });
  const send = (method: 'POST' | 'DELETE', url: string, body?: unknown) =>
    w.app.inject({
      method,
      url,
      ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
      headers: { authorization: `Bearer ${w.tokens.admin}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    });

  it('a create with generateName answers 201 with the name it made, kept as any other', async () => {
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'gen-' },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    };
    const r = await send('POST', '/api/v1/namespaces/c/pods?fieldManager=kubectl-create&fieldValidation=Strict', body);
    expect(r.statusCode, r.body).toBe(201);
    const name = (r.json() as { metadata: { name: string } }).metadata.name;
    expect(name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(w.api.store.read((s) => s.pods.has(`c/${name}`))).toBe(true);
    const noName = await send('POST', '/api/v1/namespaces/c/pods', { ...body, metadata: {} });
    expect(noName.statusCode).toBe(422);
    expect(noName.json()).toMatchObject({ reason: 'Invalid', message: expect.stringContaining('name or generateName is required') });
  });

  it("scaling a Deployment changes none of its pods' views (a watch sees the new pod, no rows for the others)", async () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'grow' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'grow' } },
        template: {
          metadata: { labels: { app: 'grow' } },
          spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
        },
      },
    };
    expect((await send('POST', '/apis/apps/v1/namespaces/c/deployments', deployment)).statusCode).toBe(201);
    const pod = async () =>
      (await w.call('admin', 'GET', '/api/v1/namespaces/c/pods/grow-0')).json() as { metadata: { resourceVersion: string } };
    const before = await pod();
    const scaled = await w.app.inject({
      method: 'PATCH',
      url: '/apis/apps/v1/namespaces/c/deployments/grow',
      payload: JSON.stringify({ spec: { replicas: 2 } }),
      headers: { authorization: `Bearer ${w.tokens.admin}`, 'content-type': 'application/merge-patch+json' },
    });
    expect(scaled.statusCode, scaled.body).toBe(200);
    expect((await w.call('admin', 'GET', '/api/v1/namespaces/c/pods/grow-1')).statusCode).toBe(200);
    expect(await pod()).toEqual(before);
  });

  it('deleting a namespace deletes its pods, workloads and volumes, then the namespace', async () => {
    const r = await send('DELETE', '/api/v1/namespaces/b');
    expect(r.statusCode, r.body).toBe(200);
    w.api.store.read((s) => {
      expect(s.tenants.has('b')).toBe(false);
      expect([...s.pods.values()].filter((p) => p.namespace === 'b')).toEqual([]);
      expect([...s.volumes.values()].filter((v) => v.namespace === 'b')).toEqual([]);
    });
    expect((await w.call('admin', 'GET', '/api/v1/namespaces/b')).statusCode).toBe(404);
  });

  it('a namespace holding a snapshot or an endpoint kubectl does not show is refused with 409, and nothing of it goes', async () => {
    const before = w.api.store.read((s) => [s.pods.size, s.volumes.size, s.snapshots.size]);
    const r = await send('DELETE', '/api/v1/namespaces/a');
    expect(r.statusCode, r.body).toBe(409);
    expect((r.json() as { message: string }).message).toMatch(
      /namespace a holds Anvil objects kubectl does not show \(snapshot sa, endpoint ea\)/,
    );
    expect(w.api.store.read((s) => [s.pods.size, s.volumes.size, s.snapshots.size])).toEqual(before);
    expect(w.api.store.read((s) => s.tenants.has('a'))).toBe(true);
  });
});
