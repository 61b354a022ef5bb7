// GET /xqueue/get_submission/ (spec §3.6): parameters, FIFO claims, the nested encoding,
// HEAD/OPTIONS claiming nothing, and the LMS header never shown to graders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../src/accounts/users.js';
import { loggedIn, lmsSubmission, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, lmsHeader, raw } from './support.js';

let xq: TestServer;
let c: XqueueClient;
let cookie: string;
let n = 0;
const cb = () => `http://lms.invalid/courses/c/xqueue/3/block@g${++n}/score_update`;

beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'test-pull,tmp,fifo' });
  c = await loggedIn(xq.url, xq.password);
  cookie = `sessionid=${c.sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
});

const len = async (q: string) => (await c.get(`/xqueue/get_queuelen/?queue_name=${q}`)).json().content;

describe('parameters', () => {
  it('asks for queue_name when absent', async () => {
    for (const q of ['', '?', '?block=true', '?queuename=tmp']) {
      expect((await c.get(`/xqueue/get_submission/${q}`)).text).toBe(env(1, "'get_submission' must provide parameter 'queue_name'"));
    }
  });
  it.each([
    ['nosuch', "Queue 'nosuch' not found"],
    ['', "Queue '' not found"],
    ['TMP', "Queue 'TMP' not found"],
    ['a+b', "Queue 'a b' not found"],
    ['%27', "Queue ''' not found"],
  ])('answers queue_name=%s with %s', async (q, content) => {
    expect((await c.get(`/xqueue/get_submission/?queue_name=${q}`)).text).toBe(env(1, content));
  });
  it('decodes bad UTF-8 in the query with U+FFFD', async () => {
    const r = await c.get('/xqueue/get_submission/?queue_name=%FFx');
    expect(r.text).toBe(`{"return_code": 1, "content": "Queue '\\ufffdx' not found"}`);
  });
  it('answers an empty queue with rc 1 quickly', async () => {
    const t = Date.now();
    const r = await c.get('/xqueue/get_submission/?queue_name=test-pull&block=true');
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(1, "Queue 'test-pull' is empty"));
    expect(Date.now() - t).toBeLessThan(900);
  });
  it('hides queues a limited grader may not use', async () => {
    await upsertUser(xq.server.queue.db, 'grader-tmp', { password: 'pw', roles: ['grader'], queues: ['tmp'] });
    const g = await loggedIn(xq.url, 'pw', 'grader-tmp');
    await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'test-pull'), xqueue_body: 'hidden' });
    expect((await g.get('/xqueue/get_submission/?queue_name=test-pull')).text).toBe(env(1, "Queue 'test-pull' not found"));
    expect(await len('test-pull')).toBe(1);
    expect((await g.get('/xqueue/get_submission/?queue_name=tmp')).text).toBe(env(1, "Queue 'tmp' is empty"));
    await c.get('/xqueue/get_submission/?queue_name=test-pull');
  });
});

describe('methods', () => {
  it.each(['HEAD', 'OPTIONS'])('%s claims nothing and answers must use HTTP GET', async (method) => {
    await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'tmp'), xqueue_body: 'm' });
    const before = await len('tmp');
    const r = await raw(xq.url, method, '/xqueue/get_submission/?queue_name=tmp', { headers: { cookie } });
    expect(r.status).toBe(200);
    if (method === 'OPTIONS') expect(r.text).toBe(env(1, "'get_submission' must use HTTP GET"));
    else expect(r.body.length).toBe(0);
    expect(await len('tmp')).toBe(before);
    decodePulled((await c.get('/xqueue/get_submission/?queue_name=tmp')).text);
  });
});

describe('claims', () => {
  it('hands out submissions oldest first, each once, with the exact nested encoding', async () => {
    const forms = [1, 2, 3].map((i) => lmsSubmission('http://lms.invalid', { queue: 'fifo', block: `fifo${i}`, response: `answer ${i} ✓` }));
    const ids: number[] = [];
    for (const f of forms) await c.post('/xqueue/submit/', f);
    for (let i = 0; i < 3; i++) {
      const r = await c.get('/xqueue/get_submission/?queue_name=fifo');
      const p = decodePulled(r.text);
      ids.push(p.id);
      expect(p.body).toBe(forms[i]!.xqueue_body);
      expect(p.key).toMatch(/^[0-9a-f]{32}$/);
      expect(p.header).toBe(`{"submission_id": ${p.id}, "submission_key": "${p.key}"}`);
      // The exact bytes, rebuilt by hand from what json.dumps would write at each level.
      const q = (s: string) => JSON.stringify(s).replace(/[\u007f-\uffff]/g, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
      const content = `{"xqueue_header": ${q(p.header)}, "xqueue_body": ${q(forms[i]!.xqueue_body!)}, "xqueue_files": "{}"}`;
      expect(r.text).toBe(`{"return_code": 0, "content": ${q(content)}}`);
      // Never the LMS header.
      const lms = JSON.parse(forms[i]!.xqueue_header!) as { lms_key: string; lms_callback_url: string };
      expect(r.text).not.toContain(lms.lms_key);
      expect(r.text).not.toContain('lms_callback_url');
      expect(r.text).not.toContain('score_update');
      expect(r.text).not.toContain('queue_name');
    }
    expect(ids[0]).toBeLessThan(ids[1]!);
    expect(ids[1]).toBeLessThan(ids[2]!);
    expect((await c.get('/xqueue/get_submission/?queue_name=fifo')).text).toBe(env(1, "Queue 'fifo' is empty"));
  });

  it('gives concurrent pollers distinct submissions', async () => {
    for (let i = 0; i < 6; i++) await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'fifo'), xqueue_body: String(i) });
    const replies = await Promise.all(Array.from({ length: 10 }, () => c.get('/xqueue/get_submission/?queue_name=fifo')));
    const got = replies.filter((r) => r.json().return_code === 0).map((r) => decodePulled(r.text).id);
    expect(got).toHaveLength(6);
    expect(new Set(got).size).toBe(6);
    expect(replies.filter((r) => r.text === env(1, "Queue 'fifo' is empty"))).toHaveLength(4);
  });

  it('holds an empty-queue request with wait= and answers as soon as work arrives', async () => {
    const pending = c.get('/xqueue/get_submission/?queue_name=fifo&wait=3000');
    await new Promise((r) => setTimeout(r, 200));
    const t = Date.now();
    await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'fifo'), xqueue_body: 'waited' });
    const r = await pending;
    expect(decodePulled(r.text).body).toBe('waited');
    expect(Date.now() - t).toBeLessThan(1500);
  });
});
