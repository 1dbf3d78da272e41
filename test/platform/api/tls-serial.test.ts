/**
 * The serial numbers of `anvil serve --tls-self-signed`'s certificates: OpenSSL (Node's X509Certificate,
 * and the server's own TLS) refuses an INTEGER that starts with a zero octet it does not need. The earlier
 * serial, a zero nibble before 15 random bytes in forge's hex, did that whenever those bytes began with a
 * zero octet and then one below 0x80 (one certificate in 512, two made per start: a flaky start of the server). Certificates signed by forge
 * as tls-generate.ts signs them, read back by Node.
 */
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { certificateSerial, SERIAL_BYTES, selfSignedTls } from '../../../platform/api/tls-generate.js';
import { tempDir } from '../../cli-harness.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signer = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;

/** A self-signed certificate with serial `serialHex` (forge's form), as PEM. */
function certificateWith(serialHex: string): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.rsa.setPublicKey(signer.n, signer.e);
  cert.serialNumber = serialHex;
  cert.validity.notBefore = new Date(Date.UTC(2026, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2036, 0, 1));
  cert.setSubject([{ name: 'commonName', value: 'serial test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'serial test' }]);
  cert.sign(signer, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** `SERIAL_BYTES` random bytes beginning with `head`, the rest a fixed pattern. */
const bytesStarting = (...head: number[]) => Uint8Array.from({ length: SERIAL_BYTES }, (_, i) => head[i] ?? (i * 37 + 11) & 0xff);

describe('self-signed certificate serials', () => {
  it('the earlier serial: OpenSSL refuses it when the random bytes begin with a zero octet and a low one', () => {
    const random = bytesStarting(0x00, 0x13).subarray(0, 15);
    expect(() => new X509Certificate(certificateWith(`0${Buffer.from(random).toString('hex')}`))).toThrow(/padding/);
  });

  it('is read back by OpenSSL whatever the random bytes begin with: positive, in the fewest octets', () => {
    for (const head of [[0x00, 0x00], [0x00, 0x13], [0x07, 0x7a], [0x80], [0xff, 0xff], [0x7f], [0x01, 0x00]]) {
      const serial = certificateSerial(bytesStarting(...head));
      expect(serial).toHaveLength(2 * SERIAL_BYTES);
      const first = Number.parseInt(serial.slice(0, 2), 16);
      expect(first, serial).toBeGreaterThanOrEqual(0x01);
      expect(first, serial).toBeLessThanOrEqual(0x7f);
      expect(new X509Certificate(certificateWith(serial)).serialNumber).toBe(serial.toUpperCase());
    }
  });

  it('keeps every random bit but the first octet’s highest and lowest, and refuses no bytes at all', () => {
    const random = bytesStarting(0xa4, 0x5c);
    expect(certificateSerial(random).slice(2)).toBe(Buffer.from(random.subarray(1)).toString('hex'));
    expect(certificateSerial(random).slice(0, 2)).toBe('25');
    expect(() => certificateSerial(new Uint8Array(0))).toThrow(RangeError);
  });

  it('a state whose certificate an earlier version wrote unreadable gets new ones; readable ones are kept', () => {
    const state = join(tempDir('anvil-tls-serial-'), 'state.db');
    const first = selfSignedTls(state, '127.0.0.1');
    expect(first.created).toBe(true);
    expect(selfSignedTls(state, '127.0.0.1').created).toBe(false);
    // The serving certificate as the earlier serial could make it: OpenSSL refuses it.
    const unreadable = certificateWith(`0${Buffer.from(bytesStarting(0x00, 0x13).subarray(0, 15)).toString('hex')}`);
    writeFileSync(first.certPath, unreadable);
    const again = selfSignedTls(state, '127.0.0.1');
    expect(again.created).toBe(true);
    const served = new X509Certificate(readFileSync(again.certPath));
    expect(served.verify(new X509Certificate(readFileSync(again.caPath)).publicKey)).toBe(true);
  });
});
