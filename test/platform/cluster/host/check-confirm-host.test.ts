/**
 * Issue 14, "on hardware, confirmation rounds run by themselves": `anvil check --target host --baseline
 * DIR` of a small capped pod (one-pod-capped.yaml, 3 s) against a baseline of itself made on this host:
 * its SLA is OK (or identical) and nothing regressed, if need be after confirmation rounds (the pod,
 * compared at 5%, often needs them), and each round it ran is a run folder beside the seed's
 * (seed-1.round-2, ...) counted in the comparison. Needs root, fio and losetup: runs in CI, skips elsewhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import type { StackComparison } from '../../../../bench/check/baseline-report.js';
import { which } from '../../../../bench/targets/host/bounded-process.js';
import { tempDir } from '../../../cli-harness.js';
import { needs } from '../../../needs.js';
import { anvilCli, oneHostFileAtATime } from './host-leftovers.js';

const SCENARIO = join(import.meta.dirname, 'one-pod-capped.yaml');
const canRun = process.getuid?.() === 0 && which('fio') !== undefined && which('losetup') !== undefined;
const needHost = needs('root, fio and losetup', canRun);

const anvil = anvilCli;

// Host runs of other files would show in this file's checks of the machine.
oneHostFileAtATime();

describe('anvil check --target host --baseline', () => {
  needHost(
    'checks a small host scenario against a baseline of itself as OK, running confirmation rounds while a comparison is inconclusive',
    () => {
      const baseline = tempDir('anvil-host-baseline-');
      const made = anvil(['check', SCENARIO, '--target', 'host', '--out', baseline]);
      expect(made.stderr).not.toMatch(/ANVIL_ERR/);
      expect(made.code).toBe(0);

      const out = tempDir('anvil-host-check-');
      const r = anvil(['check', SCENARIO, '--target', 'host', '--baseline', baseline, '--confirm-rounds', '2', '--out', out]);
      expect(r.stderr).not.toMatch(/ANVIL_ERR/);
      expect(r.code).toBe(0);
      const doc = JSON.parse(readFileSync(join(out, 'verdicts.json'), 'utf8')) as { baseline: StackComparison[] };
      const all = doc.baseline.flatMap((s) => s.comparisons);
      // The SLA (25% tolerance) is OK; no throughput comparison, the pod's at 5% either, is a regression. A
      // capped pod's p99 on a host moves with the machine's load (host-latency-compare.test.ts asserts it judged).
      const sla = all.find((c) => c.sla === 'reader-iops');
      expect(sla).toMatchObject({ check: 'min_iops' });
      const rounds = [...r.stderr.matchAll(/^confirmation round (\d+) of at most 2:/gm)].map((m) => Number(m[1]));
      // Inconclusive only once every allowed round ran: a machine whose load jumps between the baseline and
      // the check (seen at load 15) leaves the interval wide, and the check must then say it stopped at its bound.
      if (sla!.verdict === 'inconclusive') {
        expect(rounds).toEqual([1, 2]);
        expect(r.stderr).toMatch(/^confirmation: stopped at the bound of 2 rounds/m);
      } else expect(['ok', 'identical']).toContain(sla!.verdict);
      expect(all.filter((c) => c.verdict === 'regression' && !c.check.startsWith('max_latency'))).toEqual([]);
      // Each round the check said it ran is a run folder beside the seed's, and the comparison counted it.
      expect(rounds).toEqual(rounds.map((_, i) => i + 1));
      for (const round of rounds)
        expect(existsSync(join(out, 'one-pod-capped', 'hci', `seed-1.round-${round + 1}`, 'summary.json'))).toBe(true);
      if (rounds.length > 0) {
        expect(sla!.runs).toEqual({ baseline: 1, current: rounds.length + 1 });
        expect(r.stderr).toMatch(/^confirmation: (every comparison conclusive after \d+ rounds?|stopped at the bound of 2 rounds .*)$/m);
      } else expect(sla!.runs).toBeUndefined();
    },
  );
});
