/**
 * The CLI against a server: the control-plane commands below take `--server URL --token T` (or
 * ANVIL_SERVER / ANVIL_TOKEN, or the file `anvil login` writes) and then run through the REST API as the
 * token's user, printing what they print on the embedded state (a test runs them both ways and compares).
 * `--state` given explicitly keeps a command local. Every control-plane command is listed (a test checks it);
 * the others are local tools by nature (run, tco, net, host, serve, login...) and run on this machine only.
 *
 * How: each listed command gets the two options and its action is wrapped, so the local action stays
 * exactly the issue-4 code. Commander keeps the action in `_actionHandler` (not public API; commander 14
 * is pinned and the both-ways test fails loudly if that changes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { AnvilError, isAnvilError } from '../errors.js';
import { ClusterState, type StoredObject } from '../domain/cluster-state.js';
import type { ClusterEvent } from '../domain/event.js';
import { requireName, requireNamespace } from '../domain/names.js';
import type { Pod } from '../domain/pod.js';
import { volumeSizeBytes } from '../domain/quantity.js';
import { isNamespaced, type Kind } from '../domain/queries.js';
import type { AuditEntry } from '../state/store.js';
import { readManifests } from '../manifests/documents.js';
import { structured, type OutputKind } from './output.js';
import type { Quota } from '../domain/quota.js';
import { quotaLimits, quotaSetLine, type QuotaOpts } from './quota-commands.js';
import { clientConfigPath, noToken, tokenId, tokenListText } from './serve-command.js';
import { perfTierCreatedLine, perfTierInput, roleList, userRolesLine } from './control-plane-commands.js';
import type { PerfTier } from '../domain/perf-tier.js';
import type { TokenInfo } from '../api/tokens.js';
import { request, trustServerCaFile } from './server-client.js';
import { CLI_PAGE_SIZE, type Page } from '../api/paging.js';
import { cliOut } from './cli-io.js';
import { clusterStatusText, describeText, eventsTable, kindTable, parseKind } from './views.js';

const keyed = (o: unknown) => `${(o as { namespace: string }).namespace}/${(o as { name: string }).name}`;

interface Target {
  server: string;
  token: string;
  /** The CA file trusted for an https server (ANVIL_CA_CERT, else the one anvil login saved for this server). */
  ca_cert?: string;
}

type Opts = Record<string, unknown> & { server?: string; token?: string; state?: string; namespace?: string; output?: OutputKind };

/** The server to use, or undefined for the embedded state; its CA, if any, is trusted for the requests that follow. */
export function serverTarget(o: Opts, env: NodeJS.ProcessEnv = process.env): Target | undefined {
  const fromFile = (): Partial<Target> => {
    const path = clientConfigPath(env);
    if (!existsSync(path)) return {};
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as Partial<Target>;
    } catch {
      throw new AnvilError('ANVIL_ERR_USAGE', `${path} is not the JSON anvil login writes; run anvil login again`);
    }
  };
  let server = o.server;
  if (server === undefined && o.state !== undefined) return undefined;
  // The login file is read only when needed; its token and CA serve only the server it was written for.
  let saved: Partial<Target> | undefined;
  const file = (): Partial<Target> => (saved ??= fromFile());
  server ??= env.ANVIL_SERVER || file().server;
  if (!server) return undefined;
  const isSaved = () => file().server === server;
  const token = o.token || env.ANVIL_TOKEN || (isSaved() ? file().token : undefined);
  if (!token) throw new AnvilError('ANVIL_ERR_USAGE', `--server ${server} needs a token: --token T, ANVIL_TOKEN, or anvil login`);
  const ca_cert = env.ANVIL_CA_CERT || (server.startsWith('https:') && isSaved() ? file().ca_cert : undefined);
  if (!ca_cert) return { server, token };
  trustServerCaFile(server, env.ANVIL_CA_CERT ? 'ANVIL_CA_CERT' : `ca_cert of ${clientConfigPath(env)}`, ca_cert);
  return { server, token, ca_cert };
}

const out = (text: string) => cliOut(text);
const nsPath = (ns: string) => `apis/anvil.dev/v1/namespaces/${encodeURIComponent(ns)}`;

/**
 * A name no object can bear (not DNS-1123) is not found, as on the embedded state; sent to the server
 * it would be refused as a malformed path instead.
 */
