/**
 * The CLI's HTTP client for an Anvil server: coded errors come back as AnvilErrors, unreachable servers as
 * ANVIL_ERR_SERVER. An https server signed by a private CA is trusted through trustServerCa (the CA from
 * ANVIL_CA_CERT or anvil login --ca-cert); Node's own trust store (and NODE_EXTRA_CA_CERTS) holds otherwise.
 */
import { rootCertificates } from 'node:tls';
import { AnvilError, ERRORS, type ErrorCode } from '../errors.js';
import { readTrustedCa } from '../api/tls.js';
import { sendText, type TextAnswer } from '../api/http-text.js';

/**
 * CAs trusted per server origin, in addition to Node's. Set once by serverTarget (or anvil login) and read
 * by every request: the per-command code passes only the server and the token.
 */
const trustedCas = new Map<string, readonly string[]>();

/**
 * Trust the CA in the PEM file `path` for the https server at `server`, as well as the CAs Node trusts; `what`
 * names where the path came from for errors (ANVIL_CA_CERT, --ca-cert, the config file).
 */
export function trustServerCaFile(server: string, what: string, path: string): void {
  const pem = readTrustedCa(what, path);
  trustedCas.set(serverUrl(server, '').origin, [...rootCertificates, pem]);
}

/** `path` on `server`, or a usage error when `server` is not an http(s) URL. */
function serverUrl(server: string, path: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `--server ${server} is not an http:// or https:// URL; give one such as https://127.0.0.1:8080`,
    );
  }
  return url;
}

/** Certificate errors of the TLS handshake: the server's certificate is not one the client trusts for that name. */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A server that accepts the connection but goes quiet this long is reported rather than waited on forever (fetch's own header timeout was 300 s). */
const IDLE_TIMEOUT_MS = 120_000;

export async function request<T>(server: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: TextAnswer;
  const url = serverUrl(server, path);
  try {
    res = await sendText(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      ca: url.protocol === 'https:' ? trustedCas.get(url.origin) : undefined,
      idleTimeout_ms: IDLE_TIMEOUT_MS,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code !== undefined && UNTRUSTED.has(err.code)) {
      throw new AnvilError(
        'ANVIL_ERR_SERVER',
        `${url.origin} presented a certificate this client does not trust (${err.message}); give the CA that signed it: ANVIL_CA_CERT=CA.pem, or anvil login --server ${url.origin} --token T --ca-cert CA.pem (the certificate must also name the host of --server)`,
      );
    }
    throw new AnvilError(
      'ANVIL_ERR_SERVER',
      `cannot reach ${url.origin}: ${err.message}; check --server (or ANVIL_SERVER), http:// or https://, and that anvil serve runs there`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(res.text);
  } catch {
    throw new AnvilError(
      'ANVIL_ERR_SERVER',
      `${url.origin} answered ${res.status} with something that is not JSON; is it an Anvil server?`,
    );
  }
  if (res.status < 200 || res.status >= 300) {
    const e = json as { code?: string; message?: string; details?: string[] };
    if (e.code && e.code in ERRORS) throw new AnvilError(e.code as ErrorCode, e.message ?? '', e.details ?? []);
    throw new AnvilError('ANVIL_ERR_SERVER', `${url.origin} answered ${res.status}: ${res.text.slice(0, 200)}`);
  }
  return json as T;
}

export function whoami(server: string, token: string): Promise<{ user: string; roles: string[] }> {
  return request(server, token, 'GET', 'apis/anvil.dev/v1/whoami');
}
