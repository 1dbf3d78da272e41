/** Manifest reading in-process: quantities, endpoint annotations, StorageClass parameters, StatefulSet claims, errors with file and line. */
import { describe, expect, it } from 'vitest';
import { cpuMillicores, quantityBytes, volumeSizeBytes } from '../../platform/domain/quantity.js';
import { parseQuantity } from '../../sim/core/units.js';
import { parseManifestText } from '../../platform/manifests/documents.js';
import { planApply } from '../../platform/manifests/apply.js';
import { inventoryOf, loadNodeProfile, podVfCount } from '../../platform/domain/node-profile.js';
import { parseRole, allows } from '../../platform/domain/tenancy.js';
import { caughtAnvilError } from '../caught.js';

function plan(yaml: string, strict = false) {
  return planApply(parseManifestText(yaml, 'm.yaml'), 'default', strict);
}

describe('Kubernetes quantities', () => {
  it('reads cpu and memory as Kubernetes does', () => {
    expect(cpuMillicores('500m', 'cpu')).toBe(500);
    expect(cpuMillicores(0.5, 'cpu')).toBe(500);
    expect(cpuMillicores('2', 'cpu')).toBe(2000);
    expect(cpuMillicores('0.1', 'cpu')).toBe(100);
    expect(quantityBytes('2Gi', 'memory')).toBe(2 * 2 ** 30);
    expect(quantityBytes('129M', 'memory')).toBe(129e6);
    expect(quantityBytes('128974848', 'memory')).toBe(128974848);
    expect(quantityBytes('1e3', 'memory')).toBe(1000);
    expect(parseQuantity('12Qi')).toBeUndefined();
    expect(volumeSizeBytes('50G')).toBe(50 * 2 ** 30);
    expect(volumeSizeBytes('2Gi')).toBe(2 * 2 ** 30);
    expect(caughtAnvilError(() => volumeSizeBytes('10K')).code).toBe('ANVIL_ERR_FIELD_INVALID');
  });
});

describe('manifest plans', () => {
  it('reads endpoints from annotations: several networks, per-endpoint tiers and pinned IPs', () => {
    const p = plan(`apiVersion: v1
kind: Pod
metadata:
  name: a
  annotations: { anvil.dev/network: "blue, red", anvil.dev/perf-tier: high }
spec: { containers: [{ name: c, resources: { requests: { cpu: 250m, memory: 1Gi } } }, { name: d, resources: { limits: { cpu: "1" } } }] }
---
apiVersion: v1
kind: Pod
metadata:
  name: b
  annotations:
    anvil.dev/endpoint0: '{"network":"blue","perfTier":"medium","ip":"10.0.0.5"}'
    diamanti.com/endpoint1: '{"network":"red"}'
spec: { containers: [{ name: c }], nodeSelector: { disk: nvme }, tolerations: [{ key: dedicated, operator: Exists }] }
`);
    const [a, b] = p.workloads.map((w) => w.pods[0]!);
    expect(a).toMatchObject({ name: 'a', cpu_millicores: 1250, memory_bytes: 2 ** 30, perf_tier: 'high', networks: ['blue', 'red'] });
    expect(b!.endpoints).toEqual([
      { network: 'blue', perf_tier: 'medium', ip: '10.0.0.5' },
      { network: 'red', perf_tier: 'best-effort' },
    ]);
    expect(b).toMatchObject({ node_selector: { disk: 'nvme' }, tolerations: ['dedicated'] });
  });

  it('honours mirrorCount and perfTier of a StorageClass, and gives each StatefulSet replica its own claims', () => {
    const p = plan(`apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: { name: mirrored }
provisioner: anvil.dev/volume
parameters: { mirrorCount: "2", perfTier: high }
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: ns1 }
spec:
  replicas: 2
  template:
    spec: { containers: [{ name: c }] }
  volumeClaimTemplates:
    - metadata: { name: data }
      spec: { storageClassName: mirrored, resources: { requests: { storage: 10Gi } } }
`);
    expect(p.notes).toEqual([]);
    expect(p.claims).toEqual([
      { namespace: 'ns1', name: 'data-db-0', size_bytes: 10 * 2 ** 30, mirrors: 2, perf_tier: 'high', where: 'm.yaml:7' },
      { namespace: 'ns1', name: 'data-db-1', size_bytes: 10 * 2 ** 30, mirrors: 2, perf_tier: 'high', where: 'm.yaml:7' },
    ]);
    expect(p.workloads[0]!.pods.map((pod) => [pod.name, pod.volumes])).toEqual([
      ['db-0', ['data-db-0']],
      ['db-1', ['data-db-1']],
    ]);
  });

  it('reports unmodelled kinds by name, and with strict rejects the apply', () => {
    const yaml =
      'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: {}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: in }\n';
    expect(plan(yaml).notes).toEqual([
      'm.yaml:1: Service web: kind Service is not modelled by Anvil; skipped',
      'm.yaml:6: Ingress in: kind Ingress is not modelled by Anvil; skipped',
    ]);
    const e = caughtAnvilError(() => plan(yaml, true));
    expect(e.code).toBe('ANVIL_ERR_KIND_UNSUPPORTED');
    expect(e.details).toEqual([
      'm.yaml:1: Service web: kind Service is not modelled by Anvil',
      'm.yaml:6: Ingress in: kind Ingress is not modelled by Anvil',
    ]);
  });

  it('names the file, the line of the field (or of its parent when it is missing) and the field of bad input', () => {
    expect(caughtAnvilError(() => plan('apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec: { containers: [] }\n')).message).toBe(
      'm.yaml:4: spec.containers: a pod needs at least one container',
    );
    expect(
      caughtAnvilError(() =>
        plan(
          'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec: { replicas: -1, template: { spec: { containers: [{ name: c }] } } }\n',
        ),
      ).message,
    ).toBe('m.yaml:4: spec.replicas: must be a whole number from 0 to 5000');
    expect(
      caughtAnvilError(() =>
        plan(
          "apiVersion: v1\nkind: Pod\nmetadata: { name: p, annotations: { anvil.dev/endpoint0: '{nope' } }\nspec: { containers: [{ name: c }] }\n",
        ),
      ).message,
    ).toMatch(/^m\.yaml:3: metadata\.annotations\["anvil\.dev\/endpoint0"\]: is not JSON/);
    expect(
      caughtAnvilError(() =>
        plan('apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: { name: c }\nspec: { resources: { requests: { storage: lots } } }\n'),
      ).message,
    ).toBe('m.yaml:4: spec.resources.requests.storage: "lots" is not a size of at least 1Mi; write e.g. 1Gi or 500M');
    expect(caughtAnvilError(() => plan('apiVersion: v1\nkind: Pod\nmetadata: {}\n')).message).toBe('m.yaml:3: metadata.name: is required');
  });
});