/** Could a tenant bear this namespace name (the domain's requireNamespace)? */
function isNamespaceName(ns: string): boolean {
  try {
    requireNamespace(ns);
    return true;
  } catch {
    return false;
  }
}

function requireFindableName(name: string, notFoundMessage: string): void {
  try {
    requireName(name, 'object');
  } catch {
    throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', notFoundMessage);
  }
}

/** The route of one object of a kind. */
function objectPath(kind: Kind, name: string, ns: string | undefined): string {
  const n = encodeURIComponent(name);
  if (ns !== undefined) return `${nsPath(ns)}/${kind}/${n}`;
  return `apis/anvil.dev/v1/${kind}/${n}`;
}

/** What each command does over the API: (positional args, options, target) -> printed as on the embedded state. */
const REMOTE: Record<string, (args: string[], o: Opts, t: Target) => Promise<void>> = {
  'cluster create': async ([name], o, t) => {
    const c = await request<{ name: string; node_profile: string }>(t.server, t.token, 'POST', 'apis/anvil.dev/v1/cluster', {
      name,
      nodes: o.nodes,
      node_profile: o.nodeProfile,
      zones: o.zones,
      policy: o.policy,
      ...(o.resyncShare !== undefined ? { resync_share: o.resyncShare } : {}),
    });
    out(`cluster ${c.name} created: ${String(o.nodes)} nodes of ${c.node_profile}\n`);
  },
  'cluster status': async (_args, o, t) => {
    const { cluster, nodes } = await request<{ cluster: StoredObject & { name: string; policy: string }; nodes: unknown[] }>(
      t.server,
      t.token,
      'GET',
      'apis/anvil.dev/v1/cluster',
    );
    if (o.output !== 'table') {
      out(structured(o.output as 'json' | 'yaml', { cluster, nodes }));
      return;
    }
    // The table counts what runs on each node: the pods and volumes the caller may see.
    const state = new ClusterState();
    for (const n of nodes) state.load('Node', (n as { name: string }).name, n as StoredObject);
    for (const p of await listRemote(t, 'pods', undefined)) state.load('Pod', keyed(p), p as StoredObject);
    for (const v of await listRemote(t, 'volumes', undefined)) state.load('Volume', keyed(v), v as StoredObject);
    out(clusterStatusText(state, cluster));
  },
  'node add': async ([name], o, t) => {
    const n = await request<{ name: string; zone: string; inventory: { profile: string } }>(
      t.server,
      t.token,
      'POST',
      'apis/anvil.dev/v1/nodes',
      {
        name,
        ...(o.profile ? { profile: o.profile } : {}),
        zone: o.zone,
        ...(o.label ? { labels: o.label } : {}),
        ...(o.taint ? { taints: o.taint } : {}),
      },
    );
    out(`node ${n.name} added (${n.inventory.profile}, ${n.zone})\n`);
  },
  'node drain': async ([name], _o, t) => {
    const r = await request<{ moved: string[]; pending: string[] }>(t.server, t.token, 'POST', `apis/anvil.dev/v1/nodes/${name}/drain`);
    out(
      `node ${name} drained: ${r.moved.length} pods moved${r.pending.length ? `, ${r.pending.length} pending (${r.pending.join(', ')})` : ''}\n`,
    );
  },
  'node fail': async ([name], _o, t) => {
    const r = await request<{ moved: string[]; pending: string[] }>(t.server, t.token, 'POST', `apis/anvil.dev/v1/nodes/${name}/fail`);
    out(
      `node ${name} down: ${r.moved.length} pods moved${r.pending.length ? `, ${r.pending.length} pending (${r.pending.join(', ')})` : ''}\n`,
    );
  },
  'node recover': async ([name], _o, t) => {
    await request(t.server, t.token, 'POST', `apis/anvil.dev/v1/nodes/${name}/recover`);
    out(`node ${name} recovered\n`);
  },
  'node link-down': async ([name, port], _o, t) => {
    const r = await request<{ pending: string[] }>(
      t.server,
      t.token,
      'POST',
      `apis/anvil.dev/v1/nodes/${name}/links/${encodeURIComponent(port!)}/down`,
    );
    out(`node ${name} port ${port} link down${r.pending.length ? `: ${r.pending.length} pods pending (${r.pending.join(', ')})` : ''}\n`);
  },
  'node link-up': async ([name, port], _o, t) => {
    await request(t.server, t.token, 'POST', `apis/anvil.dev/v1/nodes/${name}/links/${encodeURIComponent(port!)}/up`);
    out(`node ${name} port ${port} link up\n`);
  },
  'node remove': async ([name], o, t) => {
    await request(t.server, t.token, 'DELETE', `apis/anvil.dev/v1/nodes/${name}${o.force ? '?force=true' : ''}`);
    out(`node ${name} removed\n`);
  },
  'volume update': async ([name], o, t) => {
    if (o.mirrors === undefined && o.size === undefined) throw new AnvilError('ANVIL_ERR_USAGE', 'volume update needs --mirrors or --size');
    const v = await request<{ name: string; size_bytes: number; plexes: { node: string }[] }>(
      t.server,
      t.token,
      'PATCH',
      `${nsPath(String(o.namespace))}/volumes/${name}`,
      {
        ...(o.mirrors !== undefined ? { mirrors: o.mirrors } : {}),
        ...(o.size !== undefined ? { size_bytes: volumeSizeBytes(String(o.size)) } : {}),
      },
    );
    out(`volume ${v.name} updated: ${v.size_bytes} bytes, plexes on ${v.plexes.map((p) => p.node).join(', ')}\n`);
  },
  'snapshot restore': async ([name], o, t) => {
    const v = await request<{ name: string; plexes: { node: string }[] }>(
      t.server,
      t.token,
      'POST',
      `${nsPath(String(o.namespace))}/snapshots/${name}/restore`,
      { to: o.to, ...(o.perfTier ? { perf_tier: o.perfTier } : {}) },
    );
    out(`snapshot ${name} restored to volume ${v.name} (linked clone on ${v.plexes.map((p) => p.node).join(', ')})\n`);
  },
  'node cordon': async ([name], _o, t) => {
    await request(t.server, t.token, 'POST', `apis/anvil.dev/v1/nodes/${name}/cordon`);
    out(`node ${name} cordoned\n`);
  },
  'node uncordon': async ([name], _o, t) => {
    await request(t.server, t.token, 'POST', `apis/anvil.dev/v1/nodes/${name}/uncordon`);
    out(`node ${name} uncordoned\n`);
  },
  'network create': async ([name], o, t) => {
    const n = await request<{ name: string; subnet: string; start: string; end: string; is_default: boolean }>(
      t.server,
      t.token,
      'POST',
      'apis/anvil.dev/v1/networks',
      {
        name,
        subnet: o.subnet,
        start: o.start,
        end: o.end,
        gateway: o.gateway,
        ...(o.vlan !== undefined ? { vlan: o.vlan } : {}),
        ...(o.zone ? { zone: o.zone } : {}),
        ...(o.setDefault ? { is_default: true } : {}),
      },
    );
    out(`network ${n.name} created: ${n.subnet} range ${n.start}-${n.end}${n.is_default ? ' (default)' : ''}\n`);
  },
  'perf-tier create': async ([name], o, t) => {
    const body = perfTierInput(String(name), o);
    out(perfTierCreatedLine(await request<PerfTier>(t.server, t.token, 'POST', 'apis/anvil.dev/v1/perf-tiers', body)));
  },
  'volume create': async ([name], o, t) => {
    requireNamespace(String(o.namespace)); // the domain's own error, as on the embedded state (the server would answer a 400 about the path)
    const v = await request<{ name: string; plexes: { node: string }[] }>(
      t.server,
      t.token,
      'POST',
      `${nsPath(String(o.namespace))}/volumes`,
      {
        name,
        size_bytes: volumeSizeBytes(String(o.size)),
        mirrors: o.mirrors,
        perf_tier: o.perfTier,
        ...(o.selector !== undefined ? { node_selector: o.selector } : {}),
        ...(o.spreadZones ? { spread_zones: true } : {}),
      },
    );
    out(`volume ${v.name} created: plexes on ${v.plexes.map((p) => p.node).join(', ')}\n`);
  },
  'endpoint create': async ([name], o, t) => {
    requireNamespace(String(o.namespace));
    const e = await request<{ name: string; network: string; ip: string; mac: string }>(
      t.server,
      t.token,
      'POST',
      `${nsPath(String(o.namespace))}/endpoints`,
      { name, network: o.network, ...(o.ip !== undefined ? { ip: o.ip } : {}) },
    );
    out(`endpoint ${e.name} created: ${e.network} ${e.ip} ${e.mac}\n`);
  },
  'token create': async ([user], o, t) => {
    requireFindableName(user!, `user ${user} does not exist; create it with: anvil user create ${user} --roles ...`);
    const issued = await request<{ token: string }>(
      t.server,
      t.token,
      'POST',
      `apis/anvil.dev/v1/users/${encodeURIComponent(user!)}/tokens`,
      {
        name: o.name,
      },
    );
    out(`${issued.token}\n`);
  },
  'token list': async ([user], o, t) => {
    if (user !== undefined) requireFindableName(user, `user ${user} does not exist; create it with: anvil user create ${user} --roles ...`);
    const tokens = await request<TokenInfo[]>(
      t.server,
      t.token,
      'GET',
      user === undefined ? 'apis/anvil.dev/v1/tokens' : `apis/anvil.dev/v1/users/${encodeURIComponent(user)}/tokens`,
    );
    out(tokenListText(tokens, o.output as OutputKind));
  },
  'token revoke': async ([user, idText], _o, t) => {
    const id = tokenId(idText!);
    requireFindableName(user!, `user ${user} does not exist; create it with: anvil user create ${user} --roles ...`);
    await request(t.server, t.token, 'DELETE', `apis/anvil.dev/v1/users/${encodeURIComponent(user!)}/tokens/${id}`).catch((e: unknown) => {
      // The server's message names the API route; the CLI's names the command, as on the embedded state.
      throw isAnvilError(e) && e.code === 'ANVIL_ERR_OBJECT_NOT_FOUND' && e.message.includes(' has no token ') ? noToken(user!, id) : e;
    });
    out(`token ${id} revoked\n`);
  },
  'snapshot create': async ([name], o, t) => {
    const s = await request<{ name: string; volume: string }>(t.server, t.token, 'POST', `${nsPath(String(o.namespace))}/snapshots`, {
      name,
      volume: o.volume,
    });
    out(`snapshot ${s.name} of ${s.volume} created\n`);
  },
  'tenant create': async ([name], _o, t) => {
    await request(t.server, t.token, 'POST', 'apis/anvil.dev/v1/namespaces', { name });
    out(`namespace ${name} created\n`);
  },
  'quota set': async ([namespace], o, t) => {
    const limits = quotaLimits(o as QuotaOpts);
    requireNamespace(namespace!);
    out(quotaSetLine(await request<Quota>(t.server, t.token, 'PUT', `${nsPath(namespace!)}/quota`, limits)));
  },
  'quota delete': async ([namespace], _o, t) => {
    requireFindableName(namespace!, `quota ${namespace} does not exist; list them with: anvil get quotas -A`);
    await request(t.server, t.token, 'DELETE', `${nsPath(namespace!)}/quota`);
    out(`quota of namespace ${namespace} deleted\n`);
  },
  'user create': async ([name], o, t) => {
    await request(t.server, t.token, 'POST', 'apis/anvil.dev/v1/users', { name, roles: roleList(String(o.roles)) });
    out(`user ${name} created\n`);
  },
  'user set-roles': async ([name], o, t) => {
    requireFindableName(name!, `user ${name} does not exist; list users with: anvil get users`);
    out(
      userRolesLine(
        await request<{ name: string; roles: string[] }>(
          t.server,
          t.token,
          'PATCH',
          `apis/anvil.dev/v1/users/${encodeURIComponent(name!)}`,
          {
            roles: roleList(String(o.roles)),
          },
        ),
      ),
    );
  },
  'user delete': async ([name], _o, t) => {
    requireFindableName(name!, `user ${name} does not exist; list users with: anvil get users`);
    const r = await request<{ message: string }>(t.server, t.token, 'DELETE', `apis/anvil.dev/v1/users/${encodeURIComponent(name!)}`);
    out(`${r.message}\n`);
  },
  apply: async (_args, o, t) => {
    const docs = readManifests(String(o.filename));
    // The server parses again: send the documents as one YAML stream.
    const text = docs.map((d) => JSON.stringify(d.body)).join('\n---\n');
    const r = await request<{ lines: string[]; notes?: string[] }>(t.server, t.token, 'POST', `${nsPath(String(o.namespace))}/apply`, {
      manifests: text,
      source: String(o.filename),
      ...(o.strict ? { strict: true } : {}),
    });
    for (const note of r.notes ?? []) process.stderr.write(`${note}\n`);
    out(r.lines.map((l) => `${l}\n`).join(''));
  },
  get: async ([kindText, name], o, t) => {
    const kind = parseKind(kindText!);
    const ns = isNamespaced(kind) && !o.allNamespaces ? String(o.namespace) : undefined;
    // A namespace no tenant can bear holds nothing, as on the embedded state (the server refuses the path).
    let objects = ns !== undefined && !isNamespaceName(ns) ? [] : await listRemote(t, kind, ns);
    if (name !== undefined) objects = objects.filter((x) => (x as { name: string }).name === name);
    if (name !== undefined && objects.length === 0)
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `${kind} ${name} does not exist${ns ? ` in namespace ${ns}` : ''}; list them with: anvil get ${kind}${isNamespaced(kind) ? ' -A' : ''}`,
      );
    if (o.output !== 'table') {
      out(structured(o.output as 'json' | 'yaml', name !== undefined ? objects[0] : objects));
      return;
    }
    // Only the node table reads more than its objects (pods per node): give it the pods the caller sees.
    const state = new ClusterState();
    if (kind === 'nodes')
      for (const p of await listRemote(t, 'pods', undefined))
        state.load('Pod', `${(p as { namespace: string }).namespace}/${(p as { name: string }).name}`, p as StoredObject);
    if (kind === 'nodes') for (const n of objects) state.load('Node', (n as { name: string }).name, n as StoredObject);
    out(kindTable(state, kind, objects));
  },
  delete: async ([kindText, name], o, t) => {
    const kind = parseKind(kindText!);
    const ns = isNamespaced(kind) ? String(o.namespace) : undefined;
    requireFindableName(name!, `${kind.replace(/s$/, '')} ${name} does not exist; list them with: anvil get ${kind}`);
    // Only nodes and volumes take --force, as on the embedded state.
    const force = o.force && (kind === 'nodes' || kind === 'volumes') ? '?force=true' : '';
    // A quota is named after its namespace and removed through the namespace's quota route.
    await request(t.server, t.token, 'DELETE', kind === 'quotas' ? `${nsPath(name!)}/quota` : objectPath(kind, name!, ns) + force);
    out(`${kind.replace(/s$/, '')} ${name} deleted\n`);
  },
  describe: async ([kindText, name], o, t) => {
    const kind = parseKind(kindText!);
    const ns = isNamespaced(kind) ? String(o.namespace) : undefined;
    const notFound = `${kind} ${name} does not exist${ns !== undefined ? ` in namespace ${ns}` : ''}; list them with: anvil get ${kind}`;
    requireFindableName(name!, notFound);
    if (ns !== undefined && !isNamespaceName(ns)) throw new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', notFound);
    const obj = await request<StoredObject & { name: string }>(t.server, t.token, 'GET', objectPath(kind, name!, ns)).catch(
      (e: unknown) => {
        throw isAnvilError(e) && e.code === 'ANVIL_ERR_OBJECT_NOT_FOUND' ? new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', notFound) : e;
      },
    );
    const objectKey = ns !== undefined ? `/${ns}/${name}` : `/${name}`;
    // The newest 20 events naming the object (as on the embedded state); a caller who may view no events sees none.
    const events = await request<ClusterEvent[]>(
      t.server,
      t.token,
      'GET',
      `apis/anvil.dev/v1/events?limit=20&object=${encodeURIComponent(objectKey)}`,
    ).catch((e: unknown) => {
      if (isAnvilError(e) && e.code === 'ANVIL_ERR_FORBIDDEN') return [];
      throw e;
    });
    // describeText reads the stored pod, and for a node what runs on it: the pods and volumes the caller may see.
    const state = new ClusterState();
    let status: Pod['status'] | undefined;
    if (kind === 'pods') {
      state.load('Pod', keyed(obj), obj);
      status = await request<Pod['status']>(t.server, t.token, 'GET', `${objectPath(kind, name!, ns)}/scheduling`);
    }
    if (kind === 'nodes') {
      state.load('Node', obj.name, obj);
      for (const p of await listRemote(t, 'pods', undefined)) state.load('Pod', keyed(p), p as StoredObject);
      for (const v of await listRemote(t, 'volumes', undefined)) state.load('Volume', keyed(v), v as StoredObject);
      for (const sn of await listRemote(t, 'snapshots', undefined)) state.load('Snapshot', keyed(sn), sn as StoredObject);
    }
    out(
      describeText(
        state,
        kind,
        obj,
        events.filter((e) => e.object.endsWith(objectKey)),
        status,
      ),
    );
  },
  events: async (_args, o, t) => {
    const query = new URLSearchParams({
      limit: String(o.limit),
      ...(o.severity ? { severity: String(o.severity) } : {}),
      ...(o.object ? { object: String(o.object) } : {}),
    });
    const events = await request<ClusterEvent[]>(t.server, t.token, 'GET', `apis/anvil.dev/v1/events?${query.toString()}`);
    out(o.output === 'table' ? eventsTable(events) : structured(o.output as 'json' | 'yaml', events));
  },
  audit: async (_args, o, t) => {
    const entries = await request<AuditEntry[]>(t.server, t.token, 'GET', `apis/anvil.dev/v1/audit?limit=${String(o.limit)}`);
    if (o.output !== 'table') {
      out(structured(o.output as 'json' | 'yaml', entries));
      return;
    }
    out(
      entries.map((a) => `${a.at}  ${a.actor}  ${a.action}  ${a.target}  (${a.changes} objects)`).join('\n') + (entries.length ? '\n' : ''),
    );
  },
};

