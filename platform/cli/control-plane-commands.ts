/**
 * The operator's commands on the control plane: cluster, node, network, perf-tier, volume, snapshot,
 * tenant, user, get, describe, delete, events, audit and apply (Kubernetes manifests). Each works on the embedded state file
 * (--state PATH, else $ANVIL_STATE, else $XDG_STATE_HOME/anvil/state.db) as the local user
 * ($ANVIL_USER, default "admin", with the cluster-admin role: whoever can write the file administers it).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { AnvilError } from '../errors.js';
import { wallClock } from '../domain/clock.js';
import { ControlPlane, type PerfTierInput } from '../domain/control-plane.js';
import type { Taint } from '../domain/node.js';
import {
  DEFAULT_STORAGE_WEIGHT,
  READ_FRACTION_RANGE,
  readFractionOf,
  STORAGE_WEIGHT_RANGE,
  storageWeightOf,
  TIER_IO_SIZE_RANGE,
  tierIoSizeBytes,
  type PerfTier,
} from '../domain/perf-tier.js';
import { bitRate, iopsCount, volumeSizeBytes } from '../domain/quantity.js';
import { KINDS } from '../domain/queries.js';
import { readManifests } from '../manifests/documents.js';
import { planApply, runApply } from '../manifests/apply.js';
import { defaultStatePath } from '../state/store.js';
import { MAX_LABELS, NAMESPACE_NAME_MAX_LENGTH, readLabelPair, requireNamespace } from '../domain/names.js';
import { checkedQuantity, decimalAbove, wholeNumber } from './arguments.js';
import { AUDIT_LIMIT_RANGE, BANDWIDTH_RANGE, EVENT_LIMIT_RANGE, IOPS_RANGE, VOLUME_SIZE_RANGE } from '../domain/limits.js';
import { cliErr, cliOut } from './cli-io.js';
import { actor, change, read, stateOption, type StateOpts } from './embedded-state.js';
import { parseOutputKind, structured, type OutputKind } from './output.js';
import { registerQuotaCommands } from './quota-commands.js';
import { withTokens } from './serve-command.js';
import { clusterStatusText, describeText, eventsTable, isNamespaced, kindTable, objectsOf, parseKind } from './views.js';

function out(text: string): void {
  cliOut(text);
}

const ROLES_HELP = 'comma-separated: <class>-<view|edit>[/<namespace>], or cluster-admin, viewer, tenant-admin/NS, tenant-user/NS';

/** `--roles a,b`: the role strings, blanks dropped. */
export function roleList(text: string): string[] {
  return text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
}

/** What `user set-roles` prints, on the embedded state and through a server alike. */
export function userRolesLine(u: { readonly name: string; readonly roles: readonly string[] }): string {
  return `user ${u.name} roles: ${u.roles.join(', ') || '(none)'}\n`;
}

/** What `perf-tier create` prints: a maximum given caps pods on the model, not yet on a host. */
export function perfTierCreatedLine(t: PerfTier): string {
  const caps = t.max_storage_iops !== undefined || t.max_network_bandwidth_bits_per_s !== undefined;
  return `perf tier ${t.name} created${caps ? ' (its maximums are enforced on the model, not on a host yet)' : ''}\n`;
}

/** The options of `perf-tier create` (as commander gives them), on the embedded state and against a server. */
export interface PerfTierCreateOptions {
  readonly [option: string]: unknown;
  storageIops?: unknown;
  networkBandwidth?: unknown;
  maxStorageIops?: unknown;
  maxNetworkBandwidth?: unknown;
  ioSize?: unknown;
  readFraction?: unknown;
  storageWeight?: unknown;
}

/** `perf-tier create NAME` with its options as the tier to create (an option not given is a field left out). */
export function perfTierInput(name: string, o: PerfTierCreateOptions): PerfTierInput {
  return {
    name,
    storage_iops: iopsCount(String(o.storageIops), '--storage-iops'),
    network_bandwidth_bits_per_s: bitRate(String(o.networkBandwidth), '--network-bandwidth'),
    ...(o.maxStorageIops !== undefined ? { max_storage_iops: iopsCount(String(o.maxStorageIops), '--max-storage-iops') } : {}),
    ...(o.maxNetworkBandwidth !== undefined
      ? { max_network_bandwidth_bits_per_s: bitRate(String(o.maxNetworkBandwidth), '--max-network-bandwidth') }
      : {}),
    ...(o.storageWeight !== undefined ? { storage_weight: storageWeightOf(String(o.storageWeight)) } : {}),
    ...(o.ioSize !== undefined ? { io_size_bytes: tierIoSizeBytes(String(o.ioSize)) } : {}),
    ...(o.readFraction !== undefined ? { read_fraction: readFractionOf(String(o.readFraction)) } : {}),
  };
}

