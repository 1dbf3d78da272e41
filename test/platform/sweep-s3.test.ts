/**
 * Sweep shards with their results in an S3-compatible bucket (issue 21), against a real one on loopback
 * (moto's server): `anvil sweep run-shard --results s3://BUCKET/PREFIX` in separate processes, then
 * `anvil sweep merge s3://...`, gives the local run's merged table; a shard killed mid-way (and a point's
 * upload cut short) and run again leaves no duplicate or missing point; a missing bucket is a coded error.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tempDir } from '../cli-harness.js';
import { describeNeeds } from '../needs.js';
import { motoAvailable, S3_TEST_ENV, s3TestClient, startS3Server } from '../s3-server.js';
import { BIN, QD_SWEEP, anvil as sweepCli, SWEEP_ENV } from './sweep-harness.js';

/** The environment without any AWS setting of the machine's, with the test server's credentials. */
const ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(SWEEP_ENV).filter(([k]) => !k.startsWith('AWS_'))),
  ...S3_TEST_ENV,
};
const IDS = ['p00000', 'p00001', 'p00002', 'p00003', 'p00004'];

function anvil(args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV) {
  return sweepCli(args, cwd, env);
}

describeNeeds('moto_server (an S3-compatible server: Python moto[server])', motoAvailable)(
  'sweep shards in an S3-compatible bucket',
  () => {
    let dir: string;
    let endpoint: string;
    let s3: Awaited<ReturnType<typeof s3TestClient>>;
    beforeAll(async () => {
      endpoint = await startS3Server();
      s3 = await s3TestClient(endpoint);
      await s3.createBucket('sweeps');
      dir = tempDir('anvil-sweep-s3-');
      writeFileSync(join(dir, 'qd.yaml'), QD_SWEEP);
      const local = anvil(['sweep', 'qd.yaml', '--out', 'local', '--jobs', '1'], dir);
      expect(local.status).toBe(0);
    });
    afterAll(() => s3?.close());

    /** The points with a complete copy (point.json) under `prefix`, and every key there. */
    async function pointsIn(prefix: string) {
      const keys = await s3.keys('sweeps', `${prefix}/points/`);
      const complete = keys.filter((k) => k.endsWith('/point.json')).map((k) => k.split('/')[2]);
      return { keys, complete };
    }

    it('run as separate processes with JOB_COMPLETION_INDEX, then merged from the bucket, give the local merged table', async () => {
      for (const index of [0, 1, 2]) {
        const r = anvil(['sweep', 'run-shard', 'qd.yaml', '--shards', '3', '--results', 's3://sweeps/qd', '--s3-endpoint', endpoint], dir, {
          ...ENV,
          JOB_COMPLETION_INDEX: `${index}`,
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(new RegExp(`^shard ${index} of 3: ${index < 2 ? 2 : 1} points? run, 0 unchanged`));
      }
      expect((await pointsIn('qd')).complete).toEqual(IDS);
      const merged = anvil(['sweep', 'merge', 's3://sweeps/qd', '--s3-endpoint', endpoint, '--out', 'merged'], dir);
      expect(merged.stderr).toBe('');
      expect(merged.status).toBe(0);
      expect(merged.stdout).toMatch(/merged 5 of 5 points/);
      for (const name of ['sweep.arrow', 'sweep.parquet', 'summary.html'])
        expect(readFileSync(join(dir, 'merged', name)).equals(readFileSync(join(dir, 'local', name))), name).toBe(true);
      // Run again, nothing is: the bucket's copies have the same digests.
      const again = anvil(
        ['sweep', 'run-shard', 'qd.yaml', '--index', '0', '--shards', '3', '--results', 's3://sweeps/qd', '--s3-endpoint', endpoint],
        dir,
      );
      expect(again.stdout).toMatch(/0 points run, 2 unchanged/);
    });

    it('reads the endpoint from the standard AWS environment too (AWS_ENDPOINT_URL_S3)', () => {
      const r = anvil(['sweep', 'merge', 's3://sweeps/qd', '--out', 'merged-env'], dir, { ...ENV, AWS_ENDPOINT_URL_S3: endpoint });
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, 'merged-env', 'sweep.arrow')).equals(readFileSync(join(dir, 'local', 'sweep.arrow')))).toBe(true);
    });

    it('killed mid-way and run again leave no duplicate or missing point', async () => {
      const args = [
        'sweep',
        'run-shard',
        'qd.yaml',
        '--index',
        '0',
        '--shards',
        '1',
        '--results',
        's3://sweeps/killed',
        '--s3-endpoint',
        endpoint,
      ];
      const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: ENV, stdio: 'ignore' });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // Killed as soon as its first point is in the bucket.
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      while (!(await pointsIn('killed')).complete.includes('p00000') && child.exitCode === null) await pause(20);
      child.kill('SIGKILL');
      await exited;
      // What a kill mid-upload leaves: some of a point's files and no point.json.
      await s3.put('sweeps', 'killed/points/p00004/summary.json', '{"truncated":');
      const before = await pointsIn('killed');
      expect(before.complete).not.toContain('p00004');
      const again = anvil(args, dir);
      expect(again.status).toBe(0);
      // The point that was in place is not run again.
      expect(Number(/(\d+) unchanged/.exec(again.stdout)?.[1])).toBeGreaterThanOrEqual(1);
      const after = await pointsIn('killed');
      expect(after.complete).toEqual(IDS);
      // Each point once, with the same files as every other: no duplicate, no leftover of the cut upload.
      const filesOf = (id: string) =>
        after.keys.filter((k) => k.startsWith(`killed/points/${id}/`)).map((k) => k.split('/').slice(3).join('/'));
      for (const id of IDS) expect(filesOf(id), id).toEqual(filesOf('p00000'));
      const merged = anvil(['sweep', 'merge', 's3://sweeps/killed', '--s3-endpoint', endpoint, '--out', 'merged-killed'], dir);
      expect(merged.status).toBe(0);
      expect(readFileSync(join(dir, 'merged-killed', 'sweep.arrow')).equals(readFileSync(join(dir, 'local', 'sweep.arrow')))).toBe(true);
    });

    it('says plainly when the bucket does not exist, before running any point', () => {
      const r = anvil(
        [
          'sweep',
          'run-shard',
          'qd.yaml',
          '--index',
          '0',
          '--shards',
          '1',
          '--results',
          's3://no-such-bucket/qd',
          '--s3-endpoint',
          endpoint,
        ],
        dir,
      );
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^ANVIL_ERR_S3: s3:\/\/no-such-bucket\/qd: the bucket no-such-bucket does not exist at http:\/\/127\.0\.0\.1:\d+; create it/,
      );
      expect(r.stdout).toBe('');
    });
  },
);

