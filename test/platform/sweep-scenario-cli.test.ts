/**
 * Sweeps over cluster scenarios (issue 21), the compiled CLI as a user runs it: a sweep whose base is a
 * shortened noisy-neighbour scenario, in another folder than the sweep and naming its node profile by a
 * relative path, with axes over scenario fields. Each point's folder holds what `anvil run scenario.yaml
 * --out` writes, byte for byte as that point run alone (SOURCE_DATE_EPOCH), with --jobs 2 (the CLI's
 * worker) and as shards; the merged table has one row per point, stack, pod job and direction with the axes
 * as columns; a value the scenario schema refuses is named by its axis and field before any point runs;
 * the Kubernetes Job's ConfigMap carries the scenario and its files; and `anvil check SWEEP` judges every point by its SLAs, the axes in the verdicts' names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../cli-harness.js';
import { anvilBin } from '../../bench/package-root.js';

const BIN = anvilBin();
const ENV: NodeJS.ProcessEnv = { ...process.env, SOURCE_DATE_EPOCH: '1700000000', FORCE_COLOR: '0' };
delete ENV.JOB_COMPLETION_INDEX;

function anvil(args: string[], cwd: string) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: ENV });
}

/**
 * noisy-neighbour in 200 ms of simulated time (its jobs too), its node profile a file beside it. Its latency
 * SLA is loosened to 2 ms: in 200 ms its p99 sits on the 1 ms limit, and these tests judge the sweep's
 * mechanics (which point fails is set by the axes), not where the model's p99 falls.
 */
function shortScenario(): string {
  const text = readFileSync(join('bench', 'scenarios', 'noisy-neighbour.yaml'), 'utf8');
  expect(text).toContain('max_latency: { p99: 1ms, p99.9: 3ms }');
  return text
    .replace('max_latency: { p99: 1ms, p99.9: 3ms }', 'max_latency: { p99: 2ms, p99.9: 4ms }')
    .replace(/^duration: .*$/m, 'duration: 200ms')
    .replace(/^warmup: .*$/m, 'warmup: 50ms')
    .replace(/^interval: .*$/m, 'interval: 50ms')
    .replaceAll('runtime=10s', 'runtime=200ms')
    .replace('profile: appliance-d10', 'profile: node-d10.yaml');
}

const SWEEP = `kind: Sweep
base: ../scenarios/nn.yaml
mode: zip
axes:
  - { field: duration, values: [200ms, 300ms] }
  - { field: pods.2.cpu, values: [1, 2] }
`;