/** What `user delete` prints (the API's message is the same text). */
export function userDeletedLine(name: string, tokensRevoked: number): string {
  return `user ${name} deleted, ${tokensRevoked} token${tokensRevoked === 1 ? '' : 's'} revoked\n`;
}

/**
 * Deletes a user, then revokes its tokens (as DELETE /apis/anvil.dev/v1/users/NAME does); returns how many. A crash
 * between the two leaves tokens of a missing user, which the server refuses and `user create` revokes.
 */
async function deleteUser(opts: StateOpts, name: string): Promise<number> {
  change(opts, 'delete users', `users/${name}`, (cp) => cp.deleteUser(name));
  return withTokens(opts.state ?? defaultStatePath(), (tokens) => tokens.revokeAll(name, actor().user));
}

/** `-n NS`: a name a namespace can bear, refused at once (a bad one would only ever find nothing). */
function namespaceName(value: string): string {
  try {
    return requireNamespace(value);
  } catch {
    throw new InvalidArgumentError(`a namespace is lower-case letters, digits and '-', at most ${NAMESPACE_NAME_MAX_LENGTH} characters`);
  }
}

/** "k=v" pairs, repeatable: the domain's label grammar and count, as the API takes them. */
function pairs(flag: string) {
  return (value: string, previous: Record<string, string> = {}): Record<string, string> => {
    const pair = readLabelPair(value);
    if (!pair) {
      throw new InvalidArgumentError(
        `"${value}" is not key=value (key: letters, digits, '.', '/', '_' and '-'; value: the same but '/', possibly empty)`,
      );
    }
    const next = { ...previous, [pair[0]]: pair[1] };
    if (Object.keys(next).length > MAX_LABELS) throw new InvalidArgumentError(`at most ${MAX_LABELS} different keys for ${flag}`);
    return next;
  };
}

function outputOption(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'table, json or yaml').default('table').argParser(parseOutputKind));
}

function nsOption(cmd: Command): Command {
  return cmd.option('-n, --namespace <ns>', 'namespace (tenant)', namespaceName, 'default');
}

