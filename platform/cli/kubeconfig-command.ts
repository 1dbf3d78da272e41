/**
 * `anvil kubeconfig`: a kubeconfig with which the real kubectl reads `anvil serve`'s Kubernetes facade.
 * Over plain http kubectl never sends a token (client-go reads credentials only for TLS transports), so an
 * http kubeconfig works only against `anvil serve --kube-anonymous-loopback` from the same machine; over
 * https the kubeconfig carries the server's CA: --ca-cert, ANVIL_CA_CERT, the one anvil login saved, or the
 * one `anvil serve --tls-self-signed` made beside this machine's default state file.
 */
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
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
      'the CA of an https server, written into the kubeconfig (default: ANVIL_CA_CERT, or the CA anvil login saved); anvil serve --tls-self-signed prints its path',
    )
    .action((o: { out?: string; server?: string; token?: string; caCert?: string }) => {
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
      const isSaved = saved.server === server;
      const token = o.token ?? (process.env.ANVIL_TOKEN || (isSaved ? saved.token : undefined));
      // Last: the CA `anvil serve --tls-self-signed` made beside this machine's state file, if any.
      const generated = join(generatedTlsDir(defaultStatePath()), 'ca.pem');
      const caPath =
        url.protocol === 'https:'
          ? o.caCert ||
            process.env.ANVIL_CA_CERT ||
            (isSaved ? saved.ca_cert : undefined) ||
            (existsSync(generated) ? generated : undefined)
          : undefined;
      const caSource = o.caCert
        ? '--ca-cert'
        : process.env.ANVIL_CA_CERT
          ? 'ANVIL_CA_CERT'
          : isSaved && saved.ca_cert
            ? `ca_cert of ${loginPath}`
            : 'the CA of anvil serve --tls-self-signed';
      const text = kubeconfigText(server.replace(/\/+$/, ''), token, caPath !== undefined ? readTrustedCa(caSource, caPath) : undefined);
      if (url.protocol === 'http:')
        process.stderr.write(
          isLoopbackHost(url.hostname)
            ? 'note: over http kubectl sends no token; anvil serve answers it only with --kube-anonymous-loopback (read-only, viewer), from this machine\n'
            : `warning: ${url.host} is plain http and not loopback: kubectl sends no token over http, so anvil serve will answer Unauthorized\n`,
        );
      if (o.out === undefined) return cliOut(text);
      const path = resolve(o.out);
      writeFileSync(path, text, { mode: 0o600 });
      chmodSync(path, 0o600);
      cliOut(`kubeconfig for ${server} written to ${path}; use it with: kubectl --kubeconfig ${path} get nodes\n`);
    });
}
