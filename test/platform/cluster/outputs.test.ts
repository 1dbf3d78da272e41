/**
 * Issue 13, the cluster run's outputs (`anvil run SCENARIO --out DIR`): the network flows per interval in
 * `flows.arrow`; per node its drives (`drives.arrow`, on diy too) and its NIC ports with their VFs
 * (`links.arrow`); per tenant and volume the summary's roll-ups, which the job tables' label columns give
 * again per interval. Every table is read back with Polars (an Arrow reader independent of the writer's),
 * in compare mode too (the stack column), and the files are byte-identical for the same seed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { anvilInProcess, tempDir } from '../../cli-harness.js';
import { scenarioFile, shortenedScenario } from './scenario-files.js';
import { sharedPortScenario, VICTIM_MIN_BITS } from './network-scenario.js';

const FIXED_TIME = { SOURCE_DATE_EPOCH: '1700000000' };

interface Direction {
  iops: number;
  bw_bytes_per_s: number;
  clat_p99_ns?: number;
}
interface StackSummary {
  stack: string;
  pods: { pod: string; state: string; node?: string; iops?: number; read_clat_p99_ns?: number; write_clat_p99_ns?: number }[];
  tenants: { tenant: string; read: Direction; write: Direction }[];
  volumes: { volume: string; tenant: string; read: Direction; write: Direction }[];
  drives: { drive: string; node: string; ios_per_s: number; units_per_s?: number; busy_fraction?: number }[];
  ports: { node: string; port: string; role: string; vfs_used: number; vfs_total: number; tx_utilisation: number }[];
  nodes: { node: string; application_ns: number }[];
  network: {
    flows: {
      from: string;
      to: string;
      tenant: string;
      from_node: string;
      to_node: string;
      delivered_bits_per_s: number;
      min_bits_per_s: number;
    }[];
    links: { link: string; tx_utilisation: number; rx_utilisation: number }[];
  };
}
interface CompareSummary {
  stacks: string[];
  by_stack: Record<string, StackSummary>;
}

/** Runs `args` with `--out`; the summary (anvil_scenario), each file's bytes, and a Polars reader of a table. */
async function runOut(args: readonly string[]) {
  const out = join(tempDir('anvil-outputs-'), 'out');
  const r = await anvilInProcess(['run', ...args, '--output-format', 'json', '--out', out], FIXED_TIME);
  expect(r.stderr).not.toContain('ANVIL_ERR');
  expect(r.code).toBe(0);
  const files = readdirSync(out).sort();
  const doc = JSON.parse(r.stdout) as { anvil_scenario: unknown; jobs: { jobname: string }[] };
  return {
    summary: doc.anvil_scenario,
    files,
    bytes: files.map((f) => readFileSync(join(out, f))),
    table: (name: string) => pl.readIPC(readFileSync(join(out, name))),
  };
}

type Row = Record<string, string | number>;
const rows = (df: pl.DataFrame) => df.toRecords() as Row[];

