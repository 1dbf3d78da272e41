/**
 * Issue 14's regression suite, bench/scenarios/qos/, checked as a QA engineer checks it: `anvil check
 * bench/scenarios/qos` (the CLI's own entry, in process). It passes on the appliance stack; on the DIY stack
 * exactly the guarantees DIY cannot keep fail (by SLA name) and the rest pass; with the storage QoS's mClock
 * swapped for a plain FIFO (`--storage-scheduler fifo`, a declared broken QoS) the suite fails, naming each
 * SLA broken with its measured figure against its limit. Fixed seeds: every figure is the model's, the same
 * on every machine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SlaVerdict } from '../../bench/check/evaluate.js';
import { formatFigure, type VerdictsDocument } from '../../bench/check/verdict-report.js';
import { anvilInProcess, tempDir } from '../cli-harness.js';

const SUITE = join('bench', 'scenarios', 'qos');
const FIXED_TIME = { SOURCE_DATE_EPOCH: '1700000000' };

/**
 * What DIY cannot keep: no storage floor or tail under contention (noisy neighbour, tiers, mirror, resync), a
 * degraded mirror's write tail (its replica writes cross the block store's daemons), and no VF minimum on its
 * overlay network. It keeps the admission (the platform's, alike on both stacks), the remote volume's reads
 * (its primary copy is on the pod's node) and the resync's write tail within 3.5 ms.
 */
const DIY_BREAKS = [
  'mw-wal-floor',
  'mw-wal-write-latency',
  'nf-degraded-write-latency',
  'nf-journal-floor',
  'ni-encoder-bandwidth',
  'nn-orders-floor',
  'nn-orders-latency',
  'ti-gold-floor',
  'ti-gold-latency',
];

/** What the storage QoS keeps on hci: a FIFO in its place breaks every storage floor and latency under contention. */
const FIFO_BREAKS = [
  'mw-wal-floor',
  'mw-wal-write-latency',
  'nf-journal-floor',
  'nf-resync-write-latency',
  'nn-orders-floor',
  'nn-orders-latency',
  'rv-catalog-read-latency',
  'ti-gold-floor',
  'ti-gold-latency',
];

interface Checked {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
  readonly doc: VerdictsDocument;
  readonly verdicts: readonly SlaVerdict[];
}

async function checkSuite(...flags: string[]): Promise<Checked> {
  const out = tempDir('anvil-qos-suite-');
  const r = await anvilInProcess(['check', SUITE, ...flags, '--out', out], FIXED_TIME);
  const doc = JSON.parse(readFileSync(join(out, 'verdicts.json'), 'utf8')) as VerdictsDocument;
  return { ...r, out, doc, verdicts: doc.runs.flatMap((x) => x.verdicts) };
}

const failedSlas = (c: Checked) => [...new Set(c.verdicts.filter((v) => v.status === 'fail').map((v) => v.sla))].sort();

