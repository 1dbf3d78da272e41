/**
 * Issue 14, history for change-point detection: `anvil check --history DIR` appends one row per scenario
 * and stack to DIR/SCENARIO.STACK.csv in the shape Apache Otava's CSV importer reads (time, attributes,
 * one metric column per SLA check with the worst seed's figure); a file of other columns is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VerdictsDocument } from '../../bench/check/verdict-report.js';
import { anvilInProcess, tempDir } from '../cli-harness.js';
import { shortenedScenario } from './cluster/scenario-files.js';

const TIMES = { duration: '300ms', warmup: '50ms', interval: '50ms' };

describe('anvil check --history', () => {
  it("appends each night's figures to a CSV Otava reads, one column per SLA check", async () => {
    const file = shortenedScenario('noisy-neighbour', TIMES);
    const history = tempDir('anvil-history-');
    const out = tempDir('anvil-check-');
    const night = (epoch: string, extra: string[] = []) =>
      anvilInProcess(['check', file, '--stack', 'hci', '--seeds', '2', '--history', history, ...extra], { SOURCE_DATE_EPOCH: epoch });
    expect((await night('1700000000', ['--out', out])).code).toBe(0);
    expect((await night('1700086400')).code).toBe(0);

    const lines = readFileSync(join(history, 'noisy-neighbour.hci.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(
      'time,anvil_version,seeds,orders-iops.min_iops.interval,stock-iops.min_iops.interval,oltp-latency.max_latency_p99.run,oltp-latency.max_latency_p99.9.run',
    );
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^2023-11-14 22:13:20 \+0000,\d+\.\d+\.\d+,2,/);
    expect(lines[2]).toMatch(/^2023-11-15 22:13:20 \+0000,/);
    // Each metric is the worst seed's figure, as verdicts.json gives it.
    const doc = JSON.parse(readFileSync(join(out, 'verdicts.json'), 'utf8')) as VerdictsDocument;
    expect(lines[1]!.split(',').slice(3).map(Number)).toEqual(doc.checks.map((c) => c.worst!.measured));
    expect(lines[2]!.split(',').slice(3)).toEqual(lines[1]!.split(',').slice(3));
  });

  it('refuses to append to a history whose columns differ (the SLAs changed), naming both', async () => {
    const history = tempDir('anvil-history-');
    const before = shortenedScenario('noisy-neighbour', TIMES);
    expect((await anvilInProcess(['check', before, '--stack', 'hci', '--history', history])).code).toBe(0);
    const changed = shortenedScenario('noisy-neighbour', TIMES, '', [
      ['slas:\n', 'slas:\n  - { name: orders-run-iops, pod: orders-db, min_iops: 1000 }\n'],
    ]);
    const r = await anvilInProcess(['check', changed, '--stack', 'hci', '--history', history]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /ANVIL_ERR_OUTPUT: history \S+noisy-neighbour\.hci\.csv has the columns time,.*; this check's are time,anvil_version,seeds,orders-run-iops\.min_iops\.run,.*move the file aside/,
    );
    expect(readFileSync(join(history, 'noisy-neighbour.hci.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(2);
  });
});
