/**
 * One HTTP(S) request whose answer is read whole as text: what the CLI sends to an Anvil server and the
 * scheduler extender to the Kubernetes API. node:http/https rather than fetch, because Node 20's fetch takes
 * no CA option short of an undici dispatcher (a dependency that must match the undici built into Node).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface TextAnswer {
  readonly status: number;
  readonly text: string;
}

export interface TextRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | undefined;
  /** CAs to trust for https (PEM), instead of Node's own; undefined: Node's. */
  readonly ca?: readonly string[] | undefined;
  /** A connection silent this long fails with code ETIMEDOUT, ms. */
  readonly idleTimeout_ms: number;
}

/** Sends the request; rejects with the socket's error (its `code` kept) when there is no answer. */
export function sendText(url: URL, r: TextRequest): Promise<TextAnswer> {
  const headers = { ...r.headers, ...(r.body !== undefined ? { 'content-length': String(Buffer.byteLength(r.body)) } : {}) };
  return new Promise<TextAnswer>((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { method: r.method, headers, ...(r.ca ? { ca: [...r.ca] } : {}) }, onResponse)
        : httpRequest(url, { method: r.method, headers }, onResponse);
    req.setTimeout(r.idleTimeout_ms, () =>
      req.destroy(Object.assign(new Error(`no answer within ${r.idleTimeout_ms / 1000} s`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
    req.end(r.body);
  });
}