/** The files of a folder, name -> bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  return new Map(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]));
}

let dir: string;
beforeAll(() => {
  dir = tempDir('anvil-sweep-scenario-');
  mkdirSync(join(dir, 'scenarios'));
  mkdirSync(join(dir, 'sweeps'));
  writeFileSync(join(dir, 'scenarios', 'nn.yaml'), shortScenario());
  writeFileSync(join(dir, 'scenarios', 'node-d10.yaml'), readFileSync(join('platform', 'node-profiles', 'appliance-d10.yaml')));
  writeFileSync(join(dir, 'sweeps', 'nn.yaml'), SWEEP);
  const r = anvil(['sweep', 'sweeps/nn.yaml', '--out', 'local', '--jobs', '2'], dir);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
});

describe('anvil sweep over a cluster scenario', () => {
  it("gives each point the bytes of `anvil run scenario.yaml --out` on that point alone, the point's values set", () => {
    const points = readdirSync(join(dir, 'local', 'points')).sort();
    expect(points).toEqual(['p00000', 'p00001']);
    for (const [i, id] of points.entries()) {
      const pointDir = join(dir, 'local', 'points', id);
      const scenario = readFileSync(join(pointDir, 'scenario.yaml'), 'utf8');
      expect(scenario).toMatch(new RegExp(`^duration: ${['200ms', '300ms'][i]}$`, 'm'));
      expect(scenario).toContain(`{ name: loader, tenant: batch, cpu: ${i + 1},`);
      // The node profile the base names beside itself, found from the point's folder.
      expect(scenario).toContain(`profile: ${join(dir, 'scenarios', 'node-d10.yaml')}`);
      const manifest = JSON.parse(readFileSync(join(pointDir, 'point.json'), 'utf8')) as { command: string };
      expect(manifest.command).toBe('anvil run scenario.yaml --out .');
      const alone = join(dir, `alone-${id}`);
      const r = anvil(['run', 'scenario.yaml', '--out', alone], pointDir);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(readFileSync(join(pointDir, 'output.txt'), 'utf8'));
      const swept = filesOf(pointDir);
      const ran = filesOf(alone);
      expect([...ran.keys()].sort()).toEqual(
        [...swept.keys()].filter((n) => !['point.json', 'output.txt', 'scenario.yaml'].includes(n)).sort(),
      );
      expect(ran.has('summary.json') && ran.has('jobs.arrow') && ran.has('nodes.arrow')).toBe(true);
      for (const [name, bytes] of ran) expect(bytes.equals(swept.get(name)!), `${id}/${name}`).toBe(true);
    }
  });

  it('writes one merged row per point, stack, pod job and direction, with the axes as columns', () => {
    const merged = tableFromIPC(readFileSync(join(dir, 'local', 'sweep.arrow')));
    const names = merged.schema.fields.map((f) => f.name);
    expect(names.slice(0, 4)).toEqual(['point', 'duration', 'pods.2.cpu', 'seed']);
    expect(names).toEqual(expect.arrayContaining(['stack', 'pod', 'job', 'direction', 'iops']));
    let row = 0;
    for (const [i, id] of ['p00000', 'p00001'].entries()) {
      const jobs = tableFromIPC(readFileSync(join(dir, 'local', 'points', id, 'jobs.arrow')));
      const stacks = new Set<string>();
      for (let r = 0; r < jobs.numRows; r++, row++) {
        const m = merged.get(row)!.toJSON() as Record<string, unknown>;
        const j = jobs.get(r)!.toJSON() as Record<string, unknown>;
        expect([m.point, m.duration, m['pods.2.cpu']]).toEqual([i, ['200ms', '300ms'][i], i + 1]);
        expect([m.stack, m.pod, m.job, m.direction, m.total_ios]).toEqual([j.stack, j.pod, j.job, j.direction, j.total_ios]);
        stacks.add(String(j.stack));
      }
      expect([...stacks].sort()).toEqual(['diy', 'hci']);
    }
    expect(merged.numRows).toBe(row);
    // The summary page keeps the stacks apart: a row per point and stack, never their sum.
    const page = readFileSync(join(dir, 'local', 'summary.html'), 'utf8');
    expect(page).toContain('<th>stack</th>');
    expect(page.match(/<td>hci<\/td>/g)?.length).toBe(2);
    expect(page.match(/<td>diy<\/td>/g)?.length).toBe(2);
  });

  it('run as shards (separate processes), then merged, give the local merged table', () => {
    for (const index of [0, 1]) {
      const r = anvil(['sweep', 'run-shard', 'sweeps/nn.yaml', '--shards', '2', '--index', `${index}`, '--out', `shard${index}`], dir);
      expect(r.status).toBe(0);
    }
    const m = anvil(['sweep', 'merge', 'shard0', 'shard1', '--out', 'merged'], dir);
    expect(m.status).toBe(0);
    expect(readFileSync(join(dir, 'merged', 'sweep.arrow')).equals(readFileSync(join(dir, 'local', 'sweep.arrow')))).toBe(true);
  });

  it('emitted as a Kubernetes Job, carries the scenario and the files it names in the ConfigMap, and a shard run from it gives the same point', () => {
    const e = anvil(['sweep', 'sweeps/nn.yaml', '--emit', 'k8s-job', '--shards', '2'], dir);
    expect(e.status).toBe(0);
    const [configMap, job] = parseAllDocuments(e.stdout).map((d) => d.toJS() as Record<string, unknown>);
    expect(() => new ConfigMap(configMap as never).validate()).not.toThrow();
    expect(() => new Job(job as never).validate()).not.toThrow();
    const data = (configMap as { data: Record<string, string> }).data;
    expect(Object.keys(data).sort()).toEqual(['input-0-node-d10.yaml', 'scenario.yaml', 'sweep.yaml']);
    expect(data['scenario.yaml']).toContain('profile: input-0-node-d10.yaml');
    // The ConfigMap as the pod mounts it, far from the scenario's folder.
    const mount = tempDir('anvil-sweep-mount-');
    for (const [name, text] of Object.entries(data)) writeFileSync(join(mount, name), text);
    const r = anvil(['sweep', 'run-shard', 'sweep.yaml', '--shards', '2', '--index', '0', '--out', 'results'], mount);
    expect(r.status).toBe(0);
    for (const name of ['summary.json', 'jobs.arrow', 'intervals.arrow', 'output.txt'])
      expect(
        readFileSync(join(mount, 'results', 'points', 'p00000', name)).equals(readFileSync(join(dir, 'local', 'points', 'p00000', name))),
        name,
      ).toBe(true);
  });

  it('names the axis, the field and the value the scenario schema refuses, before any point runs', () => {
    writeFileSync(
      join(dir, 'sweeps', 'bad.yaml'),
      `kind: Sweep
base: ../scenarios/nn.yaml
axes:
  - { field: duration, values: [200ms] }
  - { field: pods.0.cpu, values: [2, many] }
  - { field: pods.9.cpu, values: [1] }
`,
    );
    const r = anvil(['sweep', 'sweeps/bad.yaml', '--out', 'bad'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ANVIL_ERR_SWEEP: sweeps/bad.yaml: has 2 problems');
    expect(r.stderr).toMatch(/sweeps\/bad\.yaml:5: \/axes\/1: axis pods\.0\.cpu: field pods\.0\.cpu = "many": \/pods\/0\/cpu: /);
    expect(r.stderr).toMatch(/sweeps\/bad\.yaml:6: \/axes\/2: axis pods\.9\.cpu: field pods\.9\.cpu: the scenario .* has no pods\.9/);
    expect(r.stderr).not.toContain('/axes/0');
    expect(existsSync(join(dir, 'bad', 'points'))).toBe(false);
  });

  it('fails a point whose values together the scenario refuses, naming its axes, and runs the others', () => {
    writeFileSync(
      join(dir, 'sweeps', 'short.yaml'),
      'kind: Sweep\nbase: ../scenarios/nn.yaml\naxes:\n  - { field: duration, values: [10ms, 200ms] }\n',
    );
    const r = anvil(['sweep', 'sweeps/short.yaml', '--out', 'short', '--jobs', '1'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ANVIL_ERR_SWEEP_POINTS_FAILED: 1 point failed');
    expect(r.stderr).toMatch(
      /p00000: ANVIL_ERR_CLUSTER_SCENARIO: with duration=10ms \(seed 1\): scenario\.yaml is not a valid cluster scenario/,
    );
    expect(r.stderr).toMatch(/scenario\.yaml:\d+: \/warmup: 50ms leaves nothing of the 10ms run/);
    expect(readdirSync(join(dir, 'short', 'points'))).toEqual(['p00001']);
  });

  it('refuses a scenario field on a job file and an fio option on a scenario, naming the axis', () => {
    writeFileSync(join(dir, 'sweeps', 'job.fio'), '[j]\nrw=randread\nsize=1g\nruntime=10ms\ntime_based\n');
    writeFileSync(join(dir, 'sweeps', 'mixed.yaml'), 'kind: Sweep\nbase: job.fio\naxes:\n  - { field: duration, values: [1s] }\n');
    const onJob = anvil(['sweep', 'sweeps/mixed.yaml'], dir);
    expect(onJob.status).toBe(1);
    expect(onJob.stderr).toMatch(/mixed\.yaml:4: \/axes\/0\/field: field sweeps a cluster scenario/);
    writeFileSync(
      join(dir, 'sweeps', 'mixed2.yaml'),
      SWEEP.replace('field: duration', 'option: iodepth').replace('[200ms, 300ms]', '[1, 2]'),
    );
    const onScenario = anvil(['sweep', 'sweeps/mixed2.yaml'], dir);
    expect(onScenario.status).toBe(1);
    expect(onScenario.stderr).toMatch(/\/axes\/0\/option: the base is a cluster scenario: sweep its fields/);
    writeFileSync(join(dir, 'sweeps', 'with-profile.yaml'), `${SWEEP}profile: intel-p4510-4tb\n`);
    const withProfile = anvil(['sweep', 'sweeps/with-profile.yaml'], dir);
    expect(withProfile.status).toBe(1);
    expect(withProfile.stderr).toMatch(
      /with-profile\.yaml:\d+: \/profile: the base is a cluster scenario, whose nodes name their profiles/,
    );
  });
});

describe('anvil check SWEEP', () => {
  it("judges every point by the scenario's SLAs, the axes in the verdicts' and JUnit cases' names, exit 1 when one fails", () => {
    writeFileSync(
      join(dir, 'sweeps', 'suite.yaml'),
      `kind: Sweep
base: ../scenarios/nn.yaml
axes:
  - { field: slas.0.min_iops, values: [1, 1000000000] }
`,
    );
    const r = anvil(['check', 'sweeps/suite.yaml', '--stack', 'hci', '--junit', 'suite.xml', '--out', 'suite'], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ANVIL_ERR_SLA_FAILED: 1 of 8 SLA checks failed');
    expect(r.stderr).toContain('orders-iops [slas.0.min_iops=1000000000] (suite.p00001.yaml, hci, seed 1)');
    expect(r.stdout).toMatch(/suite\.p00000 +hci +orders-iops \[slas\.0\.min_iops=1\] .* pass/);
    expect(r.stdout).toMatch(/suite\.p00001 +hci +orders-iops \[slas\.0\.min_iops=1000000000\] .* FAIL/);
    const junit = readFileSync(join(dir, 'suite.xml'), 'utf8');
    expect(junit).toContain('name="orders-iops [slas.0.min_iops=1]: IOPS per interval &gt;= 1.00 IOPS [seed 1]"');
    expect(junit.match(/<failure /g)?.length).toBe(1);
    expect(junit).toMatch(/name="orders-iops \[slas\.0\.min_iops=1000000000\][^"]*"[^>]*>\s*<failure /);
    const verdicts = JSON.parse(readFileSync(join(dir, 'suite', 'verdicts.json'), 'utf8')) as { totals: { checks: number } };
    expect(verdicts.totals.checks).toBe(8);
  });

  it('gives the same verdicts, tables, JUnit and run results with --jobs 1 and --jobs 2 (the sweep pool)', () => {
    writeFileSync(
      join(dir, 'sweeps', 'suite.yaml'),
      'kind: Sweep\nbase: ../scenarios/nn.yaml\naxes:\n  - { field: slas.0.min_iops, values: [1, 1000000000] }\n',
    );
    const outputs = [1, 2].map((jobs) => {
      const out = `suite-jobs${jobs}`;
      const r = anvil(
        ['check', 'sweeps/suite.yaml', '--stack', 'hci', '--seeds', '2', '--jobs', `${jobs}`, '--junit', `${out}.xml`, '--out', out],
        dir,
      );
      return { r, out };
    });
    const [one, two] = outputs as [(typeof outputs)[0], (typeof outputs)[0]];
    expect(one.r.status).toBe(1);
    expect(one.r.stderr).toContain('ANVIL_ERR_SLA_FAILED: 2 of 16 SLA checks failed');
    // The same, but for the --out folder's name where a point's scenario file is named.
    const same = (text: string, out: string) => text.replaceAll(out, 'OUT');
    expect(two.r.status).toBe(one.r.status);
    expect(same(two.r.stdout, two.out)).toBe(same(one.r.stdout, one.out));
    expect(same(two.r.stderr, two.out)).toBe(same(one.r.stderr, one.out));
    const text = (file: string) => readFileSync(join(dir, file), 'utf8');
    expect(same(text(`${two.out}.xml`), two.out)).toBe(same(text(`${one.out}.xml`), one.out));
    expect(same(text(join(two.out, 'verdicts.json')), two.out)).toBe(same(text(join(one.out, 'verdicts.json')), one.out));
    // Each run's results, byte for byte.
    for (const point of ['suite.p00000', 'suite.p00001'])
      for (const seed of ['seed-1', 'seed-2']) {
        const runDir = (out: string) => join(dir, out, point, 'hci', seed);
        // Byte for byte but for the scenario file's path (its folder's name), which the results record.
        const files = (out: string) =>
          new Map([...filesOf(runDir(out))].map(([name, bytes]) => [name, same(bytes.toString('latin1'), out)]));
        expect(files(one.out).size).toBeGreaterThan(0);
        expect(files(two.out)).toEqual(files(one.out));
      }
  });

  it('passes (exit 0) when every point holds its SLAs, and refuses a sweep of a job file as input it cannot check', () => {
    // Only the first SLA, so that the points' other SLAs (judged on 200 ms) cannot fail them.
    const scenario = readFileSync(join(dir, 'scenarios', 'nn.yaml'), 'utf8');
    writeFileSync(
      join(dir, 'scenarios', 'one-sla.yaml'),
      scenario.replace(/^slas:[\s\S]*$/m, 'slas:\n  - { name: orders-iops, pod: orders-db, min_iops: 1 }\n'),
    );
    writeFileSync(
      join(dir, 'sweeps', 'easy.yaml'),
      'kind: Sweep\nbase: ../scenarios/one-sla.yaml\naxes:\n  - { field: slas.0.min_iops, values: [1, 2] }\n',
    );
    const r = anvil(['check', 'sweeps/easy.yaml', '--stack', 'hci'], dir);
    expect(r.stderr).not.toContain('ANVIL_ERR');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 checks over 2 runs: 2 passed, 0 failed');
    writeFileSync(join(dir, 'sweeps', 'job.fio'), '[j]\nrw=randread\nsize=1g\nruntime=10ms\ntime_based\n');
    writeFileSync(join(dir, 'sweeps', 'jobs.yaml'), 'kind: Sweep\nbase: job.fio\naxes:\n  - { option: iodepth, values: [1] }\n');
    const onJob = anvil(['check', 'sweeps/jobs.yaml'], dir);
    expect(onJob.status).toBe(2);
    expect(onJob.stderr).toContain('ANVIL_ERR_CHECK_INPUT');
  });
});
