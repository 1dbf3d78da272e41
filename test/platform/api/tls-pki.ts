/**
 * A throwaway PKI made with the openssl CLI for the TLS tests: a CA, a server certificate for 127.0.0.1 and
 * localhost, a client certificate (kube-scheduler's) from the same CA, and a client certificate from another CA.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  readonly dir: string;
  /** The CA that signs the server and the accepted client certificate (PEM path). */
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A client certificate and key from a CA the server does not know. */
  readonly strangerCert: string;
  readonly strangerKey: string;
  /** serverKey encrypted with a passphrase. */
  readonly encryptedKey: string;
}

/** Is the openssl CLI installed? (CI installs it; elsewhere the TLS tests skip without it.) */
export function haveOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
}

/** P-256 keys: quick to generate, and what kube-scheduler's Go TLS and Node both accept. */
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makePki(dir: string): Pki {
  const at = (name: string) => join(dir, name);
  const ca = (name: string) =>
    openssl(dir, ['req', '-x509', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${name}`]);
  const leaf = (name: string, caName: string, ext: string) => {
    writeFileSync(at(`${name}.ext`), ext);
    openssl(dir, ['req', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.pem`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '30',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  ca('anvil-test-ca');
  ca('stranger-ca');
  leaf(
    'anvil-server',
    'anvil-test-ca',
    'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  leaf('kube-scheduler', 'anvil-test-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  leaf('stranger', 'stranger-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  openssl(dir, ['pkey', '-in', 'anvil-server.key', '-aes256', '-passout', 'pass:secret', '-out', 'encrypted.key']);
  return {
    dir,
    ca: at('anvil-test-ca.pem'),
    serverCert: at('anvil-server.pem'),
    serverKey: at('anvil-server.key'),
    clientCert: at('kube-scheduler.pem'),
    clientKey: at('kube-scheduler.key'),
    strangerCert: at('stranger.pem'),
    strangerKey: at('stranger.key'),
    encryptedKey: at('encrypted.key'),
  };
}
