/**
 * The server's own time for a route, read from Anvil's request duration histogram
 * (`anvil_http_request_duration_seconds` in /metrics, Prometheus text format) scraped before and after a
 * bench's calls: what the server took from a request reaching its route's hooks to the answer handed to the
 * socket. Outside it: the wire, the client, and the server's own wait before the route (its event loop busy
 * with another call, a collection, the HTTP parser).
 */

/** Per bound (seconds, as printed), answers counted at or under it so far: POSTs to `route`, from Anvil's /metrics text. */
export function postDurationBuckets(metricsText: string, route: string): Map<string, number> {
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

/** What `serverP99Bound` tells of a route's POSTs between two scrapes. */
export interface ServerP99 {
  /** The least bucket bound (ms) within which 99% of them were answered; null when 99% lie past the largest. */
  readonly bound_ms: number | null;
  /** The fraction (0-1) answered within `bound_ms`. */
  readonly share: number;
  /** POSTs answered between the scrapes. */
  readonly answers: number;
}

/** The server's own time for POSTs to `route` between two scrapes of /metrics (`before`, `after`); null when there were none. */
export function serverP99Bound(before: string, after: string, route: string): ServerP99 | null {
  const b = postDurationBuckets(before, route);
  const a = postDurationBuckets(after, route);
  const total = (a.get('+Inf') ?? 0) - (b.get('+Inf') ?? 0);
  if (total <= 0) return null;
  for (const [le, n] of a) {
    if (le === '+Inf') continue;
    const within = n - (b.get(le) ?? 0);
    if (within >= 0.99 * total) return { bound_ms: Number(le) * 1000, share: within / total, answers: total };
  }
  return { bound_ms: null, share: 1, answers: total };
}