describe('the QoS regression suite (bench/scenarios/qos)', () => {
  const scenarios = readdirSync(SUITE).filter((f) => f.endsWith('.yaml'));
  let hci: Checked;
  let diy: Checked;
  let fifo: Checked;
  beforeAll(async () => {
    // The suite's scenarios name hci: a plain `anvil check bench/scenarios/qos` checks the appliance.
    hci = await checkSuite();
    diy = await checkSuite('--stack', 'diy');
    fifo = await checkSuite('--stack', 'hci', '--storage-scheduler', 'fifo');
  });

  it('covers each guarantee the issue names, one scenario each, every one with SLAs', () => {
    expect(scenarios.sort()).toEqual([
      'admission.yaml',
      'mirrored-write.yaml',
      'network-isolation.yaml',
      'node-failure-resync.yaml',
      'noisy-neighbour.yaml',
      'remote-volume.yaml',
      'tier-isolation.yaml',
    ]);
    expect(new Set(hci.doc.runs.map((r) => r.file.split('/').pop()))).toEqual(new Set(scenarios));
    for (const run of hci.doc.runs) expect(run.verdicts.length, run.file).toBeGreaterThan(0);
  });

  it('passes on the appliance stack: every SLA judged, none failed, exit 0', () => {
    expect(hci.stderr).not.toMatch(/ANVIL_ERR/);
    expect(new Set(hci.doc.runs.map((r) => r.stack))).toEqual(new Set(['hci']));
    expect(hci.code).toBe(0);
    expect(hci.verdicts.map((v) => `${v.sla} ${v.status}`).filter((x) => !x.endsWith(' pass'))).toEqual([]);
  });

  it('asserts the refusal of the oversubscribing pod as an SLA check, with the scheduler’s reason', () => {
    const refused = hci.verdicts.find((v) => v.sla === 'ad-third-refused')!;
    expect(refused).toMatchObject({ check: 'max_admitted_pods', unit: 'pods', measured: 0, limit: 0, status: 'pass' });
    expect(refused.where).toMatch(/pending analytics\/query-3 \(.*perf-tier admission \(storage IOPS\)/);
    expect(hci.verdicts.find((v) => v.sla === 'ad-two-admitted')).toMatchObject({ check: 'min_admitted_pods', measured: 2 });
  });

  it('on the DIY stack fails exactly the guarantees DIY cannot keep, and passes the rest', () => {
    expect(diy.code).toBe(1);
    expect(failedSlas(diy)).toEqual(DIY_BREAKS);
    const others = diy.verdicts.filter((v) => !DIY_BREAKS.includes(v.sla));
    expect(others.length).toBeGreaterThan(0);
    for (const v of others) expect(`${v.sla} ${v.check}: ${v.status}`).toBe(`${v.sla} ${v.check}: pass`);
    for (const sla of DIY_BREAKS) expect(diy.stderr).toMatch(new RegExp(`^  ${sla} \\(\\S+\\.yaml, diy, seed \\d+\\): `, 'm'));
  });

  it('with a FIFO in place of mClock fails, naming each SLA broken with its figure against its limit', () => {
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toMatch(
      /note: \S+: storage QoS scheduler fifo on hci: the tiers' reservations, limits and weights are not applied/,
    );
    expect(failedSlas(fifo)).toEqual(FIFO_BREAKS);
    for (const v of fifo.verdicts.filter((x) => x.status === 'fail')) {
      // The message names the SLA, its measured figure, the figure allowed and the limit, and by how much it missed.
      const line = fifo.stderr.split('\n').find((l) => l.startsWith(`  ${v.sla} (`) && l.includes(formatFigure(v.measured!, v.unit)));
      expect(line, `${v.sla} ${v.check}`).toBeDefined();
      const relation = v.check.startsWith('min_') ? '<' : '>';
      expect(line).toContain(`${formatFigure(v.measured!, v.unit)} ${relation} ${formatFigure(v.allowed, v.unit)}`);
      expect(line).toMatch(/, margin -\d+(\.\d+)?%/);
      if (v.tolerance > 0) expect(line).toContain(`(limit ${formatFigure(v.limit, v.unit)} with tolerance`);
      // And the miss is real: beyond the allowed figure, on the wrong side.
      if (relation === '<') expect(v.measured!).toBeLessThan(v.allowed);
      else expect(v.measured!).toBeGreaterThan(v.allowed);
    }
    // The summary of each hci run says which scheduler ran, so a results folder cannot pass for mClock's.
    const summary = JSON.parse(readFileSync(join(fifo.out, 'noisy-neighbour', 'hci', 'seed-101', 'summary.json'), 'utf8')) as {
      anvil: { scenario: { storage_scheduler?: string } };
    };
    expect(summary.anvil.scenario.storage_scheduler).toBe('fifo');
  });

  it('refuses a scheduler it does not have, naming the ones it has', async () => {
    const r = await anvilInProcess(['check', SUITE, '--storage-scheduler', 'wfq']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /'--storage-scheduler <name>' argument 'wfq' is invalid: allowed choices are mclock, fifo; see anvil check --help/,
    );
  });

  it('refuses a scheduler with --results, which judges runs already made', async () => {
    const r = await anvilInProcess(['check', SUITE, '--results', hci.out, '--storage-scheduler', 'fifo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^ANVIL_ERR_CHECK_INPUT: --storage-scheduler fifo says how the runs run, and --results judges runs already made/,
    );
  });

  it("gives each pod's and volume's tier in the run summary, so verdicts read per tier", () => {
    const summary = JSON.parse(readFileSync(join(hci.out, 'tier-isolation', 'hci', 'seed-102', 'summary.json'), 'utf8')) as {
      anvil: {
        scenario: { storage_scheduler?: string; pods: { pod: string; tier: string }[]; volumes: { volume: string; tier?: string }[] };
      };
    };
    const s = summary.anvil.scenario;
    expect(s.storage_scheduler).toBeUndefined();
    expect(Object.fromEntries(s.pods.map((p) => [p.pod, p.tier]))).toEqual({
      'gold-co/gold-1': 'gold',
      'gold-co/gold-2': 'gold',
      'silver-co/silver-1': 'silver',
      'silver-co/silver-2': 'silver',
      'bulk-co/bulk': 'best-effort',
    });
    expect(Object.fromEntries(s.volumes.map((v) => [v.volume, v.tier]))).toEqual({
      'bulk-co/b1': 'best-effort',
      'gold-co/g1': 'gold',
      'gold-co/g2': 'gold',
      'silver-co/s1': 'silver',
      'silver-co/s2': 'silver',
    });
  });
});
