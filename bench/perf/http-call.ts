/**
 * One HTTP request from a bench section to `anvil serve` (or a floor server) over a kept-alive agent, the
 * body read whole: the time its last byte arrived is taken before the client joins and decodes it, so a
 * section times the server and the wire, not its own decoding.
 */
import { request, type Agent } from 'node:http';

/** What one request got back, and when its last byte arrived (performance.now(), ms). */
export interface HttpAnswer {
  readonly status: number;
  readonly text: string;
  readonly receivedAt: number;
}

/** `method` `path` (with its query) of `url` over `agent`, with a bearer `token` and a JSON `body` when given. */
export function httpCall(
  agent: Agent,
  url: string,
  method: 'GET' | 'POST',
  path: string,
  options: { readonly token?: string | undefined; readonly body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const u = new URL(path, url);
  const { token, body } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const receivedAt = performance.now();
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), receivedAt });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
