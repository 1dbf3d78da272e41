/**
 * A sweep's results in an S3-compatible bucket (`s3://BUCKET/PREFIX`), through the AWS SDK's S3 client:
 * the region, credentials and endpoint come from the standard AWS environment (AWS_REGION,
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_ENDPOINT_URL_S3, profiles...), and an
 * explicit endpoint (`--s3-endpoint`) addresses an S3-compatible store with path-style URLs. Every failure
 * is ANVIL_ERR_S3 naming the URL and what to check. The SDK is loaded only when a bucket is used.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { AnvilError } from '../../platform/errors.js';

/** An `s3://` URL's parts: the prefix has no leading or trailing slash ('' for the bucket's root). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** Region when the environment names none: S3-compatible stores ignore it, and the SDK needs one. */
const DEFAULT_REGION = 'us-east-1';

/** Is `where` an s3:// URL (rather than a folder)? */
export function isS3Url(where: string): boolean {
  return where.startsWith('s3://');
}

/** `s3://BUCKET/PREFIX` read; ANVIL_ERR_USAGE when it names no valid bucket. */
export function parseS3Url(url: string): S3Location {
  if (!isS3Url(url))
    throw new AnvilError('ANVIL_ERR_USAGE', `${url} is not an s3:// URL; give s3://BUCKET/PREFIX, e.g. s3://anvil-sweeps/p4510-qd`);
  const rest = url.slice('s3://'.length);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+|\/+$/g, '');
  // S3's bucket naming rules: 3..63 lowercase letters, digits, dots and hyphens, starting and ending alphanumeric.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    throw new AnvilError(
      'ANVIL_ERR_USAGE',
      `${url}: ${JSON.stringify(bucket)} is not an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens); give s3://BUCKET/PREFIX, e.g. s3://anvil-sweeps/p4510-qd`,
    );
  return { bucket, prefix };
}

/** Where a bucket is reached: an explicit endpoint, or the AWS environment's. */
export interface S3Connection {
  /** An S3-compatible store's URL (path-style addressing), e.g. http://127.0.0.1:9000. */
  readonly endpoint?: string;
}

/** What went wrong, said for a user: the SDK's error name and message, and the HTTP status when there is one. */
function describe(e: unknown): string {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = err.$metadata?.httpStatusCode;
  const name = err.code ?? err.name ?? 'Error';
  return `${name}${status !== undefined ? ` (HTTP ${status})` : ''}: ${err.message ?? String(e)}`;
}

/** No such object (a missing bucket is an error, not an absent object). */
function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NoSuchKey' || (err.$metadata?.httpStatusCode === 404 && err.name !== 'NoSuchBucket');
}

/** One bucket and prefix holding a sweep's (or shard's) results: keys are relative to the prefix. */
export class SweepBucket {
  private constructor(
    private readonly client: S3Client,
    private readonly sdk: typeof import('@aws-sdk/client-s3'),
    readonly location: S3Location,
    readonly url: string,
    private readonly endpoint: string | undefined,
  ) {}

  /** The bucket of `url`, reached through `connection` or the AWS environment. */
  static async open(url: string, connection: S3Connection = {}): Promise<SweepBucket> {
    const location = parseS3Url(url);
    // The SDK warns on every process under Node 22 that its future releases will need 22; Anvil supports 20
    // with the release it locks, and a sweep's stderr is for its points. A user's own setting stands.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await import('@aws-sdk/client-s3');
    if (connection.endpoint !== undefined && !/^https?:\/\/[^/]+/.test(connection.endpoint))
      throw new AnvilError(
        'ANVIL_ERR_USAGE',
        `--s3-endpoint ${JSON.stringify(connection.endpoint)} is not a URL; give the store's address, e.g. --s3-endpoint http://127.0.0.1:9000`,
      );
    const client = new sdk.S3Client({
      region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION,
      ...(connection.endpoint !== undefined ? { endpoint: connection.endpoint, forcePathStyle: true } : {}),
      // Checksums only where S3 requires them: S3-compatible stores do not all take the SDK's newer default ones.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 5,
    });
    const bucket = new SweepBucket(client, sdk, location, url, connection.endpoint);
    await bucket.check();
    return bucket;
  }

  /** Fails first, and plainly, when the bucket cannot be reached or does not exist. */
  private async check(): Promise<void> {
    try {
      await this.client.send(new this.sdk.HeadBucketCommand({ Bucket: this.location.bucket }));
    } catch (e) {
      this.client.destroy();
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404)
        throw new AnvilError(
          'ANVIL_ERR_S3',
          `${this.url}: the bucket ${this.location.bucket} does not exist at ${this.where()}; create it (e.g. aws s3 mb s3://${this.location.bucket}) or give another`,
        );
      this.fail('reach', e);
    }
  }

  private where(): string {
    return this.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? "the AWS environment's endpoint";
  }

  private key(relative: string): string {
    return this.location.prefix === '' ? relative : `${this.location.prefix}/${relative}`;
  }

  private fail(what: string, e: unknown): never {
    throw new AnvilError(
      'ANVIL_ERR_S3',
      `cannot ${what} ${this.url} at ${this.where()}: ${describe(e)}; check the endpoint (--s3-endpoint or AWS_ENDPOINT_URL_S3), the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and the bucket`,
    );
  }

  /** The object at `relative`, or undefined when there is none. */
  async get(relative: string): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.client.send(new this.sdk.GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(relative) }));
      return answer.Body ? await answer.Body.transformToByteArray() : new Uint8Array();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      return this.fail(`read ${relative} in`, e);
    }
  }

  async put(relative: string, body: Uint8Array | string): Promise<void> {
    try {
      await this.client.send(new this.sdk.PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(relative), Body: body }));
    } catch (e) {
      this.fail(`write ${relative} to`, e);
    }
  }

  /** The keys under `relative` (a folder: with a trailing slash), relative to the prefix, sorted. */
  async list(relative: string): Promise<string[]> {
    const keys: string[] = [];
    const base = this.location.prefix === '' ? '' : `${this.location.prefix}/`;
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new this.sdk.ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: this.key(relative),
            ...(token !== undefined ? { ContinuationToken: token } : {}),
          }),
        );
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key.slice(base.length));
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (e) {
      this.fail(`list ${relative} in`, e);
    }
    return keys.sort();
  }

  async delete(relatives: readonly string[]): Promise<void> {
    try {
      // One request per object: DeleteObjects needs a Content-MD5 some S3-compatible stores check and the SDK no longer sends.
      for (const relative of relatives)
        await this.client.send(new this.sdk.DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.key(relative) }));
    } catch (e) {
      this.fail('delete from', e);
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }
}
