/**
 * `anvil kubeconfig`: a kubeconfig with which the real kubectl works against `anvil serve`'s Kubernetes facade.
 * Over plain http kubectl never sends a token (client-go reads credentials only for TLS transports), so the
 * kubeconfig names https with the server's CA: --ca-cert, ANVIL_CA_CERT, the one anvil login saved, or the one
 * `anvil serve` made beside its state (--state, else ANVIL_STATE, else the default state path). An http URL of
 * a loopback server is written as https on the same port when that server answers TLS with that CA (anvil
 * serve's default); otherwise it stays http, which kubectl can use only anonymously and on loopback.
 */
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { connect } from 'node:tls';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { AnvilError } from '../errors.js';
import { generatedTlsDir, readTrustedCa } from '../api/tls.js';
import { defaultStatePath } from '../state/store.js';
import { cliOut } from './cli-io.js';
import { clientConfigPath } from './serve-command.js';

interface SavedLogin {
  server?: string;
  token?: string;
  ca_cert?: string;
}

/** The kubeconfig (YAML) for `server`; a token and a CA (PEM text) when given. */
export function kubeconfigText(server: string, token: string | undefined, caPem: string | undefined): string {
  const cluster = { server, ...(caPem !== undefined ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {}) };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'anvil', cluster }],
    users: [{ name: 'anvil', user: token !== undefined ? { token } : {} }],
    contexts: [{ name: 'anvil', context: { cluster: 'anvil', user: 'anvil' } }],
    'current-context': 'anvil',
  });
}

function savedLogin(path: string): SavedLogin {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SavedLogin;
  } catch {
    throw new AnvilError('ANVIL_ERR_USAGE', `${path} is not the JSON anvil login writes; run anvil login again`);
  }
}

const isLoopbackHost = (host: string) => host === 'localhost' || host.startsWith('127.') || host === '[::1]';

/** How long the TLS probe waits for a server that does not answer (a stopped one): a failsafe, not a budget. */
const PROBE_FAILSAFE_MS = 30_000;

/** Whether the server at `url` (host and port) completes a TLS handshake whose certificate `caPem` signed. */
function answersTlsWith(url: URL, caPem: string): Promise<boolean> {
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port, ca: caPem, ...(host === 'localhost' ? { servername: host } : {}) });
    const done = (ok: boolean) => {
      clearTimeout(failsafe);
      socket.destroy();
      resolve(ok);
    };
    const failsafe = setTimeout(() => done(false), PROBE_FAILSAFE_MS);
    socket.once('secureConnect', () => done(socket.authorized));
    socket.once('error', () => done(false));
  });
}

export function registerKubeconfigCommand(cli: Command): void {
  cli
    .command('kubeconfig')
    .description(
      "write a kubeconfig for kubectl against anvil serve's Kubernetes facade (server and token from the options, ANVIL_SERVER/ANVIL_TOKEN, or anvil login)",
    )
    .option('--out <file>', 'write it to this file (mode 0600: it holds the token) instead of standard output')
    .option('--server <url>', 'the anvil serve URL, e.g. http://127.0.0.1:8080')
    .option('--token <token>', 'the bearer token kubectl sends (over https only: kubectl sends none over http)')
    .option(
      '--ca-cert <pem>',
      'the CA of an https server, written into the kubeconfig (default: ANVIL_CA_CERT, the CA anvil login saved, or the one anvil serve made beside --state)',
    )
    .option(
      '--state <path>',
      "the server's state file, beside which anvil serve keeps its CA (<state>.tls/ca.pem) (default: $ANVIL_STATE, else $XDG_STATE_HOME/anvil/state.db)",
    )
    .action(async (o: { out?: string; server?: string; token?: string; caCert?: string; state?: string }) => {
      const loginPath = clientConfigPath();
      const saved = savedLogin(loginPath);
      const server = o.server ?? (process.env.ANVIL_SERVER || saved.server);
      if (server === undefined)
        throw new AnvilError('ANVIL_ERR_USAGE', 'anvil kubeconfig needs a server: --server URL, ANVIL_SERVER, or anvil login');
      let url: URL;
      try {
        url = new URL(server);
      } catch {
        url = new URL('invalid:');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new AnvilError(
          'ANVIL_ERR_USAGE',
          `--server ${server} is not an http:// or https:// URL; give one such as http://127.0.0.1:8080`,
        );
      if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
        throw new AnvilError(
          'ANVIL_ERR_USAGE',
          `--server ${server} is plain http off loopback: kubectl sends no token over http and anvil serve answers plain http from loopback only; give https://${url.host} (the same port)`,
        );
      const isSaved = saved.server === server;
      const token = o.token ?? (process.env.ANVIL_TOKEN || (isSaved ? saved.token : undefined));
      // Last: the CA `anvil serve` made beside the state file, if any.
      const statePath = o.state ?? defaultStatePath();
      const generated = join(generatedTlsDir(statePath), 'ca.pem');
      const caPath =
        o.caCert || process.env.ANVIL_CA_CERT || (isSaved ? saved.ca_cert : undefined) || (existsSync(generated) ? generated : undefined);
      const caSource = o.caCert
        ? '--ca-cert'
        : process.env.ANVIL_CA_CERT
          ? 'ANVIL_CA_CERT'
          : isSaved && saved.ca_cert
            ? `ca_cert of ${loginPath}`
            : `the CA anvil serve made beside ${statePath}`;
      const caPem = caPath !== undefined ? readTrustedCa(caSource, caPath) : undefined;
      // anvil serve answers https and (loopback) http on one port: kubectl gets https, where it sends its token.
      const secure = url.protocol === 'https:' || (caPem !== undefined && (await answersTlsWith(url, caPem)));
      if (secure) url.protocol = 'https:';
      const written = secure ? url.origin : server.replace(/\/+$/, '');
      const text = kubeconfigText(written, token, secure ? caPem : undefined);
      if (!secure)
        process.stderr.write(
          caPem === undefined
            ? `note: http, as no CA of the server was found (give --state PATH, or --ca-cert PEM): kubectl sends no token over http; anvil serve answers it only with --kube-anonymous-loopback (read-only, viewer), from this machine\n`
            : `note: ${url.host} does not answer https with ${caPath}, so the kubeconfig says http: kubectl sends no token over http; anvil serve answers it only with --kube-anonymous-loopback (read-only, viewer), from this machine\n`,
        );
      if (o.out === undefined) return cliOut(text);
      const path = resolve(o.out);
      writeFileSync(path, text, { mode: 0o600 });
      chmodSync(path, 0o600);
      cliOut(`kubeconfig for ${written} written to ${path}; use it with: kubectl --kubeconfig ${path} get nodes\n`);
    });
}
