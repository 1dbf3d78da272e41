/**
 * `anvil serve` (the API server), `anvil token create|list|revoke` (tokens on the embedded state) and `anvil login`
 * (checks a server and token, and keeps them in the client config file for later commands).
 */
import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AnvilError } from '../errors.js';
import type { TokenInfo, TokenStore } from '../api/tokens.js';
import { defaultStatePath, Store } from '../state/store.js';
import { PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE } from '../state/file-modes.js';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, parseRateLimit } from '../api/rate-limit.js';
import { parseOutputKind, structured, table, type OutputKind } from './output.js';
import { readWholeNumber, wholeNumber } from './arguments.js';
import { cliOut } from './cli-io.js';
import { packageRoot } from '../../bench/package-root.js';
import { DEFAULT_MAX_IOS } from '../../bench/targets/run-cost.js';
import { DEFAULT_MAX_RUNS, DEFAULT_MAX_RUN_SIMULATED_S } from '../api/live-runs.js';
import { cliWorkerUrl } from './cli-modules.js';

/** Where `anvil login` keeps the server and token: $XDG_CONFIG_HOME/anvil/config.json (mode 0600). */
export function clientConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'anvil', 'config.json');
}

const STATE_HELP = 'state file (default: $ANVIL_STATE, else $XDG_STATE_HOME/anvil/state.db)';

/** A token id as `anvil token list` shows it: a whole number from 1, read exactly (never rounded). */
export function tokenId(text: string): number {
  const id = readWholeNumber(text, 1, Number.MAX_SAFE_INTEGER);
  if (id === undefined) {
    const allowed = `a whole number from 1 to ${Number.MAX_SAFE_INTEGER}`;
    throw new AnvilError('ANVIL_ERR_USAGE', `token id "${text}" is not a token id: use the ID column of anvil token list (${allowed})`);
  }
  return id;
}

export function noToken(user: string, id: number): AnvilError {
  return new AnvilError('ANVIL_ERR_OBJECT_NOT_FOUND', `user ${user} has no token ${id}; list them with: anvil token list ${user}`);
}

/** What `anvil token list` prints, on the embedded state and through a server alike. */
export function tokenListText(tokens: readonly TokenInfo[], output: OutputKind): string {
  if (output !== 'table') return structured(output, tokens);
  return table(
    ['ID', 'USER', 'NAME', 'CREATED_AT'],
    tokens.map((t) => [String(t.id), t.user, t.name, t.created_at]),
  );
}

function requireUser(path: string, user: string): void {
  const store = Store.open(path);
  try {
    if (!store.read((s) => s.users.has(user)))
      throw new AnvilError(
        'ANVIL_ERR_OBJECT_NOT_FOUND',
        `user ${user} does not exist; create it with: anvil user create ${user} --roles ...`,
      );
  } finally {
    store.close();
  }
}

/** Who the audit log names for a token change on the embedded state: $ANVIL_USER, as for every embedded change. */
const embeddedActor = () => process.env.ANVIL_USER || 'admin';

/** Runs `fn` on the token table of the state file at `path` (loaded only by the token commands). */
export async function withTokens<T>(path: string, fn: (tokens: TokenStore) => T): Promise<T> {
  const { TokenStore } = await import('../api/tokens.js');
  const tokens = TokenStore.open(path);
  try {
    return fn(tokens);
  } finally {
    tokens.close();
  }
}

/** An address only this machine reaches (what --plain-http may listen on). */
export const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || /^(::ffff:)?127\./.test(host);

/** Whole seconds, 0 for never. */
const seconds = wholeNumber(0, 86_400, '30 (0: never)');
/** A TCP port, 0 for any free one. */
const port = wholeNumber(0, 65_535, '8080 (0: any free port)');

/** `--rate-limit`: a usage error (exit 2) for what is not a rate. */
function rateLimit(value: string): number {
  try {
    return parseRateLimit(value);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message.replace(/^.*?; /, ''));
  }
}

