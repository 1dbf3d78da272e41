/**
 * Issue 18, the dashboard's Operate page through inject(): /whoami says what the caller may edit, so the
 * page offers only the forms its roles allow (operate-forms.js's formsFor), and the server refuses the rest
 * anyway; every bad value a form can send comes back as the API's coded error naming the field, and the
 * page's mapping (field-errors.js) puts it next to that field. /usage/cluster sums what /usage/nodes lists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: the page's plain ES modules carry no types
import { fieldErrors } from '../../../platform/dashboard/web/field-errors.js';
// @ts-expect-error: the page's plain ES modules carry no types
import { bodyOf, formsFor, OPERATE_FORMS } from '../../../platform/dashboard/web/operate-forms.js';
import { seededWorld, type RoleName, type World } from './api-harness.js';

const V1 = '/apis/anvil.dev/v1';
interface Field {
  name: string;
  flag?: string;
}
interface Form {
  id: string;
  cls: string;
  fields: Field[];
  path(ns?: string): string;
}
interface Me {
  cluster_views: string[];
  cluster_edits: string[];
  namespace_edits: Record<string, string[]>;
}
const formOf = (id: string) => (OPERATE_FORMS as Form[]).find((f) => f.id === id)!;
const offeredTo = (me: Me, namespaces: string[]) =>
  (formsFor(me, namespaces) as { form: Form; namespaces: string[] }[]).map((o) => `${o.form.id}:${o.namespaces.join(',')}`);

let w: World;
beforeAll(async () => {
  w = await seededWorld();
});
afterAll(async () => {
  await w.app.close();
});
const whoami = async (role: RoleName): Promise<Me> => (await w.call(role, 'GET', `${V1}/whoami`)).json();

describe('the Operate page offers what the token may do, and the server refuses the rest', () => {
  it('/whoami names the classes each role may edit, cluster-wide and per namespace', async () => {
    expect(await whoami('admin')).toMatchObject({ cluster_edits: expect.arrayContaining(['network', 'perftier', 'volume', 'container']) });
    expect(await whoami('tuser')).toMatchObject({ cluster_edits: [], namespace_edits: { a: ['volume', 'container'] } });
    expect(await whoami('tother')).toMatchObject({ cluster_edits: [], namespace_edits: { b: ['volume', 'container'] } });
    expect(await whoami('viewer')).toMatchObject({ cluster_edits: [], namespace_edits: {} });
  });

  it('an admin is offered every form in every namespace; a tenant user only volumes and manifests in its own; a viewer none', async () => {
    const all = ['a', 'b', 'c', 'default'];
    expect(offeredTo(await whoami('admin'), all)).toEqual(['network:', 'perftier:', `volume:${all.join(',')}`, `apply:${all.join(',')}`]);
    expect(offeredTo(await whoami('tuser'), [])).toEqual(['volume:a', 'apply:a']);
    expect(offeredTo(await whoami('tother'), [])).toEqual(['volume:b', 'apply:b']);
    expect(offeredTo(await whoami('viewer'), all)).toEqual([]);
  });

  it('what a tenant user is not offered, the server refuses, before saying anything of the object', async () => {
    const network = bodyOf(formOf('network'), {
      name: 'n9',
      subnet: '10.7.0.0/24',
      start: '10.7.0.10',
      end: '10.7.0.20',
      gateway: '10.7.0.1',
    });
    const refused = await w.call('tuser', 'POST', `${V1}/networks`, network);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    const tier = await w.call('tuser', 'POST', `${V1}/perf-tiers`, { name: 'gold', storage_iops: 1, network_bandwidth_bits_per_s: 1 });
    expect(tier.statusCode).toBe(403);
    // Another tenant's namespace: refused for its volume form, also for a name that exists there (vb).
    for (const name of ['vb', 'new-one']) {
      const volume = await w.call('tuser', 'POST', `${V1}/${formOf('volume').path('b')}`, { name, size_bytes: 2 ** 30 });
      expect([volume.statusCode, volume.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
    }
  });
});

/** [form, values as typed on the page, the field the API's error must land on] */
const BAD: [string, Record<string, string | boolean>, string][] = [
  ['network', { name: 'net1', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1' }, 'name'],
  ['network', { name: 'Bad_Name', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1' }, 'name'],
  ['network', { name: 'n2', subnet: '10.2.0.0', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1' }, 'subnet'],
  ['network', { name: 'n2', subnet: '10.2.0.5/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1' }, 'subnet'],
  ['network', { name: 'n2', subnet: '10.2.0.0/24', start: '10.3.0.10', end: '10.2.0.20', gateway: '10.2.0.1' }, 'start'],
  ['network', { name: 'n2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.300', gateway: '10.2.0.1' }, 'end'],
  ['network', { name: 'n2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.15' }, 'gateway'],
  ['network', { name: 'n2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '' }, 'gateway'],
  ['network', { name: 'n2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1', vlan: '5000' }, 'vlan'],
  ['network', { name: 'n2', subnet: '10.2.0.0/24', start: '10.2.0.10', end: '10.2.0.20', gateway: '10.2.0.1', zone: 'Zone A' }, 'zone'],
  ['perftier', { name: 'gold', storage_iops: '-5', network_bandwidth_bits_per_s: '1000000' }, 'storage_iops'],
  ['perftier', { name: 'gold', storage_iops: '5000', network_bandwidth_bits_per_s: 'fast' }, 'network_bandwidth_bits_per_s'],
  [
    'perftier',
    { name: 'gold', storage_iops: '5000', network_bandwidth_bits_per_s: '1000000', max_storage_iops: '100' },
    'max_storage_iops',
  ],
  [
    'perftier',
    { name: 'gold', storage_iops: '5000', network_bandwidth_bits_per_s: '1000000', max_network_bandwidth_bits_per_s: '10' },
    'max_network_bandwidth_bits_per_s',
  ],
  ['volume', { name: 'v2', size_bytes: '0.0001' }, 'size_bytes'],
  ['volume', { name: 'v2', size_bytes: '' }, 'size_bytes'],
  ['volume', { name: 'v2', size_bytes: '1', mirrors: '7' }, 'mirrors'],
  ['volume', { name: 'v2', size_bytes: '1', perf_tier: 'gold-x' }, 'perf_tier'],
  ['volume', { name: 'va', size_bytes: '1' }, 'name'],
  ['apply', { manifests: 'kind: Pod\nmetadata: { name: [x }\n' }, 'manifests'],
  [
    'apply',
    {
      manifests:
        'apiVersion: v1\nkind: Pod\nmetadata: { name: p9 }\nspec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: lots } } }] }\n',
    },
    'manifests',
  ],
];

describe("the API's coded error lands on the field it names", () => {
  it.each(BAD)('%s form with %j: the error is shown at %s', async (id, values, field) => {
    const form = formOf(id);
    const res = await w.call('admin', 'POST', `${V1}/${form.path('a')}`, bodyOf(form, values));
    expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const error = res.json();
    expect(error.code).toMatch(/^ANVIL_ERR_/);
    const { byField, form: rest } = fieldErrors(error, form.fields) as { byField: Map<string, string[]>; form: string[] };
    expect([...byField.keys()], res.body).toEqual([field]);
    expect(rest).toEqual([]);
  });
});

describe('a form sent with its required fields empty', () => {
  it('gets one error per missing field, each at its field', async () => {
    const form = formOf('network');
    const res = await w.call(
      'admin',
      'POST',
      `${V1}/${form.path()}`,
      bodyOf(form, { name: 'n3', subnet: ' ', start: '', end: '', gateway: '' }),
    );
    expect(res.statusCode).toBe(400);
    const { byField, form: rest } = fieldErrors(res.json(), form.fields) as { byField: Map<string, string[]>; form: string[] };
    expect([...byField.keys()].sort()).toEqual(['end', 'gateway', 'start', 'subnet']);
    expect(byField.get('subnet')).toEqual(["body: must have required property 'subnet'"]);
    expect(rest).toEqual([]);
  });
});

describe('/usage/cluster: the sums of the nodes a caller may view, in one small answer', () => {
  it('its figures are the sums of /usage/nodes, and a tenant user who may not view nodes is refused', async () => {
    const totals = (await w.call('admin', 'GET', `${V1}/usage/cluster`)).json();
    const nodes = (await w.call('admin', 'GET', `${V1}/usage/nodes`)).json() as {
      state: string;
      pods: { used: number; total: number };
      iops: { reserved: number; guaranteeable: number };
    }[];
    expect(totals.cluster.name).toBe('c1');
    expect(totals.nodes).toBe(nodes.length);
    expect(totals.pods).toEqual({ used: nodes.reduce((t, n) => t + n.pods.used, 0), total: nodes.reduce((t, n) => t + n.pods.total, 0) });
    expect(totals.pods.used).toBeGreaterThan(0);
    expect(totals.iops.guaranteeable).toBe(nodes.reduce((t, n) => t + n.iops.guaranteeable, 0));
    expect(totals.nodes_by_state).toEqual({ ready: nodes.length });
    const tenant = await w.call('tuser', 'GET', `${V1}/usage/cluster`);
    expect([tenant.statusCode, tenant.json().code]).toEqual([403, 'ANVIL_ERR_FORBIDDEN']);
  });
});