export function registerControlPlaneCommands(cli: Command): void {
  const cluster = cli.command('cluster').description('create a cluster and see its nodes');
  stateOption(
    cluster
      .command('create')
      .description('create a cluster of N nodes of a node profile, with the default perf tiers and namespace')
      .argument('<name>')
      .requiredOption('--nodes <n>', 'number of nodes (1-5000)', wholeNumber(1, 5000))
      .option('--node-profile <name|path>', 'node profile: a built-in name or a YAML file', 'appliance-d10')
      .option('--zones <n>', 'spread the nodes round-robin over this many zones', wholeNumber(1, 5000), 1)
      .addOption(
        new Option('--policy <policy>', 'scheduler scoring: spread pods or fill nodes').choices(['balance', 'pack']).default('balance'),
      )
      .option(
        '--resync-share <fraction>',
        "share of a node's storage-port bandwidth a plex resync may take (default 0.25)",
        decimalAbove(0, 1, '0.25'),
      ),
  ).action(
    (
      name: string,
      o: StateOpts & { nodes: number; nodeProfile: string; zones: number; policy: 'balance' | 'pack'; resyncShare?: number },
    ) => {
      const c = change(o, 'create clusters', `clusters/${name}`, (cp) =>
        cp.createCluster({
          name,
          nodes: o.nodes,
          nodeProfile: o.nodeProfile,
          zones: o.zones,
          policy: o.policy,
          ...(o.resyncShare !== undefined ? { resyncShare: o.resyncShare } : {}),
        }),
      );
      out(`cluster ${c.name} created: ${o.nodes} nodes of ${c.node_profile}\n`);
    },
  );
  outputOption(
    stateOption(
      cluster
        .command('status')
        .description('per node: pods, cores, memory, storage, IOPS, VFs, bandwidth and storage controllers used of total'),
    ),
  ).action((o: StateOpts & { output: OutputKind }) => {
    read(o, (store) =>
      store.read((state) => {
        const c = state.cluster;
        if (!c)
          throw new AnvilError(
            'ANVIL_ERR_NO_CLUSTER',
            'this state holds no cluster yet; create one with: anvil cluster create NAME --nodes N',
          );
        if (o.output !== 'table') return out(structured(o.output, { cluster: c, nodes: [...state.nodes.values()] }));
        out(clusterStatusText(state, c));
      }),
    );
  });

  const node = cli.command('node').description('add, cordon, uncordon, drain, fail, recover or remove nodes');
  stateOption(
    node
      .command('add')
      .argument('<name>')
      .option('--profile <name|path>', "node profile (default: the cluster's)")
      .option('--zone <zone>', 'zone', 'zone0')
      .option('--label <k=v>', 'a label (repeatable)', pairs('--label'))
      .option('--taint <k=v>', 'a NoSchedule taint (repeatable)', pairs('--taint')),
  ).action(
    (name: string, o: StateOpts & { profile?: string; zone: string; label?: Record<string, string>; taint?: Record<string, string> }) => {
      const taints: Taint[] = Object.entries(o.taint ?? {}).map(([key, value]) => ({ key, value }));
      const n = change(o, 'create nodes', `nodes/${name}`, (cp) =>
        cp.addNode({ name, ...(o.profile ? { profile: o.profile } : {}), zone: o.zone, labels: o.label ?? {}, taints }),
      );
      out(`node ${n.name} added (${n.inventory.profile}, ${n.zone})\n`);
    },
  );
  for (const verb of ['cordon', 'uncordon'] as const) {
    stateOption(node.command(verb).argument('<name>')).action((name: string, o: StateOpts) => {
      change(o, `${verb} nodes`, `nodes/${name}`, (cp) => (verb === 'cordon' ? cp.cordonNode(name) : cp.uncordonNode(name)));
      out(`node ${name} ${verb}ed\n`);
    });
  }
  stateOption(node.command('drain').description('cordon the node and move its pods elsewhere').argument('<name>')).action(
    (name: string, o: StateOpts) => {
      const r = change(o, 'drain nodes', `nodes/${name}`, (cp) => cp.drainNode(name));
      out(
        `node ${name} drained: ${r.moved.length} pods moved${r.pending.length ? `, ${r.pending.length} pending (${r.pending.join(', ')})` : ''}\n`,
      );
    },
  );
  stateOption(
    node
      .command('fail')
      .description(
        'inject a node failure: the node goes down, its plexes go out of sync (the last copy of a volume offline), its pods move or wait for their volume',
      )
      .argument('<name>'),
  ).action((name: string, o: StateOpts) => {
    const r = change(o, 'fail nodes', `nodes/${name}`, (cp) => cp.failNode(name));
    out(
      `node ${name} down: ${r.moved.length} pods moved${r.pending.length ? `, ${r.pending.length} pending (${r.pending.join(', ')})` : ''}\n`,
    );
  });
  stateOption(
    node
      .command('recover')
      .description('bring a failed node back: ready, its plexes current again or resynced from an in-sync plex')
      .argument('<name>'),
  ).action((name: string, o: StateOpts) => {
    change(o, 'recover nodes', `nodes/${name}`, (cp) => cp.recoverNode(name));
    out(`node ${name} recovered\n`);
  });
  stateOption(
    node
      .command('link-down')
      .description(
        "inject a link failure on a NIC port: on the storage port, remote plexes whose path crosses it go out of sync (a volume's last copies offline, their pods wait)",
      )
      .argument('<name>')
      .argument('<port>', "the NIC port's name in the node profile, e.g. storage0"),
  ).action((name: string, port: string, o: StateOpts) => {
    const r = change(o, 'fail links', `nodes/${name}`, (cp) => cp.linkDown(name, port));
    out(`node ${name} port ${port} link down${r.pending.length ? `: ${r.pending.length} pods pending (${r.pending.join(', ')})` : ''}\n`);
  });
  stateOption(
    node
      .command('link-up')
      .description('bring a downed link back: the copies it cut are current again or resynced from an in-sync plex')
      .argument('<name>')
      .argument('<port>'),
  ).action((name: string, port: string, o: StateOpts) => {
    change(o, 'recover links', `nodes/${name}`, (cp) => cp.linkUp(name, port));
    out(`node ${name} port ${port} link up\n`);
  });
  stateOption(
    node
      .command('remove')
      .argument('<name>')
      .option('--force', 'remove even with pods or plexes on it (its plexes go with it; bring volumes back with volume update --mirrors)'),
  ).action((name: string, o: StateOpts & { force?: boolean }) => {
    // Audited as the API's DELETE /nodes/NAME (and anvil delete node) is, so the log reads alike both ways.
    change(o, 'delete nodes', `nodes/${name}`, (cp) => cp.removeNode(name, o.force ?? false));
    out(`node ${name} removed\n`);
  });

  const network = cli.command('network').description('L2 networks pods get endpoints on');
  stateOption(
    network
      .command('create')
      .argument('<name>')
      .requiredOption('--subnet <cidr>', 'subnet, e.g. 192.168.30.0/24')
      .requiredOption('--start <ip>', 'first address of the pod range')
      .requiredOption('--end <ip>', 'last address of the pod range')
      .requiredOption('--gateway <ip>', 'gateway address (outside the range)')
      .option('--vlan <id>', 'VLAN id (1-4094)', wholeNumber(1, 4094))
      .option('--zone <zone>', 'only nodes of this zone reach the network')
      .option('--set-default', 'pods naming no network get an endpoint here'),
  ).action(
    (
      name: string,
      o: StateOpts & { subnet: string; start: string; end: string; gateway: string; vlan?: number; zone?: string; setDefault?: boolean },
    ) => {
      const n = change(o, 'create networks', `networks/${name}`, (cp) =>
        cp.createNetwork({
          name,
          subnet: o.subnet,
          start: o.start,
          end: o.end,
          gateway: o.gateway,
          ...(o.vlan !== undefined ? { vlan: o.vlan } : {}),
          ...(o.zone ? { zone: o.zone } : {}),
          ...(o.setDefault ? { is_default: true } : {}),
        }),
      );
      out(`network ${n.name} created: ${n.subnet} range ${n.start}-${n.end}${n.is_default ? ' (default)' : ''}\n`);
    },
  );

  stateOption(
    nsOption(
      cli
        .command('endpoint')
        .description('persistent endpoints: an IP and MAC made ahead of the pod that asks for them by name')
        .command('create')
        .argument('<name>')
        .requiredOption('--network <network>', 'the network it is on')
        .option('--ip <ip>', 'a pinned address in the range (default: the lowest free one)'),
    ),
  ).action((name: string, o: StateOpts & { namespace: string; network: string; ip?: string }) => {
    const e = change(o, 'create endpoints', `endpoints/${o.namespace}/${name}`, (cp) =>
      cp.createEndpoint(o.namespace, name, o.network, o.ip),
    );
    out(`endpoint ${e.name} created: ${e.network} ${e.ip} ${e.mac}\n`);
  });

  const tier = cli.command('perf-tier').description('QoS classes: guaranteed storage IOPS and network bandwidth');
  stateOption(
    tier
      .command('create')
      .argument('<name>')
      .requiredOption('--storage-iops <n>', 'guaranteed IOPS, e.g. 5k', checkedQuantity(iopsCount, '--storage-iops', IOPS_RANGE))
      .requiredOption(
        '--network-bandwidth <rate>',
        'guaranteed bandwidth, e.g. 125M (bit/s)',
        checkedQuantity(bitRate, '--network-bandwidth', BANDWIDTH_RANGE),
      )
      .option(
        '--max-storage-iops <n>',
        'IOPS cap (enforced on the model, not on a host yet)',
        checkedQuantity(iopsCount, '--max-storage-iops', IOPS_RANGE),
      )
      .option(
        '--max-network-bandwidth <rate>',
        'bandwidth cap (enforced on the model, not on a host yet)',
        checkedQuantity(bitRate, '--max-network-bandwidth', BANDWIDTH_RANGE),
      )
      .option(
        '--io-size <size>',
        'I/O size its storage guarantee is priced at, as fio bs (default 4k)',
        checkedQuantity(tierIoSizeBytes, '--io-size', TIER_IO_SIZE_RANGE),
      )
      .option(
        '--read-fraction <f>',
        'fraction of reads its storage guarantee is priced at, 0 to 1 or 70% (default 0.7)',
        checkedQuantity(readFractionOf, '--read-fraction', READ_FRACTION_RANGE),
      )
      .option(
        '--storage-weight <shares>',
        `shares of a drive's spare capacity for each volume of the tier (default ${DEFAULT_STORAGE_WEIGHT}, vSphere's Normal)`,
        checkedQuantity(storageWeightOf, '--storage-weight', STORAGE_WEIGHT_RANGE),
      ),
  ).action((name: string, o: StateOpts & PerfTierCreateOptions) => {
    const t = change(o, 'create perf-tiers', `perf-tiers/${name}`, (cp) => cp.createPerfTier(perfTierInput(name, o)));
    out(perfTierCreatedLine(t));
  });

  const volume = cli.command('volume').description('mirrored NVMe volumes');
  stateOption(
    nsOption(
      volume
        .command('create')
        .argument('<name>')
        .requiredOption('--size <size>', 'size, e.g. 100M, 50G, 2T', checkedQuantity(volumeSizeBytes, '--size', VOLUME_SIZE_RANGE))
        .option('--mirrors <n>', 'synchronous mirrors, plexes on distinct nodes (1-3)', wholeNumber(1, 3), 1)
        .option('--perf-tier <tier>', 'perf tier', 'best-effort')
        .option('--selector <k=v>', 'node label the plexes need (repeatable)', pairs('--selector'))
        .option('--spread-zones', 'put each mirror in a different zone'),
    ),
  ).action(
    (
      name: string,
      o: StateOpts & {
        namespace: string;
        size: string;
        mirrors: number;
        perfTier: string;
        selector?: Record<string, string>;
        spreadZones?: boolean;
      },
    ) => {
      const v = change(o, 'create volumes', `volumes/${o.namespace}/${name}`, (cp) =>
        cp.createVolume({
          namespace: o.namespace,
          name,
          size_bytes: volumeSizeBytes(o.size),
          mirrors: o.mirrors,
          perf_tier: o.perfTier,
          node_selector: o.selector ?? {},
          spread_zones: o.spreadZones ?? false,
        }),
      );
      out(`volume ${v.name} created: plexes on ${v.plexes.map((p) => p.node).join(', ')}\n`);
    },
  );

  stateOption(
    nsOption(
      volume
        .command('update')
        .description(
          'add or drop one mirror (N is the plex count plus or minus one; after a node was removed with its plex, N = its mirror count puts a new plex elsewhere), or grow a detached volume',
        )
        .argument('<name>')
        .option('--mirrors <n>', 'new mirror count (1-3), one step up or down', wholeNumber(1, 3))
        .option('--size <size>', 'new size, larger than the current one', checkedQuantity(volumeSizeBytes, '--size', VOLUME_SIZE_RANGE)),
    ),
  ).action((name: string, o: StateOpts & { namespace: string; mirrors?: number; size?: string }) => {
    if (o.mirrors === undefined && o.size === undefined) throw new AnvilError('ANVIL_ERR_USAGE', 'volume update needs --mirrors or --size');
    const v = change(o, 'update volumes', `volumes/${o.namespace}/${name}`, (cp) =>
      cp.updateVolume(o.namespace, name, {
        ...(o.mirrors !== undefined ? { mirrors: o.mirrors } : {}),
        ...(o.size !== undefined ? { size_bytes: volumeSizeBytes(o.size) } : {}),
      }),
    );
    out(`volume ${v.name} updated: ${v.size_bytes} bytes, plexes on ${v.plexes.map((p) => p.node).join(', ')}\n`);
  });

  const snapshot = cli.command('snapshot').description('read-only snapshots of volumes, restored to linked clones');
  stateOption(nsOption(snapshot.command('create').argument('<name>').requiredOption('--volume <volume>', 'the volume to snapshot'))).action(
    (name: string, o: StateOpts & { namespace: string; volume: string }) => {
      const s = change(o, 'create snapshots', `snapshots/${o.namespace}/${name}`, (cp) => cp.createSnapshot(o.namespace, name, o.volume));
      out(`snapshot ${s.name} of ${s.volume} created\n`);
    },
  );
  stateOption(
    nsOption(
      snapshot
        .command('restore')
        .argument('<snapshot>')
        .requiredOption('--to <volume>', 'name of the new volume (a linked clone)')
        .option('--perf-tier <tier>', "perf tier (default: the source volume's)"),
    ),
  ).action((name: string, o: StateOpts & { namespace: string; to: string; perfTier?: string }) => {
    const v = change(o, 'restore volumes', `volumes/${o.namespace}/${o.to}`, (cp) =>
      cp.restoreSnapshot(o.namespace, name, o.to, o.perfTier),
    );
    out(`snapshot ${name} restored to volume ${v.name} (linked clone on ${v.plexes.map((p) => p.node).join(', ')})\n`);
  });

  stateOption(cli.command('tenant').description('namespaces (tenants)').command('create').argument('<name>')).action(
    (name: string, o: StateOpts) => {
      change(o, 'create namespaces', `namespaces/${name}`, (cp) => cp.createTenant(name));
      out(`namespace ${name} created\n`);
    },
  );
  registerQuotaCommands(cli);
  const user = cli.command('user').description('users and their roles (deleting a user revokes its API tokens)');
  stateOption(
    user.command('create').description('create a user with roles').argument('<name>').requiredOption('--roles <roles>', ROLES_HELP),
  ).action(async (name: string, o: StateOpts & { roles: string }) => {
    // Tokens left by a deleted user of this name go first, as on the API: a new user inherits none.
    if (!read(o, (store) => store.read((s) => s.users.has(name))))
      await withTokens(o.state ?? defaultStatePath(), (tokens) => tokens.revokeAll(name, actor().user));
    change(o, 'create users', `users/${name}`, (cp) => cp.createUser(name, roleList(o.roles)));
    out(`user ${name} created\n`);
  });
  stateOption(
    user
      .command('set-roles')
      .description("replace a user's roles (you must hold the old ones and the new)")
      .argument('<name>')
      .requiredOption('--roles <roles>', ROLES_HELP),
  ).action((name: string, o: StateOpts & { roles: string }) => {
    const u = change(o, 'update users', `users/${name}`, (cp) => cp.setUserRoles(name, roleList(o.roles)));
    out(userRolesLine(u));
  });
  stateOption(
    user
      .command('delete')
      .description('delete a user and revoke all its API tokens (the last user who can manage users stays)')
      .argument('<name>'),
  ).action(async (name: string, o: StateOpts) => {
    out(userDeletedLine(name, await deleteUser(o, name)));
  });

  outputOption(
    stateOption(
      nsOption(
        cli
          .command('get')
          .description(`list objects of a kind: ${KINDS.join(', ')}`)
          .argument('<kind>')
          .argument('[name]')
          .option('-A, --all-namespaces', 'every namespace'),
      ),
    ),
  ).action(
    (kindText: string, name: string | undefined, o: StateOpts & { namespace: string; allNamespaces?: boolean; output: OutputKind }) => {
      const kind = parseKind(kindText);
      read(o, (store) =>
        store.read((state) => {
          const ns = isNamespaced(kind) && !o.allNamespaces ? o.namespace : undefined;
          const objects = objectsOf(state, actor(), kind, ns, name);
          if (name !== undefined && objects.length === 0)
            throw new AnvilError(
              'ANVIL_ERR_OBJECT_NOT_FOUND',
              `${kind} ${name} does not exist${ns ? ` in namespace ${ns}` : ''}; list them with: anvil get ${kind}${isNamespaced(kind) ? ' -A' : ''}`,
            );
          if (o.output !== 'table') return out(structured(o.output, name !== undefined ? objects[0] : objects));
          out(kindTable(state, kind, objects));
        }),
      );
    },
  );

  stateOption(
    nsOption(
      cli
        .command('describe')
        .description('every field of one object, scheduling reasons for pods, and its events')
        .argument('<kind>')
        .argument('<name>'),
    ),
  ).action((kindText: string, name: string, o: StateOpts & { namespace: string }) => {
    const kind = parseKind(kindText);
    read(o, (store) => {
      const obj = store.read((state) => objectsOf(state, actor(), kind, isNamespaced(kind) ? o.namespace : undefined, name)[0]);
      if (obj === undefined)
        throw new AnvilError(
          'ANVIL_ERR_OBJECT_NOT_FOUND',
          `${kind} ${name} does not exist${isNamespaced(kind) ? ` in namespace ${o.namespace}` : ''}; list them with: anvil get ${kind}`,
        );
      const objectKey = isNamespaced(kind) ? `/${o.namespace}/${name}` : `/${name}`;
      const events = store.events({ object: objectKey, limit: 20 }).filter((e) => e.object.endsWith(objectKey));
      out(
        store.read((state) => {
          // A pending pod's reasons are worked out afresh, for every node.
          const status = kind === 'pods' ? new ControlPlane(state, actor(), wallClock).explainPending(o.namespace, name) : undefined;
          return describeText(state, kind, obj, events, status);
        }),
      );
    });
  });

  stateOption(
    nsOption(
      cli
        .command('delete')
        .description('delete an object (refused while in use unless --force where allowed)')
        .argument('<kind>')
        .argument('<name>')
        .option('--force', 'volumes: detach and delete their snapshots; nodes: evict and drop plexes'),
    ),
  ).action(async (kindText: string, name: string, o: StateOpts & { namespace: string; force?: boolean }) => {
    const kind = parseKind(kindText);
    const ns = o.namespace;
    if (kind === 'users') {
      await deleteUser(o, name);
      return out(`user ${name} deleted\n`);
    }
    // A quota is named after its namespace: its target is quotas/NS, as the API's.
    change(o, `delete ${kind}`, isNamespaced(kind) && kind !== 'quotas' ? `${kind}/${ns}/${name}` : `${kind}/${name}`, (cp) => {
      switch (kind) {
        case 'nodes':
          return cp.removeNode(name, o.force ?? false);
        case 'networks':
          return cp.deleteNetwork(name);
        case 'perf-tiers':
          return cp.deletePerfTier(name);
        case 'volumes':
          return cp.deleteVolume(ns, name, o.force ?? false);
        case 'snapshots':
          return cp.deleteSnapshot(ns, name);
        case 'pods':
          return cp.deletePod(ns, name);
        case 'deployments':
          return cp.deleteWorkload(ns, 'Deployment', name);
        case 'statefulsets':
          return cp.deleteWorkload(ns, 'StatefulSet', name);
        case 'endpoints':
          return cp.deleteEndpoint(ns, name);
        case 'namespaces':
          return cp.deleteTenant(name);
        case 'quotas':
          return cp.deleteQuota(name);
      }
    });
    out(`${kind.replace(/s$/, '')} ${name} deleted\n`);
  });

  stateOption(
    cli
      .command('apply')
      .description('apply Kubernetes manifests (Namespace, PersistentVolumeClaim, Pod, Deployment, StatefulSet) in one transaction')
      .requiredOption('-f, --filename <path>', 'a YAML file, a folder of them, or - for stdin')
      .option('-n, --namespace <ns>', 'namespace for objects that name none', namespaceName, 'default')
      .option('--strict', 'reject the whole apply if any document is of a kind (or volume type) Anvil does not model'),
  ).action((o: StateOpts & { filename: string; namespace: string; strict?: boolean }) => {
    const plan = planApply(readManifests(o.filename), o.namespace, o.strict ?? false);
    for (const note of plan.notes) cliErr(`${note}\n`);
    const lines = change(o, 'apply manifests', o.filename, (cp) => runApply(cp, plan));
    out(lines.map((l) => `${l}\n`).join(''));
  });

  outputOption(
    stateOption(
      cli
        .command('events')
        .description('what happened, oldest first')
        .addOption(new Option('--severity <s>', 'only this severity').choices(['info', 'warning', 'error']))
        .option('--object <text>', 'only events of objects whose name contains this')
        .option('--limit <n>', 'at most this many, newest (default 50)', wholeNumber(EVENT_LIMIT_RANGE.min, EVENT_LIMIT_RANGE.max), 50),
    ),
  ).action((o: StateOpts & { severity?: 'info' | 'warning' | 'error'; object?: string; limit: number; output: OutputKind }) => {
    const events = read(o, (store) =>
      store.events({ limit: o.limit, ...(o.severity ? { severity: o.severity } : {}), ...(o.object ? { object: o.object } : {}) }),
    );
    out(o.output === 'table' ? eventsTable(events) : structured(o.output, events));
  });

  outputOption(
    stateOption(
      cli
        .command('audit')
        .description('who changed what, when (oldest first)')
        .option('--limit <n>', 'at most this many, newest', wholeNumber(AUDIT_LIMIT_RANGE.min, AUDIT_LIMIT_RANGE.max), 100),
    ),
  ).action((o: StateOpts & { limit: number; output: OutputKind }) => {
    const entries = read(o, (store) => store.audit(o.limit));
    if (o.output !== 'table') return out(structured(o.output, entries));
    out(
      entries.map((a) => `${a.at}  ${a.actor}  ${a.action}  ${a.target}  (${a.changes} objects)`).join('\n') + (entries.length ? '\n' : ''),
    );
  });
}
