/**
 * A self-signed CA and a serving certificate for `anvil serve --tls-self-signed`, signed with node-forge
 * (keys made by Node's crypto) (no openssl on the user's machine) and kept beside the state file, so that a
 * restart serves the same certificate and a kubeconfig written once keeps working. kubectl sends its
 * bearer token only over TLS: this is what lets it authenticate to Anvil without a PKI of the user's own.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import forge from 'node-forge';
import { certificatesIn, generatedTlsDir } from './tls.js';

export interface GeneratedTls {
  /** The folder the files are in. */
  readonly dir: string;
  /** The CA certificate's path (what a client trusts: `anvil kubeconfig --ca-cert`, ANVIL_CA_CERT). */
  readonly caPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  /** Whether they were made now (else read from an earlier start). */
  readonly created: boolean;
}

/** Validity of both certificates: ten years (the CA is private to this state file). */
const VALID_MS = 10 * 365 * 24 * 3600 * 1000;

/** An RSA key pair (2048 bits) made by Node (fast, native), in forge's form and as PKCS#8 PEM. */
function keyPair(): { forge: forge.pki.rsa.KeyPair; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { forge: { privateKey: priv, publicKey: forge.pki.rsa.setPublicKey(priv.n, priv.e) }, pem };
}

/** Octets of a certificate's serial number (RFC 5280: at most 20). */
export const SERIAL_BYTES = 16;

/**
 * A serial number from `random` bytes, as forge's hex: positive (the high bit clear) and encoded in the
 * fewest octets (the first one not zero), as RFC 5280 and DER ask. OpenSSL refuses a certificate whose
 * serial begins with a zero octet it does not need ("illegal padding"): the serial once made as a zero
 * nibble before the random bytes did so in one certificate of 512 (the bytes beginning 0x00, then below
 * 0x80), and `anvil serve --tls-self-signed` then refused the certificate it had just written.
 */
export function certificateSerial(random: Uint8Array): string {
  const bytes = Buffer.from(random);
  if (bytes.length === 0) throw new RangeError('certificateSerial: give at least one random byte');
  bytes[0] = (bytes[0]! & 0x7f) | 0x01;
  return bytes.toString('hex');
}

/**
 * Whether OpenSSL reads the certificates at `paths` (as `anvil serve` will: `certificatesIn`): those an
 * earlier version wrote with an illegally padded serial (see `certificateSerial`) are made anew rather
 * than refused at every start.
 */
function readable(...paths: string[]): boolean {
  return paths.every((path) => certificatesIn(readFileSync(path, 'utf8')).length > 0);
}

function certificate(
  subject: string,
  publicKey: forge.pki.PublicKey,
  issuer: forge.pki.Certificate | undefined,
  signer: forge.pki.rsa.PrivateKey,
  now: Date,
  extensions: object[],
): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = certificateSerial(randomBytes(SERIAL_BYTES));
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + VALID_MS);
  cert.setSubject([{ name: 'commonName', value: subject }]);
  cert.setIssuer(issuer ? issuer.subject.attributes : [{ name: 'commonName', value: subject }]);
  cert.setExtensions(extensions);
  cert.sign(signer, forge.md.sha256.create());
  return cert;
}

/**
 * The CA and serving certificate of the state at `statePath`, made on first use (and again if OpenSSL
 * cannot read those on disk, a client then has to trust the new CA). The certificate names
 * 127.0.0.1, ::1, localhost and `host` (the address served on, unless a wildcard one) as its subject
 * alternative names; files are written 0600 (the keys) and 0644 (the certificates).
 */
export function selfSignedTls(statePath: string, host: string, now: Date = new Date()): GeneratedTls {
  const dir = generatedTlsDir(statePath);
  const paths = { caPath: join(dir, 'ca.pem'), certPath: join(dir, 'server.pem'), keyPath: join(dir, 'server.key') };
  if (existsSync(paths.caPath) && existsSync(paths.certPath) && existsSync(paths.keyPath) && readable(paths.caPath, paths.certPath))
    return { dir, ...paths, created: false };
  const caKeys = keyPair();
  const ca = certificate(`Anvil CA ${now.toISOString().slice(0, 10)}`, caKeys.forge.publicKey, undefined, caKeys.forge.privateKey, now, [
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const serverKeys = keyPair();
  const names = new Set(['127.0.0.1', '::1', 'localhost']);
  if (host !== '0.0.0.0' && host !== '::' && host !== '') names.add(host);
  const server = certificate('anvil serve', serverKeys.forge.publicKey, ca, caKeys.forge.privateKey, now, [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // Type 7 is an IP address, 2 a DNS name (RFC 5280 GeneralName).
    { name: 'subjectAltName', altNames: [...names].map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
  ]);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'ca.key'), caKeys.pem, { mode: 0o600 });
  writeFileSync(paths.keyPath, serverKeys.pem, { mode: 0o600 });
  writeFileSync(paths.caPath, forge.pki.certificateToPem(ca), { mode: 0o644 });
  // What a client is sent: the serving certificate (the CA is the client's trust anchor).
  writeFileSync(paths.certPath, forge.pki.certificateToPem(server), { mode: 0o644 });
  return { dir, ...paths, created: true };
}
