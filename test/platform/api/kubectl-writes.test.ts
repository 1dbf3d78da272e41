/**
 * The real kubectl writing through `anvil serve` over https (kubectl sends its token only over TLS):
 * create, client-side and server-side apply, delete; strict field validation without --validate=false;
 * Status errors kubectl prints as its own; a tenant's token changes only its tenant's namespaces; and the
 * example manifests of ../shared/fixtures placed as `anvil apply -f` places them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServe, stopServe, type ServeChild } from '../../../bench/perf/serve-child.js';
import { tempDir } from '../../cli-harness.js';
import { corpus, describeNeeds, needs } from '../../needs.js';
import { anvilIn, homeEnv, KUBECTL, kubectlIn, setUpLab } from './kubectl-harness.js';
import { haveOpenssl, makePki, type Pki } from './tls-pki.js';

const examples = corpus('kubernetes-examples');
const FIXTURES = examples.path;

const deployment = (o: {
  name: string;
  replicas: number;
  env: string;
  ports: string;
  image?: string;
  extra?: string;
}) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${o.name}, labels: { app: ${o.name} } }
spec:
  replicas: ${o.replicas}
  selector: { matchLabels: { app: ${o.name} } }
  template:
    metadata: { labels: { app: ${o.name} } }
    spec:
      containers:
        - name: web
          image: ${o.image ?? 'nginx:1.27'}
          env: ${o.env}
          ports: ${o.ports}
          resources: { requests: { cpu: 100m, memory: 128Mi } }${o.extra ?? ''}
`;
const CLAIM = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data }
spec:
  accessModes: [ReadWriteOnce]
  resources: { requests: { storage: 1Gi } }
`;

/** The pods kubectl lists whose names start with `prefix-`, as name=uid (label selectors are the read side's). */
async function podsOf(s: Served, prefix: string): Promise<string[]> {
  const r = await s.kubectl('get', 'pods', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\\n"}{end}');
  return r.stdout.split('\n').filter((l) => l.startsWith(`${prefix}-`));
}

/** One `anvil serve` over https on a fresh state with a cluster and a default network. */
class Served {
  serve!: ServeChild;
  env!: NodeJS.ProcessEnv;
  dir = tempDir('anvil-kubectl-w-');
  kubeconfig = join(this.dir, 'kubeconfig');
  cache = join(this.dir, 'kube-cache');

  async start(pki: Pki): Promise<this> {
    const home = this.dir;
    const base = homeEnv(home);
    this.serve = await startServe(['--state', join(home, 'state.db'), '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey], base);
    this.env = { ...base, ANVIL_SERVER: this.serve.url, ANVIL_TOKEN: this.serve.token!, ANVIL_CA_CERT: pki.ca };
    await setUpLab((...args) => this.anvil(...args), [['kubeconfig', '--out', this.kubeconfig]]);
    return this;
  }
  anvil(...args: string[]) {
    return anvilIn(this.env, args);
  }
  kubectl(...args: string[]) {
    return kubectlIn(this.kubeconfig, this.cache, this.env, args);
  }
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }
  async stop() {
    if (this.serve) await stopServe(this.serve);
  }
}

describeNeeds('kubectl and openssl', KUBECTL !== undefined && haveOpenssl())('the real kubectl writing to anvil serve', () => {
  let pki: Pki;
  let s: Served;
  beforeAll(async () => {
    pki = makePki(tempDir('anvil-kubectl-pki-'));
    s = await new Served().start(pki);
  });
  afterAll(async () => {
    await s?.stop();
  });

  it("kubectl create prints kubectl's created lines, then AlreadyExists; the pods wait for a claim created after them", async () => {
    const file = s.file(
      'web.yaml',
      `${deployment({ name: 'web', replicas: 1, env: '[]', ports: '[]', extra: '\n      volumes: [{ name: d, persistentVolumeClaim: { claimName: data } }]' })}---\n${CLAIM}`,
    );
    const first = await s.kubectl('create', '-f', file);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe('deployment.apps/web created\npersistentvolumeclaim/data created\n');
    const pods = await s.anvil('get', 'pods');
    expect(pods.stdout).toMatch(/web-0\s+running\s+node\d/);
    const again = await s.kubectl('create', '-f', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(
      'Error from server (AlreadyExists): error when creating "' + file + '": deployments.apps "web" already exists',
    );
    expect(again.stderr).toContain('persistentvolumeclaims "data" already exists');
  });

  it('kubectl apply gives created, unchanged, then configured: a removed env var and port are gone, replicas and template reconcile', async () => {
    const v1 = deployment({
      name: 'app',
      replicas: 2,
      env: '[{ name: A, value: "1" }, { name: B, value: "2" }]',
      ports: '[{ containerPort: 80 }, { containerPort: 443 }]',
    });
    const file = s.file('app.yaml', v1);
    expect((await s.kubectl('apply', '-f', file)).stdout).toBe('deployment.apps/app created\n');
    expect((await s.kubectl('apply', '-f', file)).stdout).toBe('deployment.apps/app unchanged\n');
    const uids = async () => podsOf(s, 'app');
    const before = await uids();
    expect(before).toHaveLength(2);
    // Scale up only: the two pods stay, one more comes.
    s.file('app.yaml', v1.replace('replicas: 2', 'replicas: 3'));
    expect((await s.kubectl('apply', '-f', file)).stdout).toBe('deployment.apps/app configured\n');
    const scaled = await uids();
    expect(scaled).toHaveLength(3);
    expect(scaled).toEqual(expect.arrayContaining(before));
    // Env var A and port 443 removed, image changed: the template changed, so every pod is recreated.
    s.file(
      'app.yaml',
      deployment({ name: 'app', replicas: 1, env: '[{ name: B, value: "3" }]', ports: '[{ containerPort: 80 }]', image: 'nginx:1.28' }),
    );
    const edited = await s.kubectl('apply', '-f', file);
    expect(edited.stdout, edited.stderr).toBe('deployment.apps/app configured\n');
    const got = await s.kubectl(
      'get',
      'deploy',
      'app',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].env} {.spec.template.spec.containers[0].ports} {.spec.template.spec.containers[0].image} {.metadata.generation}',
    );
    expect(got.stdout).toBe('[{"name":"B","value":"3"}] [{"containerPort":80}] nginx:1.28 3');
    const rolled = await uids();
    expect(rolled).toHaveLength(1);
    expect(scaled).not.toContain(rolled[0]);
    expect((await s.kubectl('apply', '-f', file)).stdout).toBe('deployment.apps/app unchanged\n');
  });

  it('kubectl apply --server-side works on a new object and on one made by client-side apply, and drops what it stops applying', async () => {
    const fresh = s.file('ssa.yaml', deployment({ name: 'ssa', replicas: 1, env: '[{ name: X, value: "1" }]', ports: '[]' }));
    const created = await s.kubectl('apply', '--server-side', '-f', fresh);
    expect(created.stdout, created.stderr).toBe('deployment.apps/ssa serverside-applied\n');
    s.file('ssa.yaml', deployment({ name: 'ssa', replicas: 2, env: '[]', ports: '[]' }));
    expect((await s.kubectl('apply', '--server-side', '-f', fresh)).stdout).toBe('deployment.apps/ssa serverside-applied\n');
    const got = await s.kubectl('get', 'deploy', 'ssa', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].env}');
    expect(got.stdout).toBe('2 []');
    const csa = s.file('csa.yaml', deployment({ name: 'csa', replicas: 1, env: '[]', ports: '[]' }));
    expect((await s.kubectl('apply', '-f', csa)).stdout).toBe('deployment.apps/csa created\n');
    s.file('csa.yaml', deployment({ name: 'csa', replicas: 2, env: '[]', ports: '[]' }));
    const taken = await s.kubectl('apply', '--server-side', '-f', csa);
    expect(taken.stdout, taken.stderr).toBe('deployment.apps/csa serverside-applied\n');
    expect(await podsOf(s, 'csa')).toHaveLength(2);
  });

  it('kubectl delete -f returns with deleted lines and the objects are gone, pods and volume too', async () => {
    const file = s.file(
      'gone.yaml',
      `${deployment({ name: 'gone', replicas: 2, env: '[]', ports: '[]' })}---\n${CLAIM.replace('name: data', 'name: gone-data')}`,
    );
    expect((await s.kubectl('create', '-f', file)).code).toBe(0);
    const deleted = await s.kubectl('delete', '-f', file);
    expect(deleted.stdout, deleted.stderr).toBe('deployment.apps "gone" deleted\npersistentvolumeclaim "gone-data" deleted\n');
    const after = await s.kubectl('get', 'deploy', 'gone');
    expect(after.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "gone" not found');
    expect((await s.anvil('get', 'pods')).stdout).not.toMatch(/gone-/);
    expect((await s.anvil('get', 'volumes')).stdout).not.toMatch(/gone-data/);
  });

  it('validates without --validate=false: an unknown field is refused by its path, a bad value is Invalid with its field', async () => {
    const unknown = s.file(
      'bad.yaml',
      deployment({ name: 'bad', replicas: 1, env: '[]', ports: '[]' }).replace('  replicas: 1', '  replicas: 1\n  foo: 1'),
    );
    const r = await s.kubectl('create', '-f', unknown);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (BadRequest): error when creating');
    expect(r.stderr).toContain('strict decoding error: unknown field "spec.foo"');
    const badReplicas = s.file('bad2.yaml', deployment({ name: 'bad', replicas: -1, env: '[]', ports: '[]' }));
    const invalid = await s.kubectl('create', '-f', badReplicas);
    expect(invalid.stderr).toMatch(/^The Deployment "bad" is invalid: spec\.replicas: must be a whole number from 0 to \d+$/m);
  });

  it("a tenant's token changes only its tenant's namespaces; another namespace is Forbidden naming the role, a wrong token Unauthorized", async () => {
    for (const args of [
      ['tenant', 'create', 'team-a'],
      ['tenant', 'create', 'team-b'],
      ['user', 'create', 'alice', '--roles', 'tenant-admin/team-a'],
    ])
      expect((await s.anvil(...args)).code).toBe(0);
    const token = (await s.anvil('token', 'create', 'alice')).stdout.trim();
    const config = join(s.dir, 'alice.kubeconfig');
    expect((await s.anvil('kubeconfig', '--token', token, '--out', config)).code).toBe(0);
    const alice = (...args: string[]) => kubectlIn(config, s.cache, s.env, args);
    const file = s.file('t.yaml', deployment({ name: 't', replicas: 1, env: '[]', ports: '[]' }));
    expect((await alice('-n', 'team-a', 'create', '-f', file)).stdout).toBe('deployment.apps/t created\n');
    const other = await alice('-n', 'team-b', 'create', '-f', file);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(
      'deployments.apps is forbidden: User "alice" cannot create resource "deployments" in API group "apps" in the namespace "team-b": Anvil role container-edit/team-b',
    );
    // Permission before existence: deleting in another namespace is Forbidden whether or not the object exists.
    const del = await alice('-n', 'team-b', 'delete', 'deployment', 'nosuch');
    expect(del.stderr).toMatch(/Error from server \(Forbidden\): deployments.apps "nosuch" is forbidden/);
    const wrong = await kubectlIn(config, s.cache, s.env, ['--token', 'anvil_wrong', 'get', 'pods']);
    expect(wrong.stderr).toMatch(/^error: You must be logged in to the server/m);
  });

  needs(`the corpus ${FIXTURES}`, examples.present)(
    'the example manifests go in through kubectl create with the placements anvil apply gives them',
    async () => {
      const viaKubectl = await new Served().start(pki);
      const viaAnvil = await new Served().start(pki);
      try {
        const k = await viaKubectl.kubectl('create', '-f', FIXTURES);
        // Services and the StorageClass are not served (not modelled): kubectl names them and exits 1.
        expect(k.stderr).toContain('no matches for kind "Service" in version "v1"');
        expect(k.stdout).toContain('statefulset.apps/cassandra created');
        expect((await viaAnvil.anvil('apply', '-f', FIXTURES)).code).toBe(0);
        for (const kind of ['pods', 'volumes']) {
          const a = (await viaAnvil.anvil('get', kind)).stdout;
          expect(a.trim().split('\n').length).toBeGreaterThan(3);
          expect((await viaKubectl.anvil('get', kind)).stdout).toBe(a);
        }
      } finally {
        await viaKubectl.stop();
        await viaAnvil.stop();
      }
    },
  );

  it('anvil serve --tls-self-signed makes a CA and certificate beside its state, keeps them across restarts, and kubectl trusts the kubeconfig', async () => {
    const dir = tempDir('anvil-kubectl-ca-');
    const state = join(dir, 'state.db');
    const env: NodeJS.ProcessEnv = { ...s.env, HOME: dir, XDG_STATE_HOME: join(dir, 'xdg') };
    delete env.ANVIL_CA_CERT;
    const first = await startServe(['--state', state, '--tls-self-signed'], env);
    let caText: string;
    try {
      expect(first.url).toMatch(/^https:/);
      expect(first.stdout()).toContain(`made a CA and serving certificate in ${state}.tls`);
      caText = readFileSync(join(`${state}.tls`, 'ca.pem'), 'utf8');
      const config = join(dir, 'kubeconfig');
      const cli = { ...env, ANVIL_SERVER: first.url, ANVIL_TOKEN: first.token! };
      // A Namespace manifest, as JSON (kubectl create namespace NAME, a protobuf body, is kubectl-imperative.test.ts's).
      const nsFile = join(dir, 'ns.yaml');
      writeFileSync(nsFile, 'apiVersion: v1\nkind: Namespace\nmetadata: { name: team-x }\n');
      const written = await anvilIn(cli, ['kubeconfig', '--ca-cert', join(`${state}.tls`, 'ca.pem'), '--out', config]);
      expect(written.code, written.stderr).toBe(0);
      const ns = await kubectlIn(config, join(dir, 'cache'), cli, ['create', '-f', nsFile]);
      expect(ns.stdout, ns.stderr).toBe('namespace/team-x created\n');
    } finally {
      await stopServe(first);
    }
    const again = await startServe(['--state', state, '--tls-self-signed'], env);
    try {
      expect(again.stdout()).toContain('serving the certificate made earlier');
      expect(readFileSync(join(`${state}.tls`, 'ca.pem'), 'utf8')).toBe(caText);
    } finally {
      await stopServe(again);
    }
  });
});