describe('flows.arrow: the network flows per interval', () => {
  it('has one row per flow and interval and one per flow for its window, on both stacks, agreeing with the summary', async () => {
    const file = scenarioFile(sharedPortScenario({ victimRate: 'saturate', hogs: 1, duration: '60ms' }));
    const first = await runOut([file, '--stack', 'hci,diy', '--seed', '4']);
    const flows = first.table('flows.arrow');
    expect(flows.columns.slice(0, 6)).toEqual(['stack', 'from', 'to', 'tenant', 'from_node', 'to_node']);
    // Counts, sizes and ns times are integers; rates stay floats.
    expect(
      ['time_ns', 'interval_ns', 'messages', 'message_bytes', 'delivered_bits_per_s'].map((c) => String(flows.getColumn(c).dtype)),
    ).toEqual([...Array<string>(4).fill(String(pl.Int64)), String(pl.Float64)]);
    const summary = first.summary as CompareSummary;
    expect(summary.stacks).toEqual(['hci', 'diy']);
    for (const stack of summary.stacks) {
      const sFlows = summary.by_stack[stack]!.network.flows;
      expect(sFlows).toHaveLength(2);
      for (const f of sFlows) {
        const mine = rows(
          flows.filter(
            pl
              .col('stack')
              .eq(pl.lit(stack))
              .and(pl.col('from').eq(pl.lit(f.from))),
          ),
        );
        const intervals = mine.filter((r) => r.scope === 'interval');
        const [window] = mine.filter((r) => r.scope === 'window');
        // 10 ms of warm-up, then 50 ms in 10 ms rows; the window row spans them all, as a jobs.arrow row does.
        expect(intervals.map((r) => [r.time_ns, r.interval_ns])).toEqual([10, 20, 30, 40, 50].map((t) => [(t + 10) * 1e6, 10e6]));
        expect(window).toMatchObject({ time_ns: 60e6, interval_ns: 50e6, to: f.to, tenant: f.tenant });
        expect(intervals.reduce((n, r) => n + (r.messages as number), 0)).toBe(window!.messages);
        expect(window!.messages).toBeGreaterThan(0);
        expect(Math.abs((window!.delivered_bits_per_s as number) - f.delivered_bits_per_s)).toBeLessThanOrEqual(1);
        // The intervals' rates, weighted by their lengths, are the window's.
        const weighted = intervals.reduce((n, r) => n + (r.delivered_bits_per_s as number) * (r.interval_ns as number), 0) / 50e6;
        expect(weighted).toBeCloseTo(window!.delivered_bits_per_s as number, 0);
        for (const r of mine) {
          expect(r.from_node).toBe('node-a');
          expect(r.to_node).toBe('node-b');
          expect(r.links).toBe('node-a/pod0,node-b/pod0');
          expect(r.mode).toBe('saturate');
        }
      }
    }
    // The victim's floor is the platform's on hci; diy has none.
    const victimMin = (stack: string) =>
      rows(
        flows.filter(
          pl
            .col('stack')
            .eq(pl.lit(stack))
            .and(pl.col('from').eq(pl.lit('web/victim'))),
        ),
      )[0]!.min_bits_per_s;
    expect(victimMin('hci')).toBe(VICTIM_MIN_BITS);
    expect(victimMin('diy')).toBe(0);
    expect(summary.by_stack.hci!.network.flows[0]).toMatchObject({ tenant: 'web', from_node: 'node-a', to_node: 'node-b' });

    // The same seed gives the same bytes in every file, the new tables among them.
    const second = await runOut([file, '--stack', 'hci,diy', '--seed', '4']);
    expect(first.files).toEqual(expect.arrayContaining(['flows.arrow', 'drives.arrow', 'links.arrow', 'nodes.arrow']));
    expect(second.files).toEqual(first.files);
    second.bytes.forEach((b, i) => expect(b.equals(first.bytes[i]!), first.files[i]).toBe(true));
    // nodes.arrow: core times in whole ns (Int64), matching the summary's to the ns.
    const nodes = first.table('nodes.arrow');
    expect(['cores', 'application_ns', 'application_cores'].map((c) => String(nodes.getColumn(c).dtype))).toEqual(
      [pl.Int32, pl.Int64, pl.Float64].map(String),
    );
    const hciNodes = summary.by_stack.hci!.nodes;
    const hciRows = rows(nodes.filter(pl.col('stack').eq(pl.lit('hci'))));
    expect(hciRows.map((r) => Number(r.application_ns))).toEqual(hciNodes.map((n) => Math.round(n.application_ns)));
  });
});

