/** The CLI's HTTP client for an Anvil server: coded errors come back as AnvilErrors, unreachable servers as ANVIL_ERR_SERVER. */
import { AnvilError, ERRORS, type ErrorCode } from '../errors.js';

export async function request<T>(server: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  const url = new URL(path, server.endsWith('/') ? server : `${server}/`);
  try {
    res = await fetch(url, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  } catch (e) {
    throw new AnvilError('ANVIL_ERR_SERVER', `cannot reach ${url.origin}: ${(e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message}; check --server (or ANVIL_SERVER) and that anvil serve runs there`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AnvilError('ANVIL_ERR_SERVER', `${url.origin} answered ${res.status} with something that is not JSON; is it an Anvil server?`);
  }
  if (!res.ok) {
    const e = json as { code?: string; message?: string; details?: string[] };
    if (e.code && e.code in ERRORS) throw new AnvilError(e.code as ErrorCode, e.message ?? '', e.details ?? []);
    throw new AnvilError('ANVIL_ERR_SERVER', `${url.origin} answered ${res.status}: ${text.slice(0, 200)}`);
  }
  return json as T;
}

export function whoami(server: string, token: string): Promise<{ user: string; roles: string[] }> {
  return request(server, token, 'GET', 'api/v1/whoami');
}
