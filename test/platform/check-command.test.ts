/**
 * Issue 14: `anvil check SCENARIO|DIR...` runs scenarios through `anvil run`'s code, judges every SLA on the
 * results folder each run wrote, prints the verdict table, writes verdicts.json and JUnit XML, and exits 0
 * (every SLA held), 1 (one failed) or 2 (bad input). The scenarios are the reference ones shortened to a
 * few hundred simulated milliseconds; the JUnit XML is read by junit2json, a parser CI reporters use.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mergeToString } from 'junit-report-merger';
import { parse as parseJunit } from 'junit2json';
import { parse as parseTestResults } from 'test-results-parser';
import { describe, expect, it } from 'vitest';
import { readResultsEvidence } from '../../bench/check/results-evidence.js';
import type { VerdictsDocument } from '../../bench/check/verdict-report.js';
import { anvilInProcess, tempDir, writeFiles } from '../cli-harness.js';
import { shortenedScenario } from './cluster/scenario-files.js';

const FIXED_TIME = { SOURCE_DATE_EPOCH: '1700000000' };

/** bench/scenarios/noisy-neighbour.yaml in 300 ms, with a run-window IOPS SLA of orders-db added. */
const noisyNeighbour = () =>
  shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' }, '', [
    ['slas:\n', 'slas:\n  - { name: orders-run-iops, pod: orders-db, min_iops: 1000 }\n'],
  ]);

const verdictsOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'verdicts.json'), 'utf8')) as VerdictsDocument;

