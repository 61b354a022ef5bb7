// Delivery to the LMS from the durable outbox (spec §6, §9b): retried with backoff while
// the LMS fails or is down, delivered once it recovers, never re-sent after a 200.
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeLms } from '../helpers/fake-lms.js';
import { freePort } from '../helpers/free-port.js';
import { lmsSubmission, loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function setup(): Promise<{ xq: TestServer; client: XqueueClient }> {
  // Backoff of at most 1 s between attempts keeps the test short.
  const xq = await startTestServer({ XQUEUE_CALLBACK_BACKOFF_BASE: '1', XQUEUE_CALLBACK_BACKOFF_MAX: '1', XQUEUE_REQUESTS_TIMEOUT: '2' });
  closers.push(() => xq.close());
  return { xq, client: await loggedIn(xq.url, xq.password) };
}

async function gradeOne(client: XqueueClient, lmsUrl: string, reply: string): Promise<string> {
  const submission = lmsSubmission(lmsUrl);
  await client.post('/xqueue/submit/', submission);
  const pulled = JSON.parse((await client.get('/xqueue/get_submission/?queue_name=openedx')).json().content as string) as Record<string, string>;
  const put = await client.post('/xqueue/put_result/', { xqueue_header: pulled.xqueue_header!, xqueue_body: reply });
  expect(put.json()).toEqual({ return_code: 0, content: '' });
  return submission.xqueue_header!;
}

async function outboxRow(xq: TestServer) {
  return xq.server.queue.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
}

describe('outbox delivery', () => {
  it('retries while the LMS answers 500, and stops after its 200', async () => {
    const { xq, client } = await setup();
    const lms = await startFakeLms();
    closers.push(() => lms.close());
    lms.respond = (i) => (i < 2 ? 500 : 200);
    const header = await gradeOne(client, lms.url, '{"correct": false, "score": 0, "msg": "<p>no</p>"}');
    const [delivered] = await lms.waitFor(1, 15_000);
    expect(lms.callbacks.map((c) => c.status)).toEqual([500, 500, 200]);
    expect(delivered!.header).toBe(header);
    await expect.poll(async () => (await outboxRow(xq)).state).toBe('delivered');
    expect((await outboxRow(xq)).attempts).toBe(3);
    const sub = await xq.server.queue.db.selectFrom('submissions').selectAll().executeTakeFirstOrThrow();
    expect(sub.lms_ack).toBe(1);
    expect(sub.num_failures).toBe(2);
    // Nothing more is sent once the LMS said 200.
    await new Promise((r) => setTimeout(r, 1500));
    expect(lms.callbacks).toHaveLength(3);
  });

  it('keeps the callback while the LMS is down and delivers it when the LMS comes back', async () => {
    const { xq, client } = await setup();
    const port = await freePort();
    const header = await gradeOne(client, `http://127.0.0.1:${port}`, '{"correct": true, "score": 1, "msg": "<p>ok</p>"}');
    await expect.poll(async () => (await outboxRow(xq)).attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const down = await outboxRow(xq);
    expect(down.state).toBe('pending');
    expect(down.last_error).toMatch(/ECONNREFUSED|connect/);
    const lms = await startFakeLms(port);
    closers.push(() => lms.close());
    const [delivered] = await lms.waitFor(1, 15_000);
    expect(delivered!.header).toBe(header);
    await expect.poll(async () => (await outboxRow(xq)).state).toBe('delivered');
  });

  it('follows a 307 keeping the POST and its body', async () => {
    const { client } = await setup();
    const lms = await startFakeLms();
    closers.push(() => lms.close());
    const redirector = await startFakeLms();
    closers.push(() => redirector.close());
    redirector.respond = [307, `${lms.url}/moved/score_update`];
    const header = await gradeOne(client, redirector.url, '{"correct": true, "score": 1, "msg": "<p>ok</p>"}');
    const [delivered] = await lms.waitFor(1);
    expect(delivered!.path).toBe('/moved/score_update');
    expect(delivered!.header).toBe(header);
  });

  it('counts a 302 as a failure instead of following it as a GET', async () => {
    const { xq, client } = await setup();
    const redirector = await startFakeLms();
    closers.push(() => redirector.close());
    redirector.respond = [302, 'http://127.0.0.1:9/elsewhere'];
    await gradeOne(client, redirector.url, '{"correct": true, "score": 1, "msg": "<p>ok</p>"}');
    await expect.poll(async () => (await outboxRow(xq)).attempts, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    const row = await outboxRow(xq);
    expect(row.state).toBe('pending');
    expect(row.last_error).toBe('HTTP 302');
  });
});

describe('giving up', () => {
  it('marks a callback failed after the give-up time, keeps it, and counts it in /metrics', async () => {
    const xq = await startTestServer({ XQUEUE_CALLBACK_BACKOFF_BASE: '1', XQUEUE_CALLBACK_BACKOFF_MAX: '1', XQUEUE_CALLBACK_GIVE_UP: '1' });
    closers.push(() => xq.close());
    const client = await loggedIn(xq.url, xq.password);
    const lms = await startFakeLms();
    closers.push(() => lms.close());
    lms.respond = 500;
    await gradeOne(client, lms.url, '{"correct": true, "score": 1, "msg": "<p>ok</p>"}');
    await expect.poll(async () => (await outboxRow(xq)).state, { timeout: 20_000 }).toBe('failed');
    const attempts = (await outboxRow(xq)).attempts;
    expect(attempts).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 2200));
    expect((await outboxRow(xq)).attempts).toBe(attempts);
    const metrics = await fetch(`${xq.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/^xqueue_outbox_failed 1$/m);
    expect(metrics).toMatch(/^xqueue_callback_attempts_total\{outcome="failed"\} \d+$/m);
  });
});