describe('links.arrow: every NIC port with its utilisation and VFs', () => {
  it("gives each port's busy shares as the summary does and, on hci, the VFs the pods' interfaces hold", async () => {
    const file = scenarioFile(sharedPortScenario({ victimRate: 'saturate', hogs: 1, duration: '40ms' }));
    const r = await runOut([file, '--stack', 'hci,diy']);
    const links = r.table('links.arrow');
    const summary = r.summary as CompareSummary;
    for (const stack of ['hci', 'diy']) {
      const s = summary.by_stack[stack]!;
      const mine = rows(links.filter(pl.col('stack').eq(pl.lit(stack))));
      // Every port of both nodes (a pod port and a storage port each, appliance-d10), busy or not.
      expect(mine.map((l) => `${l.node}/${l.port} ${l.role}`)).toEqual([
        'node-a/pod0 pods',
        'node-a/storage0 storage',
        'node-b/pod0 pods',
        'node-b/storage0 storage',
      ]);
      for (const busy of s.network.links) {
        const row = mine.find((l) => `${l.node}/${l.port}` === busy.link)!;
        expect([row.tx_utilisation, row.rx_utilisation]).toEqual([busy.tx_utilisation, busy.rx_utilisation]);
      }
      // Both saturating flows leave node-a on its pod port: its transmit line is busy nearly all the time.
      expect(mine[0]!.tx_utilisation).toBeGreaterThan(0.7);
      // One interface per running pod on its node's pod port on hci (the platform's VFs); diy pods use veth.
      for (const node of ['node-a', 'node-b']) {
        const pods = s.pods.filter((p) => p.state === 'running' && p.node === node).length;
        const pod0 = mine.find((l) => l.node === node && l.port === 'pod0')!;
        expect(pods).toBe(2);
        expect(pod0.vfs_used).toBe(stack === 'hci' ? pods : 0);
        // The node profile's 63 pod interfaces (platform/node-profiles/appliance-d10.yaml).
        expect(pod0.vfs_total).toBe(63);
      }
    }
    const text = await anvilInProcess(['run', file, '--stack', 'hci'], FIXED_TIME);
    expect(text.stdout).toContain('port node-a/pod0: 2 of 63 VFs in use\n');
  });
});

describe('drives.arrow: per drive on both stacks', () => {
  it('gives diy drive rows too: the primary serves reads and writes, the replica the writes alone', async () => {
    const file = shortenedScenario('shared-ports', { duration: '300ms', warmup: '50ms', interval: '50ms' });
    const r = await runOut([file, '--stack', 'hci,diy']);
    const drives = r.table('drives.arrow');
    expect(drives.columns).toEqual(['stack', 'node', 'drive', 'ios_per_s', 'busy_fraction', 'qos_units_per_s']);
    const summary = r.summary as CompareSummary;
    for (const stack of ['hci', 'diy']) {
      const mine = rows(drives.filter(pl.col('stack').eq(pl.lit(stack))));
      const s = summary.by_stack[stack]!;
      // The database's mirrored volume: a plex (copy) on each node's drive.
      expect(mine.map((d) => [d.node, d.drive])).toEqual([
        ['node-1', 'node-1/nvme0'],
        ['node-2', 'node-2/nvme0'],
      ]);
      expect(s.drives.map((d) => d.drive)).toEqual(['node-1/nvme0', 'node-2/nvme0']);
      const db = s.tenants.find((t) => t.tenant === 'web')!;
      const [local, remote] = mine;
      // The pod's node holds the primary (diy) or local plex (hci): every read and every write. The other
      // node's copy takes the writes alone. Drive rows count the whole run, the pod's the window: 5%.
      expect(local!.ios_per_s).toBeGreaterThan(0.95 * (db.read.iops + db.write.iops));
      expect(local!.ios_per_s).toBeLessThan(1.05 * (db.read.iops + db.write.iops));
      expect(remote!.ios_per_s).toBeGreaterThan(0.95 * db.write.iops);
      expect(remote!.ios_per_s).toBeLessThan(1.05 * db.write.iops);
      for (const d of mine) {
        expect(d.busy_fraction).toBeGreaterThan(0);
        expect(d.busy_fraction).toBeLessThanOrEqual(1);
        // 4K I/Os cost one QoS unit each on hci; diy has no QoS.
        if (stack === 'hci') expect(Math.abs((d.qos_units_per_s as number) / (d.ios_per_s as number) - 1)).toBeLessThan(0.01);
        else expect(d.qos_units_per_s).toBe(0);
      }
    }
    const text = await anvilInProcess(['run', file, '--stack', 'diy'], FIXED_TIME);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^drive node-1\/nvme0: \S+ I\/Os a second, no storage QoS \(diy: .*\), busy \d+\.\d% of the run$/m);
    expect(text.stdout).toMatch(/^drive node-2\/nvme0: .*, busy \d+\.\d% of the run$/m);
    // Compare mode's text puts each tenant's figures on both stacks side by side.
    const compared = await anvilInProcess(['run', file], FIXED_TIME);
    expect(compared.stdout).toMatch(/^tenant web: hci read IOPS=\S+ BW=.* p99=.* \| diy read IOPS=\S+ BW=.* p99=/m);
  });
});

