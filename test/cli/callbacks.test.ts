// `xqueue callbacks list|resend` on the database of a running server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { assertBuilt, runCli } from './run-cli.js';

let xq: TestServer;
let lms: FakeLms;
beforeAll(async () => {
  assertBuilt();
  xq = await startTestServer({ XQUEUE_CALLBACK_BACKOFF_BASE: '1', XQUEUE_CALLBACK_BACKOFF_MAX: '1', XQUEUE_CALLBACK_GIVE_UP: '1' });
  lms = await startFakeLms();
});
afterAll(async () => {
  await xq.close();
  await lms.close();
});

describe('xqueue callbacks', () => {
  it('lists a callback given up on and sends it again once the LMS works', async () => {
    lms.respond = 503;
    const client = await loggedIn(xq.url, xq.password);
    const submission = lmsSubmission(lms.url);
    await client.post('/xqueue/submit/', submission);
    const pulled = JSON.parse((await client.get('/xqueue/get_submission/?queue_name=openedx')).json().content as string) as Record<string, string>;
    await client.post('/xqueue/put_result/', { xqueue_header: pulled.xqueue_header!, xqueue_body: '{"correct": true, "score": 1, "msg": "ok"}' });
    const env = { XQUEUE_DATA_DIR: xq.dataDir };
    await expect.poll(async () => (await runCli(['callbacks', 'list'], env)).stdout, { timeout: 10_000 }).toMatch(/HTTP 503/);
    const listed = await runCli(['callbacks', 'list'], env);
    expect(listed.stdout.split('\n')[0]).toMatch(/^SUBMISSION\s+KIND\s+ATTEMPTS\s+SINCE\s+LAST ERROR\s+URL$/);
    expect(listed.stdout).toMatch(/^1\s+result\s+\d+\s+\S+\s+HTTP 503\s+http:\/\/127\.0\.0\.1:\d+\/courses\//m);

    const usage = await runCli(['callbacks', 'resend'], env);
    expect(usage.code).not.toBe(0);
    lms.respond = 200;
    const resent = await runCli(['callbacks', 'resend', '1'], env);
    expect(resent.stdout).toBe('1 callback queued for delivery\n');
    const [delivered] = await lms.waitFor(1);
    expect(delivered!.header).toBe(submission.xqueue_header);
    await expect.poll(async () => (await runCli(['callbacks', 'list'], env)).stdout).toBe('no failed callbacks\n');
  });
});
