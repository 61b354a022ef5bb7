// /healthz, /readyz, /metrics (spec §9i): no session; Prometheus text with the per-queue
// gauges and counters, callback outcomes, outbox and HTTP durations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { loggedIn, lmsSubmission } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, raw, sleep } from './support.js';

let xq: TestServer;
let lms: FakeLms;
beforeAll(async () => {
  lms = await startFakeLms();
  xq = await startTestServer({ XQUEUE_QUEUES: 'alpha,beta' });
});
afterAll(async () => {
  await xq.close();
  await lms.close();
});

/** The value of one sample line, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

describe('health', () => {
  it('/healthz answers 200 without a session', async () => {
    const r = await raw(xq.url, 'GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.text).not.toMatch(/<html/i);
  });

  it('/readyz answers 200 when the database, migrations and storage are fine', async () => {
    const r = await raw(xq.url, 'GET', '/readyz');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ ready: true, checks: { database: true, migrations: true, storage: true } });
  });

  it('/metrics has per-queue gauges and counters, callbacks, outbox and HTTP durations', async () => {
    const c = await loggedIn(xq.url, xq.password);
    for (let i = 0; i < 3; i++) await c.post('/xqueue/submit/', lmsSubmission(lms.url, { queue: 'alpha', block: `m${i}` }));
    await c.post('/xqueue/submit/', lmsSubmission(lms.url, { queue: 'beta', block: 'mb' }));
    const leased = decodePulled((await c.get('/xqueue/get_submission/?queue_name=alpha')).text);
    const graded = decodePulled((await c.get('/xqueue/get_submission/?queue_name=alpha')).text);
    await c.post('/xqueue/put_result/', { xqueue_header: graded.header, xqueue_body: '{"correct": true, "score": 1, "msg": "ok"}' });
    await lms.waitFor(1);
    await sleep(100);
    const r = await raw(xq.url, 'GET', '/metrics');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    const t = r.text;
    expect(sample(t, 'xqueue_queue_visible', { queue: 'alpha' })).toBe(1);
    expect(sample(t, 'xqueue_queue_visible', { queue: 'beta' })).toBe(1);
    expect(sample(t, 'xqueue_queue_leased', { queue: 'alpha' })).toBe(1);
    expect(sample(t, 'xqueue_queue_leased', { queue: 'beta' })).toBe(0);
    expect(sample(t, 'xqueue_queue_oldest_visible_age_seconds', { queue: 'alpha' })).toBeGreaterThanOrEqual(0);
    expect(sample(t, 'xqueue_submissions_received_total', { queue: 'alpha' })).toBe(3);
    expect(sample(t, 'xqueue_submissions_received_total', { queue: 'beta' })).toBe(1);
    expect(sample(t, 'xqueue_results_stored_total', { queue: 'alpha' })).toBe(1);
    expect(sample(t, 'xqueue_submissions_retired_total', { queue: 'alpha', reason: 'result' })).toBe(1);
    expect(t).toMatch(/^xqueue_callback_attempts_total\{outcome="[^"]+"\} 1$/m);
    expect(sample(t, 'xqueue_outbox_pending')).toBe(0);
    expect(sample(t, 'xqueue_outbox_failed')).toBe(0);
    expect(t).toMatch(/^xqueue_http_request_duration_seconds_count\{[^}]*route="\/xqueue\/submit\/"[^}]*status="200"[^}]*\} 4$/m);
    expect(leased.id).toBeGreaterThan(0);
  });

  it('guards /metrics with a bearer token when configured', async () => {
    const s = await startTestServer({ XQUEUE_METRICS_TOKEN: 'tok-123' });
    try {
      expect((await raw(s.url, 'GET', '/metrics')).status).toBe(401);
      expect((await raw(s.url, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await raw(s.url, 'GET', '/metrics', { headers: { authorization: 'Bearer tok-123' } });
      expect(ok.status).toBe(200);
      expect(ok.text).toContain('xqueue_queue_visible');
      expect((await raw(s.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