it('refuses an s3:// URL that names no bucket, --s3-endpoint with a folder and a bucket as a local sweep or merge --out, as usage errors', () => {
  const dir = tempDir('anvil-sweep-s3-usage-');
  writeFileSync(join(dir, 'qd.yaml'), QD_SWEEP);
  const badUrl = anvil(['sweep', 'run-shard', 'qd.yaml', '--index', '0', '--shards', '1', '--results', 's3://A_B/x'], dir);
  expect(badUrl.status).toBe(2);
  expect(badUrl.stderr).toMatch(/^ANVIL_ERR_USAGE: s3:\/\/A_B\/x: "A_B" is not an S3 bucket name/);
  const folder = anvil(['sweep', 'merge', 'local', '--s3-endpoint', 'http://127.0.0.1:9', '--out', 'm'], dir);
  expect(folder.status).toBe(2);
  expect(folder.stderr).toMatch(/^ANVIL_ERR_USAGE: --s3-endpoint is for results in a bucket/);
  // A local sweep and a merge write to folders; only shards write to a bucket.
  const local = anvil(['sweep', 'qd.yaml', '--out', 's3://sweeps/qd'], dir);
  expect(local.status).toBe(2);
  expect(local.stderr).toMatch(/^ANVIL_ERR_USAGE: --out s3:\/\/sweeps\/qd: a local sweep writes its points to a folder/);
  const merge = anvil(['sweep', 'merge', 'local', '--out', 's3://sweeps/merged'], dir);
  expect(merge.status).toBe(2);
  expect(merge.stderr).toMatch(/^ANVIL_ERR_USAGE: --out s3:\/\/sweeps\/merged: the merged table and page go to a folder/);
});
