/** fio servers on loopback addresses for the multi-host tests, started on free ports and waited for (bounded). */
import { createServer } from 'node:net';
import { startBackground, type Background } from '../../../bench/targets/host/bounded-process.js';
import { checkServer, parseServer } from '../../../bench/targets/host/run-on-hosts.js';

/** A TCP port free on `address` now. */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, address, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts `fio --server` on each of `ips` (pushing each onto `servers`, so the caller's afterAll stops them
 * even if a later start fails), waits for each to answer, and returns their `ip:port`.
 */
export async function startFioServers(ips: readonly string[], servers: Background[], timeout_ms: number): Promise<string[]> {
  const addresses: string[] = [];
  for (const ip of ips) {
    const port = await freePort(ip);
    servers.push(startBackground('fio', [`--server=ip:${ip},${port}`], { timeout_ms, label: `fio server ${ip}:${port}` }));
    addresses.push(`${ip}:${port}`);
  }
  // fio starts slowly on a loaded machine: wait for each (bounded only against a hang), and fail if one never answers.
  const deadline = Date.now() + 120_000;
  for (const a of addresses) {
    for (;;) {
      try {
        await checkServer(parseServer(a), 1000);
        break;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`fio server ${a} did not answer within 120 s: ${(e as Error).message}`, { cause: e });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return addresses;
}
