/**
 * A real S3-compatible server on loopback for the tests: moto's server (`moto_server`, Python moto[server]),
 * started on a free port and stopped when the test file is done. In CI .ci/run requires it; on a user's
 * machine without it the tests that need it skip with one line (test/needs.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll } from 'vitest';
import { which } from '../bench/targets/host/bounded-process.js';

/** Credentials moto accepts (any); the tests hand them to the CLI through the standard AWS variables. */
export const S3_TEST_ENV = { AWS_ACCESS_KEY_ID: 'anvil-test', AWS_SECRET_ACCESS_KEY: 'anvil-test-secret', AWS_REGION: 'us-east-1' };

/** Is moto_server on the PATH? */
export const motoAvailable = which('moto_server') !== undefined;

const started: ChildProcess[] = [];
afterAll(() => {
  for (const server of started.splice(0)) server.kill('SIGTERM');
});

/** Starts moto_server on a free loopback port; resolves to its endpoint URL once it listens. */
export function startS3Server(): Promise<string> {
  const server = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(server);
  return new Promise((resolve, reject) => {
    let said = '';
    const listen = (chunk: Buffer) => {
      said += chunk.toString('utf8');
      const address = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(said);
      if (address) resolve(address[1]!);
    };
    server.stdout.on('data', listen);
    server.stderr.on('data', listen);
    server.on('error', reject);
    server.on('exit', (code) => reject(new Error(`moto_server exited (${code}) before listening: ${said}`)));
  });
}

/** A client of the server at `endpoint` for the tests' own look at a bucket: make one, list keys, write one. */
export async function s3TestClient(endpoint: string) {
  // The SDK's notice that its future releases need Node 22 is not the tests' output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3_TEST_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: S3_TEST_ENV.AWS_SECRET_ACCESS_KEY },
  });
  return {
    async createBucket(bucket: string): Promise<void> {
      await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
    },
    async keys(bucket: string, prefix: string): Promise<string[]> {
      const page = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (page.Contents ?? []).map((o) => o.Key!).sort();
    },
    async put(bucket: string, key: string, body: string): Promise<void> {
      await client.send(new sdk.PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    close: () => client.destroy(),
  };
}
