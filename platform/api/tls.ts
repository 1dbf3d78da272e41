/**
 * TLS for `anvil serve` and for the CLI against an https server: PEM files read and checked up front, so a
 * wrong path, a file that is not PEM, or a key that does not belong to the certificate is a coded error
 * naming the flag and the file, before the state is opened (and before a first admin token is printed).
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { AnvilError } from '../errors.js';

/** Where `anvil serve --tls-self-signed` keeps its CA and certificate: `<state>.tls/` (tls-generate.ts). */
export const generatedTlsDir = (statePath: string) => `${statePath}.tls`;

/** The `anvil serve` flags, as given (paths of PEM files). */
export interface ServerTlsFlags {
  readonly tlsCert?: string | undefined;
  readonly tlsKey?: string | undefined;
  readonly tlsClientCa?: string | undefined;
}

/** What the server needs for HTTPS, as PEM text. */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
  /** The CA(s) whose client certificates the scheduler extender accepts; without it the extender stays loopback-only. */
  readonly clientCa?: string;
}

/** Who may call the scheduler extender: loopback callers, or callers with a client certificate of --tls-client-ca. */
export type ExtenderCallers =
  { readonly state: 'loopback' } | { readonly state: 'client-certificate'; readonly ca_subjects: readonly string[] };

export function extenderCallersOf(tls: ServerTls | undefined): ExtenderCallers {
  if (tls?.clientCa === undefined) return { state: 'loopback' };
  return { state: 'client-certificate', ca_subjects: certificatesIn(tls.clientCa).map((c) => oneLine(c.subject)) };
}

/** Reads and checks the TLS flags of `anvil serve`; undefined when none is given (plain HTTP). */
export function loadServerTls(flags: ServerTlsFlags): ServerTls | undefined {
  const { tlsCert, tlsKey, tlsClientCa } = flags;
  if (tlsCert === undefined && tlsKey === undefined && tlsClientCa === undefined) return undefined;
  if (tlsCert === undefined || tlsKey === undefined) {
    const given = [
      tlsCert !== undefined && '--tls-cert',
      tlsKey !== undefined && '--tls-key',
      tlsClientCa !== undefined && '--tls-client-ca',
    ]
      .filter(Boolean)
      .join(' and ');
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `${given} given without ${tlsCert === undefined ? '--tls-cert' : '--tls-key'}: HTTPS needs both --tls-cert PEM and --tls-key PEM (and --tls-client-ca PEM for mutual TLS on the scheduler extender)`,
    );
  }
  const cert = readPem('--tls-cert', tlsCert);
  const key = readPem('--tls-key', tlsKey);
  const leaf = certificatesIn(cert)[0];
  if (leaf === undefined) throw notPem('--tls-cert', tlsCert, 'certificate', 'CERTIFICATE');
  const keyObject = privateKeyOf(key, tlsKey);
  if (!leaf.checkPrivateKey(keyObject)) {
    throw new AnvilError(
      'ANVIL_ERR_TLS_INVALID',
      `--tls-key ${tlsKey} is not the key of the certificate in --tls-cert ${tlsCert} (${oneLine(leaf.subject)}); give the key the certificate was issued for`,
    );
  }
  let clientCa: string | undefined;
  if (tlsClientCa !== undefined) {
    clientCa = readPem('--tls-client-ca', tlsClientCa);
    const cas = certificatesIn(clientCa);
    if (cas.length === 0) throw notPem('--tls-client-ca', tlsClientCa, 'CA certificate', 'CERTIFICATE');
    const notCa = cas.find((c) => !c.ca);
    if (notCa) {
      throw new AnvilError(
        'ANVIL_ERR_TLS_INVALID',
        `--tls-client-ca ${tlsClientCa} holds a certificate that is not a CA (${oneLine(notCa.subject)}, no basicConstraints CA:TRUE); give the certificate of the CA that signs kube-scheduler's client certificate`,
      );
    }
  }
  // Whatever else OpenSSL refuses (an unsupported key type, say) is caught here rather than at listen().
  try {
    createSecureContext({ cert, key, ...(clientCa !== undefined ? { ca: clientCa } : {}) });
  } catch (e) {
    throw new AnvilError(
      'ANVIL_ERR_TLS_INVALID',
      `--tls-cert ${tlsCert} with --tls-key ${tlsKey}${tlsClientCa !== undefined ? ` and --tls-client-ca ${tlsClientCa}` : ''}: OpenSSL refuses them (${(e as Error).message})`,
    );
  }
  return { cert, key, ...(clientCa !== undefined ? { clientCa } : {}) };
}

/**
 * The PEM text of a CA file the CLI trusts for an https server (`what` says where the path came from:
 * ANVIL_CA_CERT, --ca-cert, or the config file anvil login wrote).
 */
export function readTrustedCa(what: string, path: string): string {
  const pem = readPem(what, path);
  if (certificatesIn(pem).length === 0) throw notPem(what, path, 'CA certificate', 'CERTIFICATE');
  return pem;
}

function readPem(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new AnvilError('ANVIL_ERR_FILE_NOT_FOUND', `${flag} ${path}: cannot read it (${code}); give the path of a readable PEM file`);
  }
}

/** Every `-----BEGIN CERTIFICATE-----` block of a PEM text, parsed; a block that does not parse is skipped. */
export function certificatesIn(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const parsed: X509Certificate[] = [];
  for (const b of blocks) {
    try {
      parsed.push(new X509Certificate(b));
    } catch {
      // A damaged block: the file then holds no usable certificate, which the caller reports.
    }
  }
  return parsed;
}

function privateKeyOf(pem: string, path: string): KeyObject {
  // PKCS#8 (BEGIN ENCRYPTED PRIVATE KEY) or OpenSSL's traditional form (Proc-Type: 4,ENCRYPTED).
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    throw new AnvilError(
      'ANVIL_ERR_TLS_INVALID',
      `--tls-key ${path} is encrypted; anvil serve reads unencrypted keys (decrypt it with: openssl pkey -in ${path} -out KEY.pem, and keep that file mode 0600)`,
    );
  }
  try {
    return createPrivateKey(pem);
  } catch {
    throw notPem('--tls-key', path, 'private key', 'PRIVATE KEY');
  }
}

function notPem(flag: string, path: string, what: string, label: string): AnvilError {
  return new AnvilError(
    'ANVIL_ERR_TLS_INVALID',
    `${flag} ${path} holds no PEM ${what} (a "-----BEGIN ${label}-----" block); give a PEM file, e.g. one written by openssl`,
  );
}

/** An X.509 subject on one line (Node gives one attribute per line). */
function oneLine(subject: string): string {
  return subject.split('\n').filter(Boolean).join(', ');
}

/**
 * A warning when `anvil serve` listens on a non-loopback address without TLS: bearer tokens would cross the
 * network in clear. Undefined on loopback or with TLS.
 */
export function plainHttpWarning(host: string, tls: ServerTls | undefined): string | undefined {
  if (tls !== undefined || host === 'localhost' || host === '::1' || /^(::ffff:)?127\./.test(host)) return undefined;
  return `anvil serve: plain HTTP on ${host}: bearer tokens and API bodies cross the network unencrypted; serve HTTPS with --tls-cert PEM --tls-key PEM (and --tls-client-ca PEM for the scheduler extender)`;
}
