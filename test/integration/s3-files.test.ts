// Files in an S3-compatible bucket (spec §4, §9g), against s3rver on loopback: uploads
// land in the bucket under the prefix, graders get presigned or proxied links that fetch
// the exact bytes, and a bucket that cannot be written fails the submit cleanly.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, loadRawConfig } from '../../src/config.js';
import { S3FileStore, s3ClientFor } from '../../src/files/s3-store.js';
import { lmsSubmission, loggedIn, type XqueueClient } from '../helpers/client.js';
import { S3RVER_KEY, startTestS3, type TestS3 } from '../helpers/s3-server.js';
import { presignedSignatureValid } from '../helpers/s3-sigv4.js';
import { startTestServer, testDataDir, type TestServer } from '../helpers/server.js';

const LMS = 'http://127.0.0.1:9'; // never called: nothing here is graded
const TTL = 900;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

let s3: TestS3;
let block = 0;

beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(async () => {
  await s3?.close();
});

/** Submits files through the protocol and claims the submission; returns its file links. */
async function submitAndClaim(client: XqueueClient, files: Array<{ field: string; content: Buffer }>): Promise<Record<string, string>> {
  const submitted = await client.post('/xqueue/submit/', lmsSubmission(LMS, { block: `s3-${++block}` }), files);
  expect(submitted.text).toBe('{"return_code": 0, "content": "1"}');
  const pulled = await client.get('/xqueue/get_submission/?queue_name=openedx');
  expect(pulled.json().return_code).toBe(0);
  const content = JSON.parse(pulled.json().content as string) as { xqueue_files: string };
  return JSON.parse(content.xqueue_files) as Record<string, string>;
}

const stagingLeft = (xq: TestServer) => readdirSync(join(xq.dataDir, 'staging'));

describe('S3 storage with presigned links', () => {
  let xq: TestServer;
  let client: XqueueClient;
  beforeAll(async () => {
    xq = await startTestServer(s3.env({ XQUEUE_FILE_LINK_TTL: String(TTL) }));
    client = await loggedIn(xq.url, xq.password);
  });
  afterAll(async () => {
    await xq?.close();
  });

  it('stores each upload under <prefix>/<queue>/ and hands out presigned links to the exact bytes', async () => {
    const code = Buffer.from('print("hello world")\n');
    const binary = randomBytes(70_000);
    const before = await s3.keys('xqueue/openedx/');
    const links = await submitAndClaim(client, [
      { field: 'a.py', content: code },
      { field: 'data é.bin', content: binary },
    ]);

    const added = (await s3.keys('xqueue/openedx/')).filter((k) => !before.includes(k));
    expect(added).toHaveLength(2);
    for (const key of added) expect(key).toMatch(new RegExp(`^xqueue/openedx/${UUID}$`));
    const stored = await Promise.all(added.map(async (k) => sha256(await s3.read(k))));
    expect(stored.sort()).toEqual([sha256(code), sha256(binary)].sort());
    expect(stagingLeft(xq)).toEqual([]);

    expect(Object.keys(links)).toEqual(['a.py', 'data é.bin']);
    for (const [name, content] of [['a.py', code], ['data é.bin', binary]] as const) {
      const url = new URL(links[name]!);
      expect(url.origin).toBe(s3.endpoint);
      expect(url.pathname).toMatch(new RegExp(`^/${s3.bucket}/xqueue/openedx/${UUID}$`));
      expect(url.searchParams.get('X-Amz-Expires')).toBe(String(TTL));
      expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
      const got = await fetch(url);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-disposition')).toBe(`attachment; filename*=UTF-8''${encodeURIComponent(name)}`);
      expect(Buffer.from(await got.arrayBuffer()).equals(content)).toBe(true);
    }

    // s3rver does not check SigV4, so check the signature here: valid for the secret, and
    // covering the lifetime (a link stretched to live longer no longer verifies).
    expect(presignedSignatureValid(links['a.py']!, S3RVER_KEY)).toBe(true);
    expect(presignedSignatureValid(links['a.py']!, 'another-secret')).toBe(false);
    const stretched = new URL(links['a.py']!);
    stretched.searchParams.set('X-Amz-Expires', '604800');
    expect(presignedSignatureValid(stretched.toString(), S3RVER_KEY)).toBe(false);
  });

  it('takes a 10 MB upload through to the bucket and back', async () => {
    const big = randomBytes(10 * 1024 * 1024);
    const links = await submitAndClaim(client, [{ field: 'big.bin', content: big }]);
    const got = await fetch(links['big.bin']!);
    expect(got.status).toBe(200);
    expect(sha256(Buffer.from(await got.arrayBuffer()))).toBe(sha256(big));
    expect(stagingLeft(xq)).toEqual([]);
  });

  it('is ready while the bucket takes writes', async () => {
    const r = await fetch(`${xq.url}/readyz`);
    expect(r.status).toBe(200);
  });
});