/** The commands that take --server (each runs through the API when a server is set). */
export const SERVED_COMMANDS: readonly string[] = Object.keys(REMOTE);

async function listRemote(t: Target, kind: Kind, ns: string | undefined): Promise<unknown[]> {
  const routes: Partial<Record<Kind, string>> = {
    nodes: 'apis/anvil.dev/v1/nodes',
    networks: 'apis/anvil.dev/v1/networks',
    'perf-tiers': 'apis/anvil.dev/v1/perf-tiers',
    namespaces: 'apis/anvil.dev/v1/namespaces',
    users: 'apis/anvil.dev/v1/users',
    volumes: ns ? `${nsPath(ns)}/volumes` : 'apis/anvil.dev/v1/volumes',
    pods: ns ? `${nsPath(ns)}/pods` : 'apis/anvil.dev/v1/pods',
    snapshots: ns ? `${nsPath(ns)}/snapshots` : 'apis/anvil.dev/v1/snapshots',
    endpoints: ns ? `${nsPath(ns)}/endpoints` : 'apis/anvil.dev/v1/endpoints',
    deployments: ns ? `${nsPath(ns)}/deployments` : 'apis/anvil.dev/v1/deployments',
    statefulsets: ns ? `${nsPath(ns)}/statefulsets` : 'apis/anvil.dev/v1/statefulsets',
    quotas: ns ? `${nsPath(ns)}/quotas` : 'apis/anvil.dev/v1/quotas',
  };
  const route = routes[kind];
  if (!route)
    throw new AnvilError('ANVIL_ERR_USAGE', `get ${kind}${ns ? '' : ' -A'} is not served yet; run it on the embedded state (--state)`);
  // Page by page as kubectl does (--chunk-size 500): the server never writes one answer of every object,
  // and the pages are of one snapshot, whatever changes meanwhile.
  const objects: unknown[] = [];
  let token = '';
  do {
    const page = await request<Page>(
      t.server,
      t.token,
      'GET',
      `${route}?limit=${CLI_PAGE_SIZE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
    );
    for (const o of page.items) objects.push(o);
    token = page.metadata.continue;
  } while (token !== '');
  return objects;
}

type ActionHandler = (args: unknown[]) => unknown;

/** Adds --server/--token to the commands above and sends them to the server when one is set. */
export function enableServerMode(cli: Command): void {
  const find = (path: string): Command | undefined =>
    path.split(' ').reduce<Command | undefined>((c, name) => c?.commands.find((x) => x.name() === name), cli);
  for (const [path, remote] of Object.entries(REMOTE)) {
    const cmd = find(path) as (Command & { _actionHandler?: ActionHandler }) | undefined;
    if (!cmd?._actionHandler) throw new Error(`server mode: no command "${path}" with an action to wrap`);
    cmd.option(
      '--server <url>',
      'an Anvil server (default: $ANVIL_SERVER, else the one anvil login saved); --state keeps the command local',
    );
    cmd.option('--token <token>', 'bearer token for --server (default: $ANVIL_TOKEN, else the one anvil login saved)');
    const local = cmd._actionHandler;
    cmd._actionHandler = async (args: unknown[]) => {
      const target = serverTarget(cmd.opts<Opts>());
      if (!target) return local.call(cmd, args);
      return remote(
        args.filter((a): a is string => typeof a === 'string'),
        cmd.opts<Opts>(),
        target,
      );
    };
  }
}