describe('per tenant and per volume', () => {
  it("rolls each tenant's and volume's jobs up in the summary, as the job tables' label columns give them", async () => {
    const file = shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' });
    const r = await runOut([file, '--stack', 'hci']);
    const s = r.summary as StackSummary;
    expect(s.tenants.map((t) => t.tenant)).toEqual(['batch', 'shop']);
    expect(s.volumes.map((v) => [v.volume, v.tenant])).toEqual([
      ['batch/scratch', 'batch'],
      ['shop/orders', 'shop'],
      ['shop/stock', 'shop'],
    ]);
    // The summary's per pod IOPS add up to its tenant's (each rounded: 1 per pod).
    const pod = (name: string) => s.pods.find((p) => p.pod === name)!;
    const shop = s.tenants.find((t) => t.tenant === 'shop')!;
    expect(Math.abs(shop.read.iops + shop.write.iops - pod('shop/orders-db').iops! - pod('shop/stock-db').iops!)).toBeLessThanOrEqual(3);
    const orders = s.volumes.find((v) => v.volume === 'shop/orders')!;
    expect(Math.abs(orders.read.iops + orders.write.iops - pod('shop/orders-db').iops!)).toBeLessThanOrEqual(2);

    // The same from the tables: jobs.arrow's I/Os by tenant over the window, and the p99 of the tenant's
    // latency_histogram.arrow buckets added together.
    const jobs = r.table('jobs.arrow');
    const hist = r.table('latency_histogram.arrow');
    for (const t of s.tenants)
      for (const dir of ['read', 'write'] as const) {
        const mine = rows(
          jobs.filter(
            pl
              .col('tenant')
              .eq(pl.lit(t.tenant))
              .and(pl.col('direction').eq(pl.lit(dir))),
          ),
        );
        const ios = mine.reduce((n, j) => n + (j.total_ios as number), 0);
        const window = mine[0]!.runtime_ns as number;
        expect(Math.abs(t[dir].iops - (ios * 1e9) / window)).toBeLessThanOrEqual(0.5);
        const buckets = rows(
          hist
            .filter(
              pl
                .col('tenant')
                .eq(pl.lit(t.tenant))
                .and(pl.col('direction').eq(pl.lit(dir))),
            )
            .groupBy('bucket_value_ns')
            .agg(pl.col('count').sum())
            .sort('bucket_value_ns'),
        );
        if (ios === 0) {
          expect(t[dir].clat_p99_ns).toBeUndefined();
          continue;
        }
        let seen = 0;
        const p99 = buckets.find((b) => (seen += b.count as number) >= 0.99 * ios)!.bucket_value_ns;
        expect(t[dir].clat_p99_ns).toBe(p99);
      }
    // Two databases with the same job: the tenant's write p99 lies between theirs.
    const p99s = [pod('shop/orders-db').write_clat_p99_ns!, pod('shop/stock-db').write_clat_p99_ns!];
    expect(shop.write.clat_p99_ns).toBeGreaterThanOrEqual(Math.min(...p99s));
    expect(shop.write.clat_p99_ns).toBeLessThanOrEqual(Math.max(...p99s));

    // Over time: intervals.arrow grouped by tenant and interval end gives each tenant's series.
    const series = rows(
      r
        .table('intervals.arrow')
        .groupBy(['tenant', 'time_ns'])
        .agg(pl.col('ios').sum())
        .filter(pl.col('tenant').eq(pl.lit('shop')))
        .sort('time_ns'),
    );
    expect(series.map((x) => x.time_ns)).toEqual([100e6, 150e6, 200e6, 250e6, 300e6]);
    const shopIos = rows(jobs.filter(pl.col('tenant').eq(pl.lit('shop')))).reduce((n, j) => n + (j.total_ios as number), 0);
    expect(series.reduce((n, x) => n + (x.ios as number), 0)).toBe(shopIos);

    // A scenario without flows still writes flows.arrow: its columns, no rows.
    const noFlows = r.table('flows.arrow');
    expect(noFlows.height).toBe(0);
    expect(noFlows.columns).toContain('scope');

    const text = await anvilInProcess(['run', file, '--stack', 'hci'], FIXED_TIME);
    expect(text.stdout).toMatch(/^tenant shop: read IOPS=\S+ BW=\S+ \S+ p99=\S+ \S+, write IOPS=/m);
  });
});