export function registerServeCommands(cli: Command): void {
  cli
    .command('serve')
    .description(
      'serve the control plane: REST API, Kubernetes facade, scheduler extender, /metrics, /healthz, /readyz, /openapi.json, /docs; by default https with a CA made beside the state (<state>.tls/, what anvil kubeconfig trusts) and plain http from loopback callers on the same port',
    )
    .option(
      '--host <addr>',
      'address to listen on (loopback by default; without --tls-client-ca the scheduler extender answers loopback callers only)',
      '127.0.0.1',
    )
    .option('--port <n>', 'TCP port (0: any free port)', port, 8080)
    .option('--state <path>', 'state file (default: $ANVIL_STATE, else $XDG_STATE_HOME/anvil/state.db)')
    .option('--tls-cert <pem>', 'serve HTTPS with this certificate (PEM; a chain may follow it); needs --tls-key')
    .option('--tls-key <pem>', 'the unencrypted private key of --tls-cert (PEM)')
    .option(
      '--tls-self-signed',
      'serve HTTPS only (no plain http on the port) with the CA and certificate made for this state file and kept beside it (<state>.tls/; made on first start)',
    )
    .option(
      '--plain-http',
      'serve plain http only, on a loopback --host (no CA made): kubectl then sends no token (see --kube-anonymous-loopback)',
    )
    .option(
      '--tls-client-ca <pem>',
      'mutual TLS for the scheduler extender: it then answers, from any address, only callers with a client certificate signed by this CA (PEM); the API keeps bearer tokens',
    )
    .option(
      '--kube-apiserver <url>',
      "the Kubernetes API the scheduler extender's bind posts Bindings to (with bindVerb kube-scheduler leaves binding to the extender); default: in a pod, the in-cluster service account; else bind records placements in Anvil only",
    )
    .option(
      '--kube-token-file <path>',
      'a file with a bearer token for --kube-apiserver (re-read on every bind; needs RBAC create on pods/binding)',
    )
    .option('--kube-ca-file <pem>', "the CA of --kube-apiserver's certificate (PEM)")
    .option(
      '--kube-reconcile-seconds <n>',
      'with a Kubernetes API: every N seconds, remove from Anvil the pods the extender placed that Kubernetes no longer holds (0: never)',
      seconds,
      30,
    )
    .option(
      '--kube-anonymous-loopback',
      'plain http: answer Kubernetes-facade reads without a token from loopback callers as the viewer role (kubectl sends no token over http)',
    )
    .option(
      '--runs <dir>',
      'a folder of results folders (anvil run ... --out DIR/NAME): the API and the dashboard list them and serve their intervals',
    )
    .option(
      '--max-runs <n>',
      'model runs started from the API or the dashboard (POST /runs) that run at once, each on a worker thread',
      wholeNumber(0, 64, '2 (0: none)'),
      DEFAULT_MAX_RUNS,
    )
    .option(
      '--max-run-simulated <seconds>',
      "a run started from the API: the scenario's longest duration, simulated seconds",
      wholeNumber(1, 86_400, '60'),
      DEFAULT_MAX_RUN_SIMULATED_S,
    )
    .option(
      '--reports <dir>',
      'a folder holding reports (anvil tco --out, anvil compare --out, anvil calibrate --out), looked for 4 folders deep: the dashboard lists and opens them (default: the --runs folder)',
    )
    .option(
      '--rate-limit <rate>',
      `requests per bearer token: N/min or N/s past which the API answers 429 with Retry-After (0: no limit; default ${DEFAULT_RATE_LIMIT_PER_MINUTE}/min)`,
      rateLimit,
    )
    .action(
      async (o: {
        host: string;
        port: number;
        state?: string;
        rateLimit?: number;
        tlsCert?: string;
        tlsKey?: string;
        tlsClientCa?: string;
        kubeApiserver?: string;
        kubeTokenFile?: string;
        kubeCaFile?: string;
        kubeReconcileSeconds: number;
        kubeAnonymousLoopback?: boolean;
        tlsSelfSigned?: boolean;
        plainHttp?: boolean;
        runs?: string;
        reports?: string;
        maxRuns: number;
        maxRunSimulated: number;
      }) => {
        const { loadServerTls, extenderCallersOf, plainHttpWarning } = await import('../api/tls.js');
        const { kubeApiOf } = await import('../api/extender/kube-binder.js');
        // Checked before the state is opened: a bad flag creates no state file and prints no token.
        if (o.tlsSelfSigned && (o.tlsCert !== undefined || o.tlsKey !== undefined))
          throw new AnvilError(
            'ANVIL_ERR_USAGE',
            '--tls-self-signed makes its own certificate: give it, or --tls-cert and --tls-key, not both',
          );
        const ownCert = o.tlsCert !== undefined || o.tlsKey !== undefined;
        if (o.plainHttp && (ownCert || o.tlsSelfSigned || o.tlsClientCa !== undefined))
          throw new AnvilError('ANVIL_ERR_USAGE', '--plain-http serves no TLS: give it, or the --tls-* flags, not both');
        if (o.plainHttp && !isLoopbackHost(o.host))
          throw new AnvilError(
            'ANVIL_ERR_USAGE',
            `--plain-http on --host ${o.host}: plain http is served on loopback only (tokens would cross the network in clear, and kubectl sends none over http); leave out --plain-http to serve https with the CA made beside the state, or give --host 127.0.0.1`,
          );
        const path = o.state ?? defaultStatePath();
        // By default: the CA and certificate made beside the state, https and loopback plain http on one port.
        // (--tls-client-ca alone stays the usage error loadServerTls gives: mutual TLS is for a certificate of the user's.)
        const dualProtocol = !ownCert && !o.tlsSelfSigned && !o.plainHttp && o.tlsClientCa === undefined;
        let generated: ReturnType<typeof import('../api/tls-generate.js').selfSignedTls> | undefined;
        if (o.tlsSelfSigned || dualProtocol) {
          const { selfSignedTls } = await import('../api/tls-generate.js');
          generated = selfSignedTls(path, o.host);
        }
        const tls = loadServerTls(generated ? { ...o, tlsCert: generated.certPath, tlsKey: generated.keyPath } : o);
        const kube = kubeApiOf(o);
        const rateLimitPerMinute = o.rateLimit ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
        const runsDir = o.runs === undefined ? undefined : resolve(o.runs);
        if (runsDir !== undefined && !(existsSync(runsDir) && statSync(runsDir).isDirectory()))
          throw new AnvilError(
            'ANVIL_ERR_FILE_NOT_FOUND',
            `--runs ${o.runs}: no such folder; give the folder whose subfolders anvil run --out wrote (anvil run SCENARIO --out DIR/NAME)`,
          );
        const reportsDir = o.reports === undefined ? undefined : resolve(o.reports);
        if (reportsDir !== undefined && !(existsSync(reportsDir) && statSync(reportsDir).isDirectory()))
          throw new AnvilError(
            'ANVIL_ERR_FILE_NOT_FOUND',
            `--reports ${o.reports}: no such folder; give the folder anvil tco --out or anvil compare --out wrote into, or a folder above it`,
          );
        const { buildServer, bootstrapAdmin } = await import('../api/server.js');
        const { app, api } = await buildServer({
          statePath: path,
          rateLimitPerMinute,
          kubeAnonymousLoopback: o.kubeAnonymousLoopback === true,
          plainHttpOnLoopback: dualProtocol,
          ...(runsDir !== undefined ? { runsDir } : {}),
          liveRuns: {
            worker: cliWorkerUrl('live-run-worker.js'),
            scenariosDir: join(packageRoot(), 'bench', 'scenarios'),
            maxConcurrent: o.maxRuns,
            maxSimulated_s: o.maxRunSimulated,
            maxIos: DEFAULT_MAX_IOS,
          },
          ...(reportsDir !== undefined ? { reportsDir } : {}),
          ...(tls ? { tls } : {}),
          ...(kube ? { kube } : {}),
        });
        const first = bootstrapAdmin(api);
        if (first) process.stdout.write(`first admin token for user admin (shown once; keep it): ${first}\n`);
        let address: string;
        try {
          address = await app.listen({ host: o.host, port: o.port });
        } catch (e) {
          await app.close();
          throw new AnvilError(
            'ANVIL_ERR_USAGE',
            `cannot listen on ${o.host}:${o.port}: ${(e as Error).message}; choose another --host or --port`,
          );
        }
        if (generated)
          process.stdout.write(
            `${generated.created ? 'made a CA and serving certificate' : 'serving the certificate made earlier'} in ${generated.dir}; clients trust ${generated.caPath} (anvil kubeconfig --state ${path} finds it; or ANVIL_CA_CERT)${dualProtocol ? `; https and, from loopback callers only, plain http on port ${new URL(address).port}` : ''}\n`,
          );
        const warning = plainHttpWarning(o.host, tls);
        if (warning) process.stderr.write(`${warning}\n`);
        const callers = extenderCallersOf(tls);
        const extender =
          callers.state === 'loopback' ? 'loopback callers only' : `mutual TLS, client certificates of ${callers.ca_subjects.join(' or ')}`;
        const binds = kube
          ? `binds in Anvil and in Kubernetes at ${kube.server.origin}${kube.source === 'in-cluster' ? ' (in-cluster service account)' : ''}`
          : 'binds in Anvil only (no --kube-apiserver: with bindVerb, pods stay unbound in Kubernetes)';
        process.stdout.write(
          `anvil serving ${path} at ${address} (dashboard ${address}/, API ${address}/apis/anvil.dev/v1, Kubernetes facade ${address}/api${(tls && !dualProtocol) || !o.kubeAnonymousLoopback ? '' : ' (anonymous loopback reads)'}, docs ${address}/docs, scheduler extender ${address}/scheduler: ${extender}; ${binds})\n`,
        );
        let stopReconciling = () => {};
        if (kube && o.kubeReconcileSeconds > 0) {
          const { startReconciling } = await import('../api/extender/kube-reconciler.js');
          stopReconciling = startReconciling(kube, api.store, o.kubeReconcileSeconds, (line, failed) =>
            (failed ? process.stderr : process.stdout).write(`${line}\n`),
          );
        }
        await new Promise<void>((resolve) => {
          const stop = () => {
            stopReconciling();
            void app.close().then(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      },
    );

  const token = cli
    .command('token')
    .description(
      'API tokens: create, list and revoke them, on the embedded state (whoever can write the state file administers it) or with --server',
    );
  token
    .command('create')
    .description('issue a token for a user; it is printed once and only its hash is kept')
    .argument('<user>')
    .option('--name <text>', 'what the token is for', 'cli')
    .option('--state <path>', STATE_HELP)
    .action(async (user: string, o: { name: string; state?: string }) => {
      const path = o.state ?? defaultStatePath();
      requireUser(path, user);
      cliOut(`${await withTokens(path, (tokens) => tokens.issue(user, o.name, embeddedActor()).token)}\n`);
    });
  token
    .command('list')
    .description("tokens (id, user, name, created_at; never their text): a user's, or every user's")
    .argument('[user]')
    .option('--state <path>', STATE_HELP)
    .addOption(new Option('-o, --output <format>', 'table, json or yaml').default('table').argParser(parseOutputKind))
    .action(async (user: string | undefined, o: { state?: string; output: OutputKind }) => {
      const path = o.state ?? defaultStatePath();
      if (user !== undefined) requireUser(path, user);
      cliOut(tokenListText(await withTokens(path, (tokens) => tokens.list(user)), o.output));
    });
  token
    .command('revoke')
    .description('revoke one token of a user (its id from anvil token list)')
    .argument('<user>')
    .argument('<id>')
    .option('--state <path>', STATE_HELP)
    .action(async (user: string, idText: string, o: { state?: string }) => {
      const id = tokenId(idText);
      const path = o.state ?? defaultStatePath();
      requireUser(path, user);
      if (!(await withTokens(path, (tokens) => tokens.revoke(user, id, embeddedActor())))) throw noToken(user, id);
      cliOut(`token ${id} revoked\n`);
    });

  cli
    .command('login')
    .description('check a server and token, and keep them for later commands (in $XDG_CONFIG_HOME/anvil/config.json)')
    .requiredOption('--server <url>', 'the server, e.g. http://127.0.0.1:8080')
    .requiredOption('--token <token>', 'a token (anvil token create USER, or POST /apis/anvil.dev/v1/users/USER/tokens)')
    .option('--ca-cert <pem>', 'an https server whose certificate a private CA signed: trust that CA (PEM; its path is saved too)')
    .action(async (o: { server: string; token: string; caCert?: string }) => {
      const { whoami, trustServerCaFile } = await import('./server-client.js');
      const ca = o.caCert === undefined ? undefined : resolve(o.caCert);
      if (ca !== undefined) trustServerCaFile(o.server, '--ca-cert', ca);
      const me = await whoami(o.server, o.token);
      const path = clientConfigPath();
      mkdirSync(dirname(path), { recursive: true, mode: PRIVATE_FOLDER_MODE });
      if (!existsSync(path)) writeFileSync(path, '', { mode: PRIVATE_FILE_MODE });
      chmodSync(path, PRIVATE_FILE_MODE);
      writeFileSync(
        path,
        JSON.stringify({ server: o.server, token: o.token, ...(ca !== undefined ? { ca_cert: ca } : {}) }, null, 2) + '\n',
      );
      cliOut(
        `logged in to ${o.server} as ${me.user} (${me.roles.join(', ')})${ca !== undefined ? `, trusting the CA in ${ca}` : ''}; saved in ${path}\n`,
      );
    });
}