describe('S3 storage with proxied links', () => {
  let xq: TestServer;
  beforeAll(async () => {
    xq = await startTestServer(s3.env({ XQUEUE_S3_LINKS: 'proxied', XQUEUE_S3_PREFIX: '/proxied/files/' }));
  });
  afterAll(async () => {
    await xq?.close();
  });

  it('hands out links signed by this server, which stream the bytes from the bucket', async () => {
    const client = await loggedIn(xq.url, xq.password);
    const content = randomBytes(300_000);
    const links = await submitAndClaim(client, [{ field: 'sol.py', content }]);
    const keys = await s3.keys('proxied/files/openedx/');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(new RegExp(`^proxied/files/openedx/${UUID}$`));

    const link = links['sol.py']!;
    expect(link).toMatch(new RegExp(`^${xq.url}/xqueue/files/\\d+/0/sol\\.py\\?expires=\\d+&signature=[0-9a-f]{64}$`));
    const got = await fetch(link);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('application/octet-stream');
    expect(got.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''sol.py");
    expect(Buffer.from(await got.arrayBuffer()).equals(content)).toBe(true);

    const tampered = link.replace(/signature=[0-9a-f]/, (m) => (m.endsWith('0') ? m.slice(0, -1) + '1' : m.slice(0, -1) + '0'));
    expect((await fetch(tampered)).status).toBe(403);
  });
});

const UNAVAILABLE = '{"return_code": 1, "content": "Service unavailable"}';

async function expectRefusedSubmit(xq: TestServer): Promise<void> {
  const client = await loggedIn(xq.url, xq.password);
  const r = await client.post('/xqueue/submit/', lmsSubmission(LMS, { block: `fail-${++block}` }), [
    { field: 'a.py', content: Buffer.from('print(1)\n') },
    { field: 'b.py', content: Buffer.from('print(2)\n') },
  ]);
  expect(r.status).toBe(503);
  expect(r.text).toBe(UNAVAILABLE);
  expect((await client.get('/xqueue/get_queuelen/?queue_name=openedx')).text).toBe('{"return_code": 0, "content": 0}');
  expect(stagingLeft(xq)).toEqual([]);
}

describe('a bucket that cannot be written', () => {
  it('answers submits 503 with no submission created, and /readyz says not ready (no such bucket)', async () => {
    const xq = await startTestServer(s3.env({ XQUEUE_S3_BUCKET: 'no-such-bucket' }));
    try {
      await expectRefusedSubmit(xq);
      const ready = await fetch(`${xq.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: Record<string, boolean> }).checks.storage).toBe(false);
    } finally {
      await xq.close();
    }
  });

  it('answers 503 while the S3 server is down, and recovers when it is back', async () => {
    const xq = await startTestServer(s3.env({ XQUEUE_S3_PREFIX: 'outage' }));
    try {
      expect((await fetch(`${xq.url}/readyz`)).status).toBe(200);
      await s3.stop();
      try {
        await expectRefusedSubmit(xq);
        const ready = await fetch(`${xq.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { checks: Record<string, boolean> }).checks).toMatchObject({ database: true, storage: false });
      } finally {
        await s3.start();
      }
      expect((await fetch(`${xq.url}/readyz`)).status).toBe(200);
      const client = await loggedIn(xq.url, xq.password);
      const links = await submitAndClaim(client, [{ field: 'b.py', content: Buffer.from('print(2)\n') }]);
      expect(await (await fetch(links['b.py']!)).text()).toBe('print(2)\n');
    } finally {
      await xq.close();
    }
  });
});

describe('S3FileStore.put', () => {
  it('streams the staged file to the bucket rather than reading it into memory, then removes it', async () => {
    const dataDir = testDataDir();
    const config = parseConfig(
      loadRawConfig({ ...s3.env({ XQUEUE_S3_PREFIX: 'unit' }), XQUEUE_SECRET_KEY: 'test-secret', XQUEUE_AUTH_PASSWORD: 'x', XQUEUE_MYSQL_PASSWORD: 'x' }, dataDir),
      dataDir,
    );
    const store = await new S3FileStore(s3ClientFor(config.files.s3!), config.files.s3!, join(dataDir, 'staging')).init();
    // What the SDK hands its HTTP handler as the request body, seen just before sending.
    const bodies: unknown[] = [];
    store.client.middlewareStack.add(
      (next) => async (args) => {
        bodies.push((args.request as { body?: unknown }).body);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordRequestBody' },
    );
    const content = randomBytes(10 * 1024 * 1024);
    const staged = join(store.stagingDir, 'upload-1');
    writeFileSync(staged, content);
    try {
      await store.put('q/one', staged);
      expect(bodies).toHaveLength(1);
      expect(bodies[0]).toBeInstanceOf(Readable);
      expect(Buffer.isBuffer(bodies[0]) || bodies[0] instanceof Uint8Array).toBe(false);
      expect(readdirSync(store.stagingDir)).toEqual([]);
      expect(sha256(await s3.read('unit/q/one'))).toBe(sha256(content));

      const opened = await store.open('q/one');
      expect(opened).toBeInstanceOf(Readable);
      const chunks: Buffer[] = [];
      for await (const chunk of opened!) chunks.push(chunk as Buffer);
      expect(sha256(Buffer.concat(chunks))).toBe(sha256(content));

      await store.remove('q/one');
      expect(await store.open('q/one')).toBeNull();
      expect(await s3.keys('unit/')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
