// Files in an S3-compatible bucket (AWS, MinIO, Ceph, …), which every replica shares.
// Uploads stream from the staging file to the bucket, so no upload is ever held whole
// in memory; downloads stream back the same way (proxied links) or go to the bucket
// directly (presigned links).
import { createReadStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { S3Config } from '../config.js';
import type { FileStore } from './file-store.js';

/** Tries per operation. The SDK's own retries are off: they would resend a half-read upload stream. */
const ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
/** /readyz answers promptly even when the bucket's host swallows packets. */
const PROBE_TIMEOUT_MS = 3000;

export function s3ClientFor(s3: S3Config): S3Client {
  return new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    // A copy: the config is frozen, and the SDK marks the credentials it is given.
    ...(s3.credentials ? { credentials: { ...s3.credentials } } : {}),
    forcePathStyle: s3.forcePathStyle,
    maxAttempts: 1,
    // Checksums only where S3 demands them. By default the SDK sends streamed bodies
    // aws-chunked with a checksum trailer, which S3-compatible servers often store
    // verbatim or refuse, and adds a checksum parameter to presigned GETs.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5000, requestTimeout: 60_000 },
    // The SDK would warn on the console about each failed upload it does not retry itself;
    // the retries are ours (withRetries) and failures reach the request log.
    logger: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

const httpStatus = (err: unknown): number | undefined =>
  err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;

/** Network failures, throttling and 5xx are worth another try; a 4xx answer is not. */
function retryable(err: unknown): boolean {
  const status = httpStatus(err);
  return status === undefined || status === 429 || status >= 500;
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let k = 1; ; k++) {
    try {
      return await attempt();
    } catch (err) {
      if (k >= ATTEMPTS || !retryable(err)) throw err;
      await sleep(Math.random() * RETRY_BASE_MS * 2 ** k);
    }
  }
}

export class S3FileStore implements FileStore {
  readonly stagingDir: string;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(
    readonly client: S3Client,
    s3: Pick<S3Config, 'bucket' | 'prefix'>,
    stagingDir: string,
  ) {
    this.bucket = s3.bucket;
    this.prefix = s3.prefix ? `${s3.prefix}/` : '';
    this.stagingDir = resolve(stagingDir);
  }

  async init(): Promise<this> {
    await mkdir(this.stagingDir, { recursive: true });
    return this;
  }

  /** The object key of a storage key (`<queue>/<uuid>`): under the prefix. */
  objectKey(key: string): string {
    return this.prefix + key;
  }

  /** The staged file is removed whether or not the upload succeeds: a failed submit is sent again whole. */
  async put(key: string, stagedPath: string): Promise<void> {
    try {
      const { size } = await stat(stagedPath);
      await withRetries(async () => {
        // A fresh stream per try; with the length known the SDK pipes it as it reads.
        const body = createReadStream(stagedPath);
        try {
          await this.client.send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: this.objectKey(key),
              Body: body,
              ContentLength: size,
              ContentType: 'application/octet-stream',
            }),
          );
        } finally {
          body.destroy();
        }
      });
    } finally {
      await rm(stagedPath, { force: true });
    }
  }

  async open(key: string): Promise<Readable | null> {
    try {
      const object = await withRetries(() => this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
      return object.Body as Readable;
    } catch (err) {
      if (httpStatus(err) === 404) return null;
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    await withRetries(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) })));
  }

  /** Writes and deletes a small object of this process's own, so a read-only key or a missing bucket shows. */
  async writable(): Promise<boolean> {
    const Key = this.objectKey(`.readyz/${hostname()}-${process.pid}`);
    try {
      const abortSignal = AbortSignal.timeout(PROBE_TIMEOUT_MS);
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: '', ContentLength: 0 }), { abortSignal });
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }), { abortSignal });
      return true;
    } catch {
      return false;
    }
  }

  /** A SigV4 presigned GET; the bucket names the download after the file's field name. */
  presignedUrl(key: string, name: string, expiresS: number): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      ResponseContentType: 'application/octet-stream',
      ResponseContentDisposition: `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
    });
    return getSignedUrl(this.client, command, { expiresIn: expiresS });
  }

  close(): void {
    this.client.destroy();
  }
}
