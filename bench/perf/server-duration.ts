/**
 * The server's own time for a route, read from Anvil's request duration histogram
 * (`anvil_http_request_duration_seconds` in /metrics, Prometheus text format) scraped before and after a
 * bench's calls: what the server took from a request's arrival at its route to the answer handed to the
 * socket, without the wire or the client.
 */

/** Per bound (seconds, as printed), answers counted at or under it so far: `route`'s POST duration histogram in Anvil's /metrics text. */
export function durationBuckets(metricsText: string, route: string): Map<string, number> {
  const counts = new Map<string, number>();
  const line = /^anvil_http_request_duration_seconds_bucket\{(.*)\} (\d+)$/;
  for (const text of metricsText.split('\n')) {
    const m = line.exec(text);
    if (!m || !m[1]!.includes(`route="${route}"`) || !m[1]!.includes('method="POST"')) continue;
    const le = /le="([^"]+)"/.exec(m[1]!)?.[1];
    if (le !== undefined) counts.set(le, Number(m[2]));
  }
  return counts;
}

/**
 * The server's own time for `route` over a cycle, from its duration histogram scraped before and after:
 * the least bucket bound within which 99% of the cycle's answers were sent (ms), and the share within it.
 * From the request's arrival at the route to its answer handed to the socket: the wire and the client are not in it.
 */
export function serverP99Bound(before: string, after: string, route: string): { bound_ms: number; share: number; answers: number } | null {
  const b = durationBuckets(before, route);
  const a = durationBuckets(after, route);
  const total = (a.get('+Inf') ?? 0) - (b.get('+Inf') ?? 0);
  if (total <= 0) return null;
  for (const [le, n] of a) {
    if (le === '+Inf') continue;
    const within = n - (b.get(le) ?? 0);
    if (within >= 0.99 * total) return { bound_ms: Number(le) * 1000, share: within / total, answers: total };
  }
  return { bound_ms: Infinity, share: 1, answers: total };
}
