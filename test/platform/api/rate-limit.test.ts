/**
 * Issue 11, point 4: a per-token rate limit. Past the limit a token is answered 429 ANVIL_ERR_RATE_LIMITED
 * with Retry-After; another token, and the public routes, are not held back; 0 turns it off.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer, bootstrapAdmin } from '../../../platform/api/server.js';
import { parseRateLimit } from '../../../platform/api/rate-limit.js';
import { caughtAnvilError } from '../../caught.js';
import type { FastifyInstance } from 'fastify';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function served(rateLimitPerMinute: number) {
  const built = await buildServer({ statePath: ':memory:', rateLimitPerMinute });
  app = built.app;
  const first = bootstrapAdmin(built.api)!;
  const second = built.api.tokens.issue('admin', 'second', 'admin').token;
  const get = (url: string, token?: string) =>
    built.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { first, second, get };
}

describe('the per-token rate limit', () => {
  it('answers 429 with Retry-After and a coded body past the limit, for that token only', async () => {
    const { first, second, get } = await served(5);
    for (let i = 0; i < 5; i++) expect((await get('/apis/anvil.dev/v1/whoami', first)).statusCode).toBe(200);
    const limited = await get('/apis/anvil.dev/v1/whoami', first);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json()).toMatchObject({ code: 'ANVIL_ERR_RATE_LIMITED' });
    expect(limited.json().message).toMatch(/more than 5 requests a minute/);
    expect((await get('/apis/anvil.dev/v1/whoami', second)).statusCode).toBe(200);
    for (let i = 0; i < 10; i++) expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('is off with 0', async () => {
    const { first, get } = await served(0);
    for (let i = 0; i < 30; i++) expect((await get('/apis/anvil.dev/v1/whoami', first)).statusCode).toBe(200);
  });

  it('--rate-limit takes N/min, N/s and N, and refuses anything else with a usage error', () => {
    expect(parseRateLimit('600/min')).toBe(600);
    expect(parseRateLimit('10/s')).toBe(600);
    expect(parseRateLimit('0')).toBe(0);
    expect(caughtAnvilError(() => parseRateLimit('fast'))).toMatchObject({ code: 'ANVIL_ERR_USAGE' });
  });
});
