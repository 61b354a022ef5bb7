// An S3-compatible server in this process, on loopback (s3rver): it really stores the
// bytes, under a temp dir. It checks the access key id but not SigV4 signatures, so the
// tests check presigned links' signatures themselves (s3-sigv4.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

/** s3rver's built-in credentials: the key id and the secret are both this. */
export const S3RVER_KEY = 'S3RVER';

export interface TestS3 {
  readonly endpoint: string;
  readonly bucket: string;
  /** Settings that point a server at this bucket. */
  env(extra?: Record<string, string>): Record<string, string>;
  /** A client of our own, to look into the bucket. */
  readonly client: S3Client;
  keys(prefix: string): Promise<string[]>;
  read(key: string): Promise<Buffer>;
  /** Stops answering (connections refused) until start() again, on the same port and data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestS3(bucket = 'xqueue-test'): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), 'xqueue-s3-'));
  let port = 0;
  let server: S3rver | undefined;
  const start = async () => {
    server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets: [{ name: bucket }] });
    port = (await server.run()).port;
  };
  const stop = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = s.close();
    // Keep-alive sockets of the SDK's agents would hold close() open.
    s.httpServer?.closeAllConnections();
    await closed;
  };
  await start();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    bucket,
    client,
    env: (extra = {}) => ({
      XQUEUE_FILE_STORAGE: 's3',
      XQUEUE_S3_BUCKET: bucket,
      XQUEUE_S3_ENDPOINT: endpoint,
      XQUEUE_S3_FORCE_PATH_STYLE: 'true',
      XQUEUE_S3_ACCESS_KEY_ID: S3RVER_KEY,
      XQUEUE_S3_SECRET_ACCESS_KEY: S3RVER_KEY,
      ...extra,
    }),
    async keys(prefix) {
      const r = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (r.Contents ?? []).map((o) => o.Key!).sort();
    },
    async read(key) {
      const r = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    },
    stop,
    start,
    async close() {
      await stop();
      client.destroy();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
