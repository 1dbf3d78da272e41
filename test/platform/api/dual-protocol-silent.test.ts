/**
 * The one-port https/http server closes a connection that sends nothing: before its first byte neither
 * server's own timeouts apply. A request that does arrive is answered as before.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dualProtocolServer, type DualProtocolServer } from '../../../platform/api/dual-protocol.js';
import { selfSignedTls } from '../../../platform/api/tls-generate.js';
import { readFileSync } from 'node:fs';
import { tempDir } from '../../cli-harness.js';

let server: DualProtocolServer;
let port: number;

beforeAll(async () => {
  const made = selfSignedTls(join(tempDir('anvil-dual-silent-'), 'state.db'), '127.0.0.1');
  const tls = { cert: readFileSync(made.certPath), key: readFileSync(made.keyPath) };
  // 2 s, not less: the connection that speaks must have its first byte read before this bound, and a
  // loaded machine can hold this process off the CPU for some hundred milliseconds in between.
  server = dualProtocolServer(tls, (_req, res) => res.end('ok'), { firstByteTimeout: 2000 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

it('closes a connection that stays silent, and answers one that speaks', async () => {
  const silent = connect(port, '127.0.0.1');
  // Closed by the server (no data ever came), not by this side.
  const closedBy = await new Promise<string>((resolve) => {
    silent.on('data', () => resolve('data'));
    silent.on('close', () => resolve('server'));
  });
  expect(closedBy).toBe('server');

  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let text = '';
      res.on('data', (d) => (text += String(d)));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end();
  });
  expect(body).toBe('ok');
});