describe('anvil check', () => {
  it('judges every SLA of a scenario on its results: the table, verdicts.json, exit 0 when all hold on hci', async () => {
    const out = tempDir('anvil-check-');
    const r = await anvilInProcess(['check', noisyNeighbour(), '--stack', 'hci', '--out', out], FIXED_TIME);
    expect(r.stderr).not.toMatch(/ANVIL_ERR/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^SCENARIO\s+STACK\s+SLA\s+CHECK\s+MEASURED\s+LIMIT\s+MARGIN\s+VERDICT/);
    expect(r.stdout).toMatch(
      /noisy-neighbour\s+hci\s+orders-iops\s+IOPS per interval\s+\S+k IOPS\s+>= 20\.0k IOPS \(tolerance 2%\)\s+\+\S+%\s+pass/,
    );
    const doc = verdictsOf(out);
    expect(doc.checks.map((c) => `${c.sla} ${c.check} ${c.window}`)).toEqual([
      'orders-run-iops min_iops run',
      'orders-iops min_iops interval',
      'stock-iops min_iops interval',
      'oltp-latency max_latency_p99 run',
      'oltp-latency max_latency_p99.9 run',
    ]);
    expect(doc.totals).toMatchObject({ checks: 5, failed: 0 });
    // The run-window figure from the interval rows is the pod's IOPS the run's own summary gives from its jobs.
    const summary = JSON.parse(readFileSync(join(out, 'noisy-neighbour', 'hci', 'seed-1', 'summary.json'), 'utf8')) as {
      anvil: { scenario: { pods: { pod: string; iops: number }[] } };
    };
    const podIops = summary.anvil.scenario.pods.find((p) => p.pod === 'shop/orders-db')!.iops;
    expect(doc.checks.find((c) => c.sla === 'orders-run-iops')!.worst!.measured).toBeCloseTo(podIops, -1);
  });

  it('exits 1 when an SLA fails (diy holds no floor), naming each failed SLA with its figures', async () => {
    const out = tempDir('anvil-check-');
    const r = await anvilInProcess(['check', noisyNeighbour(), '--stack', 'diy', '--out', out], FIXED_TIME);
    expect(r.code).toBe(1);
    const doc = verdictsOf(out);
    const orders = doc.runs[0]!.verdicts.find((v) => v.sla === 'orders-iops')!;
    expect(orders.status).toBe('fail');
    expect(orders.measured!).toBeLessThan(orders.allowed);
    expect(r.stderr).toMatch(/ANVIL_ERR_SLA_FAILED: \d+ of 5 SLA checks failed/);
    expect(r.stderr).toMatch(
      /orders-iops \(noisy-neighbour\.yaml, diy, seed 1\): pod shop\/orders-db: IOPS per interval \S+k IOPS < 19\.6k IOPS \(limit 20\.0k IOPS with tolerance 2%\), margin -\S+%, at pod shop\/orders-db, interval ending at/,
    );
    expect(r.stdout).toMatch(
      /noisy-neighbour\s+diy\s+orders-iops\s+IOPS per interval\s+\S+ IOPS\s+>= 20\.0k IOPS \(tolerance 2%\)\s+-\S+%\s+FAIL/,
    );
  });

  it('checks every scenario of a folder with several seeds; the JUnit XML holds a case per check and seed, as junit2json, test-results-parser and junit-report-merger read it', async () => {
    const folder = tempDir('anvil-check-folder-');
    copyFileSync(noisyNeighbour(), join(folder, 'a-noisy.yaml'));
    copyFileSync(noisyNeighbour(), join(folder, 'b-noisy.yml'));
    writeFileSync(join(folder, 'notes.yaml'), 'not: a scenario\n');
    const junit = join(tempDir('anvil-junit-'), 'check.xml');
    const r = await anvilInProcess(['check', folder, '--stack', 'diy', '--seeds', '2', '--junit', junit], FIXED_TIME);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SEEDS \(spread\)/);
    expect(r.stdout).toMatch(/a-noisy\s+diy\s+orders-iops.*FAIL\s+2: \S+k IOPS \.\. \S+k IOPS, worst seed [12]/);
    const report = await parseJunit(readFileSync(junit, 'utf8'));
    const suites = report && 'testsuite' in report ? report.testsuite! : [];
    expect(suites.map((s) => [s.name, s.tests, s.failures])).toEqual([
      ['anvil.a-noisy.diy', 10, expect.any(Number)],
      ['anvil.b-noisy.diy', 10, expect.any(Number)],
    ]);
    const cases = suites[0]!.testcase!;
    expect(cases.map((c) => c.name)).toContain('orders-iops: IOPS per interval >= 20.0k IOPS [seed 2]');
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const failure = cases.find((c) => c.name === 'orders-iops: IOPS per interval >= 20.0k IOPS [seed 1]')!.failure![0]!;
    expect(failure.type).toBe('SlaViolation');
    expect(failure.message).toMatch(/^pod shop\/orders-db: IOPS per interval \S+k IOPS < 19\.6k IOPS .* margin -\S+%/);
    expect(failure.inner).toMatch(/measured: \S+k IOPS \(\d+(\.\d+)? IOPS\)/);
    expect(suites[0]!.failures).toBe(cases.filter((c) => c.failure).length);
    expect(suites[0]!.timestamp).toBe('2023-11-14T22:13:20');

    // testbeats' parser reads the same outcomes and the figures of each failure.
    const tally = parseTestResults({ type: 'junit', files: [junit] });
    // A check too short to judge is a JUnit error (NotJudged): the only outcome besides failure the Ant schema has.
    expect([tally.failed, tally.errors, tally.total]).toEqual([
      suites.reduce((n, s) => n + s.failures!, 0),
      suites.reduce((n, s) => n + s.errors!, 0),
      20,
    ]);
    expect(tally.suites[0]!.cases.find((c) => c.name === 'orders-iops: IOPS per interval >= 20.0k IOPS [seed 1]')!.failure).toBe(
      failure.message,
    );

    // Merged with another check's report by junit-report-merger (it sums the suites' counts): names, counts and messages intact.
    const hciJunit = join(tempDir('anvil-junit-'), 'hci.xml');
    expect((await anvilInProcess(['check', join(folder, 'a-noisy.yaml'), '--stack', 'hci', '--junit', hciJunit], FIXED_TIME)).code).toBe(0);
    const merged = await parseJunit(await mergeToString([readFileSync(junit, 'utf8'), readFileSync(hciJunit, 'utf8')]));
    const all = merged && 'testsuite' in merged ? merged : undefined;
    expect(all!.testsuite!.map((s) => s.name)).toEqual(['anvil.a-noisy.diy', 'anvil.b-noisy.diy', 'anvil.a-noisy.hci']);
    expect(all!.tests).toBe(25);
    expect(all!.failures).toBe(suites.reduce((n, s) => n + s.failures!, 0));
    const mergedFailure = all!.testsuite![0]!.testcase!.find((c) => c.name === 'orders-iops: IOPS per interval >= 20.0k IOPS [seed 1]')!;
    expect(mergedFailure.failure![0]!.message).toBe(failure.message);
  });

  it('judges stored runs with --results without running them again: a new SLA on old results', async () => {
    const stored = tempDir('anvil-check-');
    expect((await anvilInProcess(['check', noisyNeighbour(), '--stack', 'hci', '--out', stored])).code).toBe(0);
    // The same scenario with a stricter SLA added, judged on the stored run.
    const stricter = shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' }, '', [
      [
        'slas:\n',
        'slas:\n  - { name: orders-run-iops, pod: orders-db, min_iops: 1000 }\n  - { name: orders-fast, pod: orders-db, max_latency: { p99: 100us } }\n',
      ],
    ]);
    const out = tempDir('anvil-check-');
    // --max-ios 1 would stop any run at its first I/Os: nothing runs.
    const r = await anvilInProcess(['check', stricter, '--results', stored, '--out', out, '--max-ios', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/orders-fast \(noisy-neighbour\.yaml, hci, seed 1\): pod shop\/orders-db: p99 latency \S+ us > 100 us/);
    const [first, again] = [verdictsOf(stored), verdictsOf(out)];
    const runIops = (d: VerdictsDocument) => d.checks.find((c) => c.sla === 'orders-run-iops')!.worst!.measured;
    expect(runIops(again)).toBe(runIops(first));
    expect(again.runs.map((x) => `${x.stack}/${x.seed}`)).toEqual(['hci/1']);

    const none = await anvilInProcess(['check', stricter, '--results', stored, '--stack', 'diy']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/ANVIL_ERR_CHECK_RESULTS: \S+noisy-neighbour: no runs of scenario noisy-neighbour on diy/);
  });

  it('gives identical verdicts.json for identical inputs and seeds', async () => {
    const file = noisyNeighbour();
    const [a, b] = [tempDir('anvil-check-'), tempDir('anvil-check-')];
    await anvilInProcess(['check', file, '--stack', 'hci', '--out', a]);
    await anvilInProcess(['check', file, '--stack', 'hci', '--out', b]);
    expect(readFileSync(join(a, 'verdicts.json'), 'utf8')).toBe(readFileSync(join(b, 'verdicts.json'), 'utf8'));
  });

  it('exits 2 with a coded error for input it cannot check', async () => {
    const empty = tempDir('anvil-check-empty-');
    const noScenario = await anvilInProcess(['check', empty]);
    expect(noScenario.code).toBe(2);
    expect(noScenario.stderr).toMatch(/ANVIL_ERR_CHECK_INPUT: .* holds no cluster scenario/);

    const job = join(writeFiles({ 'job.fio': '[r]\nrw=randread\n' }), 'job.fio');
    const notScenario = await anvilInProcess(['check', job]);
    expect(notScenario.code).toBe(2);
    expect(notScenario.stderr).toMatch(/ANVIL_ERR_CHECK_INPUT: .*job\.fio is not a cluster scenario/);

    const notAFolder = join(writeFiles({ out: 'a file' }), 'out');
    const unwritable = await anvilInProcess(['check', noisyNeighbour(), '--out', notAFolder]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/ANVIL_ERR_OUTPUT: cannot write results to \S+out: \S+ exists and is not a folder/);
    expect(unwritable.stderr).not.toMatch(/checked /);

    // Confirmation rounds run scenarios again on a host: the model repeats a seed exactly, --results runs nothing.
    const onModel = await anvilInProcess(['check', noisyNeighbour(), '--confirm-rounds', '2']);
    expect(onModel.code).toBe(2);
    expect(onModel.stderr).toMatch(
      /ANVIL_ERR_USAGE: --confirm-rounds runs scenarios again on a host, and --target sim .* give more --seeds/,
    );
    const tooMany = await anvilInProcess(['check', noisyNeighbour(), '--target', 'host', '--confirm-rounds', '21']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toMatch(/--confirm-rounds/);
    expect(tooMany.stderr).toMatch(/20/);

    const missing = await anvilInProcess(['check', join(empty, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/ANVIL_ERR_FILE_NOT_FOUND/);

    // An SLA judged over no time: refused when the scenario is read, before anything runs.
    const badSpan = shortenedScenario('noisy-neighbour', { duration: '300ms', warmup: '50ms', interval: '50ms' }, '', [
      ['slas:\n', 'slas:\n  - { name: late, pod: orders-db, min_iops: 1, from: 200ms, until: 100ms }\n'],
    ]);
    const bad = await anvilInProcess(['check', badSpan]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/ANVIL_ERR_CLUSTER_SCENARIO/);
    expect(bad.stderr).toMatch(/\/slas\/0\/from: SLA late is judged from 200ms until 100ms: no time/);
    expect(bad.stdout).toBe('');
  });

  it('refuses a results folder without the files an SLA is judged on, naming the file', async () => {
    const dir = tempDir('anvil-results-');
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'summary.json'), '{}');
    const e: unknown = await readResultsEvidence(join(dir, 'x')).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'ANVIL_ERR_CHECK_RESULTS' });
    expect((e as Error).message).toMatch(
      /intervals\.arrow: is missing; an SLA is judged on a results folder as anvil run SCENARIO --out DIR writes it/,
    );
  });
});
