/**
 * A per-token rate limit (@fastify/rate-limit): every authenticated route counts the requests of one
 * bearer token (keyed by the token's SHA-256, never its text), or of the client address without one, in
 * a sliding minute; past the limit the answer is 429 ANVIL_ERR_RATE_LIMITED with `Retry-After` (seconds).
 * Public routes (health, readiness, the OpenAPI document, the scheduler extender, which kube-scheduler
 * calls for every pod) are not counted.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AnvilError } from '../errors.js';

/** `anvil serve`'s default: requests per minute per token (a CLI command takes a few; a script loop many). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1200;

/** Parses `--rate-limit`: `N/min`, `N/s` or `N` (per minute); 0 turns the limit off. Returns requests per minute. */
export function parseRateLimit(text: string): number {
  const m = /^(\d{1,9})(?:\/(min|s))?$/.exec(text.trim());
  if (!m)
    throw new AnvilError('ANVIL_ERR_USAGE', `--rate-limit ${text} is not a rate; write N/min (e.g. 1200/min), N/s, or 0 for no limit`);
  return Number(m[1]) * (m[2] === 's' ? 60 : 1);
}

function keyOf(req: FastifyRequest): string {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m ? `token:${createHash('sha256').update(m[1]!).digest('hex')}` : `ip:${req.ip}`;
}

const isPublic = (req: FastifyRequest): boolean => {
  const url = req.routeOptions.url;
  return req.routeOptions.config.public === true || url === undefined || url === '/docs' || url.startsWith('/docs/');
};

/** Installs the limit (register before the routes); `perMinute` 0 or undefined leaves the server unlimited. */
export async function installRateLimit(app: FastifyInstance, perMinute: number | undefined): Promise<void> {
  if (perMinute === undefined || perMinute <= 0) return;
  // Loaded here, not at the top: the CLI imports this file for `serve`'s flag and starts faster without it.
  const { default: rateLimit } = await import('@fastify/rate-limit');
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: keyOf,
    allowList: (req) => isPublic(req),
    errorResponseBuilder: (_req, ctx) =>
      new AnvilError(
        'ANVIL_ERR_RATE_LIMITED',
        `more than ${ctx.max} requests a minute with this token; retry after ${ctx.after} (the Retry-After header), or ask the administrator to raise anvil serve --rate-limit`,
      ),
  });
}