describe('node profiles and roles', () => {
  it('loads the default appliance profile with its sourced limits', () => {
    const inv = loadNodeProfile('appliance-d10');
    expect(podVfCount(inv)).toBe(63);
    expect([inv.local_controllers, inv.remote_controllers, inv.max_pods, inv.max_volumes]).toEqual([64, 64, 110, 2048]);
    // Storage IOPS come from the drive's guarantee (test/platform/drive-guarantee.test.ts), under the rated 500K.
    expect(inv.guaranteeable_iops).toBe(inv.drives[0]!.guaranteed_iops);
    expect(inv.guaranteeable_iops).toBeLessThan(500_000);
    expect(inv.guaranteeable_bandwidth_bits_per_s).toBe(36e9);
    expect(inv.nic_ports.map((p) => [p.role, p.speed_bits_per_s])).toEqual([
      ['pods', 20e9],
      ['storage', 20e9],
    ]);
    const bad = caughtAnvilError(() => inventoryOf({ name: 'x', cpu_millicores: 0 }, 'x.yaml'));
    expect(bad.code).toBe('ANVIL_ERR_NODE_PROFILE');
    expect(bad.details.join('\n')).toMatch(/x\.yaml: \/cpu_millicores/);
  });

  it('reads roles as <class>-<view|edit>[/<namespace>] and bundles', () => {
    expect(parseRole('volume-edit/ns0')).toEqual([{ cls: 'volume', access: 'edit', namespace: 'ns0' }]);
    const tenant = { user: 'u', roles: ['tenant-user/ns0'] };
    expect(allows(tenant, 'container', 'edit', 'ns0')).toBe(true);
    expect(allows(tenant, 'container', 'view', 'ns1')).toBe(false);
    expect(allows(tenant, 'network', 'view')).toBe(true);
    expect(allows(tenant, 'network', 'edit')).toBe(false);
    expect(allows({ user: 'v', roles: ['viewer'] }, 'volume', 'view', 'any')).toBe(true);
    expect(allows({ user: 'v', roles: ['viewer'] }, 'volume', 'edit', 'any')).toBe(false);
    expect(caughtAnvilError(() => parseRole('tenant-user')).code).toBe('ANVIL_ERR_FIELD_INVALID');
    expect(caughtAnvilError(() => parseRole('volume-delete')).code).toBe('ANVIL_ERR_FIELD_INVALID');
  });
});
