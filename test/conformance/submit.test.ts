// POST /xqueue/submit/ (spec §1.3, §3.4): fields, files, every format error, Python str()
// queue names, and the visible length as a string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../src/accounts/users.js';
import { lmsSubmission, loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, ENVELOPE_TYPE, lmsHeader, raw } from './support.js';

let xq: TestServer;
let c: XqueueClient;
let cookie: string;
let n = 0;
const cb = () => `http://lms.invalid/courses/course-v1:Org+CS101+2026/xqueue/3/block-v1:Org+CS101+2026+type@problem+block@s${++n}/score_update`;

beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'openedx,tmp,other' });
  c = await loggedIn(xq.url, xq.password);
  cookie = `sessionid=${c.sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
});

/** Drains a queue so each test starts from an empty one. */
async function drain(queue: string): Promise<void> {
  for (;;) {
    const r = await c.get(`/xqueue/get_submission/?queue_name=${queue}`);
    if (r.json().return_code !== 0) return;
    const p = decodePulled(r.text);
    await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: '{}' });
  }
}

const post = (form: Record<string, string>) => c.post('/xqueue/submit/', form);
const urlencoded = (body: string) =>
  raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });

describe('success', () => {
  it('accepts an urlencoded submission and answers the visible length as a string', async () => {
    await drain('tmp');
    const r = await post({ ...lmsSubmission('http://lms.invalid', { queue: 'tmp', block: 'a1' }) });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(ENVELOPE_TYPE);
    expect(r.text).toBe(env(0, '1'));
    expect((await post(lmsSubmission('http://lms.invalid', { queue: 'tmp', block: 'a2' }))).text).toBe(env(0, '2'));
    // A leased submission is not visible, so it is not counted.
    await c.get('/xqueue/get_submission/?queue_name=tmp');
    expect((await post(lmsSubmission('http://lms.invalid', { queue: 'tmp', block: 'a3' }))).text).toBe(env(0, '2'));
    // Other queues do not count.
    expect((await post(lmsSubmission('http://lms.invalid', { queue: 'other', block: 'a4' }))).text).toBe(env(0, '1'));
    await drain('tmp');
    await drain('other');
  });

  it('allows an empty xqueue_body, and stores the body verbatim', async () => {
    await drain('tmp');
    expect((await post({ xqueue_header: lmsHeader(cb(), 'tmp'), xqueue_body: '' })).text).toBe(env(0, '1'));
    const p = decodePulled((await c.get('/xqueue/get_submission/?queue_name=tmp')).text);
    expect(p.body).toBe('');
    expect(p.files).toEqual({});
    await drain('tmp');
  });

  it('ignores unknown fields, takes the last value of a repeated field, ignores the charset parameter', async () => {
    await drain('tmp');
    const h = encodeURIComponent(lmsHeader(cb(), 'tmp'));
    const r = await raw(xq.url, 'POST', '/xqueue/submit/', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: `block=true&xqueue_body=first&xqueue_header=${h}&xqueue_body=second+%E2%9C%93&unknown=1`,
    });
    expect(r.text).toBe(env(0, '1'));
    const pulled = await c.get('/xqueue/get_submission/?queue_name=tmp');
    expect(decodePulled(pulled.text).body).toBe('second ✓');
    expect(pulled.text).toContain('second \\\\u2713');
    await drain('tmp');
  });

  it('does not interpret lms_key or extra header keys', async () => {
    await drain('tmp');
    const header = `{"lms_callback_url": "${cb()}", "lms_key": 12, "queue_name": "tmp", "extra": {"x": [1]}}`;
    expect((await post({ xqueue_header: header, xqueue_body: 'x' })).text).toBe(env(0, '1'));
    await drain('tmp');
  });

  it('accepts a header exactly at the 8192-character limit', async () => {
    await drain('tmp');
    const base = lmsHeader(cb(), 'tmp');
    const header = base.slice(0, -1) + `, "pad": "${'x'.repeat(8192 - base.length - 11)}"}`;
    expect(header.length).toBe(8192);
    expect((await post({ xqueue_header: header, xqueue_body: '' })).text).toBe(env(0, '1'));
    await drain('tmp');
  });

  it('accepts 4-byte UTF-8 anywhere and hands it back escaped at each level', async () => {
    await drain('tmp');
    const header = `{"lms_callback_url": "${cb()}?é", "lms_key": "😀", "queue_name": "tmp"}`;
    expect((await post({ xqueue_header: header, xqueue_body: 'print("😀")' })).text).toBe(env(0, '1'));
    const pulled = await c.get('/xqueue/get_submission/?queue_name=tmp');
    expect(decodePulled(pulled.text).body).toBe('print("😀")');
    expect(pulled.text).toContain('print(\\\\\\"\\\\ud83d\\\\ude00\\\\\\")');
    await drain('tmp');
  });

  it('accepts the three parts as multipart fields without files', async () => {
    await drain('tmp');
    const r = await c.request('POST', '/xqueue/submit/', { form: lmsSubmission('http://lms.invalid', { queue: 'tmp', block: 'mp' }), files: [] });
    expect(r.text).toBe(env(0, '1'));
    await drain('tmp');
  });
});

describe('Queue request has invalid format (§3.4 step 2)', () => {
  const INVALID = env(1, 'Queue request has invalid format');
  const good = () => lmsHeader(cb(), 'tmp');

  it.each([
    ['no xqueue_header', () => ({ xqueue_body: 'x' })],
    ['no xqueue_body', () => ({ xqueue_header: good() })],
    ['no fields', () => ({})],
    ['header not JSON', () => ({ xqueue_header: '{lms_callback_url:', xqueue_body: '' })],
    ['header empty', () => ({ xqueue_header: '', xqueue_body: '' })],
    ['header a JSON array', () => ({ xqueue_header: `[${good()}]`, xqueue_body: '' })],
    ['header a JSON string', () => ({ xqueue_header: JSON.stringify(good()), xqueue_body: '' })],
    ['header a number', () => ({ xqueue_header: '5', xqueue_body: '' })],
    ['header null', () => ({ xqueue_header: 'null', xqueue_body: '' })],
    ['header true', () => ({ xqueue_header: 'true', xqueue_body: '' })],
    ['no lms_callback_url', () => ({ xqueue_header: '{"lms_key": "k", "queue_name": "tmp"}', xqueue_body: '' })],
    ['no lms_key', () => ({ xqueue_header: `{"lms_callback_url": "${cb()}", "queue_name": "tmp"}`, xqueue_body: '' })],
    ['no queue_name', () => ({ xqueue_header: `{"lms_callback_url": "${cb()}", "lms_key": "k"}`, xqueue_body: '' })],
    ['callback URL a number', () => ({ xqueue_header: '{"lms_callback_url": 5, "lms_key": "k", "queue_name": "tmp"}', xqueue_body: '' })],
    ['callback URL null', () => ({ xqueue_header: '{"lms_callback_url": null, "lms_key": "k", "queue_name": "tmp"}', xqueue_body: '' })],
    ['callback URL an object', () => ({ xqueue_header: '{"lms_callback_url": {"u": "x"}, "lms_key": "k", "queue_name": "tmp"}', xqueue_body: '' })],
    ['callback URL a list', () => ({ xqueue_header: '{"lms_callback_url": ["x"], "lms_key": "k", "queue_name": "tmp"}', xqueue_body: '' })],
    ['callback URL true', () => ({ xqueue_header: '{"lms_callback_url": true, "lms_key": "k", "queue_name": "tmp"}', xqueue_body: '' })],
    ['queue_name an array', () => ({ xqueue_header: `{"lms_callback_url": "${cb()}", "lms_key": "k", "queue_name": ["tmp"]}`, xqueue_body: '' })],
    ['queue_name an object', () => ({ xqueue_header: `{"lms_callback_url": "${cb()}", "lms_key": "k", "queue_name": {"tmp": 1}}`, xqueue_body: '' })],
    ['queue_name an empty array', () => ({ xqueue_header: `{"lms_callback_url": "${cb()}", "lms_key": "k", "queue_name": []}`, xqueue_body: '' })],
    ['header one over the limit', () => {
      const base = good();
      return { xqueue_header: base.slice(0, -1) + `, "pad": "${'x'.repeat(8193 - base.length - 11)}"}`, xqueue_body: '' };
    }],
    ['header far over the limit', () => ({ xqueue_header: good().slice(0, -1) + `, "pad": "${'x'.repeat(100_000)}"}`, xqueue_body: '' })],
  ])('%s', async (_name, form) => {
    const f = form() as Record<string, string>;
    if (_name === 'header one over the limit') expect(f.xqueue_header!.length).toBe(8193);
    const r = await post(f);
    expect(r.status).toBe(200);
    expect(r.text).toBe(INVALID);
  });

  it('refuses a body or header that is not valid UTF-8 (urlencoded)', async () => {
    const h = encodeURIComponent(good());
    for (const body of [`xqueue_header=${h}&xqueue_body=%FF`, `xqueue_header=${h}%C3&xqueue_body=x`, `xqueue_header=${h}&xqueue_body=%ED%A0%80`, `xqueue_header=${h}&xqueue_body=%C0%AF`]) {
      const r = await urlencoded(body);
      expect(r.text, body).toBe(INVALID);
    }
  });

  it('refuses a body that is not valid UTF-8 (multipart)', async () => {
    const boundary = 'XQUEUEBOUNDARY';
    const body = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="xqueue_header"\r\n\r\n${good()}\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="xqueue_body"\r\n\r\n`),
      Buffer.from([0x61, 0xff, 0xfe, 0x62]),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const r = await raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, body });
    expect(r.text).toBe(INVALID);
  });

  it('treats a JSON body as having no fields', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/submit/', {
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ xqueue_header: good(), xqueue_body: '' }),
    });
    expect(r.text).toBe(INVALID);
  });

  it('treats a POST without a body as having no fields', async () => {
    const r = await raw(xq.url, 'POST', '/xqueue/submit/', { headers: { cookie } });
    expect(r.text).toBe(INVALID);
  });

  it('stores nothing for an invalid submission', async () => {
    await drain('tmp');
    await post({ xqueue_header: `{"lms_callback_url": 1, "lms_key": "k", "queue_name": "tmp"}`, xqueue_body: '' });
    expect((await c.get('/xqueue/get_queuelen/?queue_name=tmp')).text).toBe(env(0, 0));
  });
});

describe('queue names (§3.4 step 3)', () => {
  const header = (q: string) => `{"lms_callback_url": "${cb()}", "lms_key": "k", "queue_name": ${q}}`;
  it.each([
    ['"nosuch"', "Queue 'nosuch' not found"],
    ['""', "Queue '' not found"],
    ['"TMP"', "Queue 'TMP' not found"],
    ['"tmp "', "Queue 'tmp ' not found"],
    ['5', "Queue '5' not found"],
    ['-3', "Queue '-3' not found"],
    ['12345678901234567890', "Queue '12345678901234567890' not found"],
    ['5.0', "Queue '5.0' not found"],
    ['2.5', "Queue '2.5' not found"],
    ['1e2', "Queue '100.0' not found"],
    ['1e400', "Queue 'inf' not found"],
    ['-1e400', "Queue '-inf' not found"],
    ['true', "Queue 'True' not found"],
    ['false', "Queue 'False' not found"],
    ['null', "Queue 'None' not found"],
  ])('queue_name %s → %s', async (q, content) => {
    const r = await post({ xqueue_header: header(q), xqueue_body: '' });
    expect(r.text).toBe(env(1, content));
  });

  it('escapes a non-ASCII queue name in the reply', async () => {
    const r = await post({ xqueue_header: header('"caf\\u00e9"'), xqueue_body: '' });
    expect(r.text).toBe(`{"return_code": 1, "content": "Queue 'caf\\u00e9' not found"}`);
  });

  it('uses the last queue_name of a header with the key twice', async () => {
    const h = `{"lms_callback_url": "${cb()}", "lms_key": "k", "queue_name": "tmp", "queue_name": 7}`;
    expect((await post({ xqueue_header: h, xqueue_body: '' })).text).toBe(env(1, "Queue '7' not found"));
  });

  it('hides queues a limited submitter may not use', async () => {
    await upsertUser(xq.server.queue.db, 'sub-tmp', { password: 'pw', roles: ['submitter'], queues: ['tmp'] });
    const s = await loggedIn(xq.url, 'pw', 'sub-tmp');
    expect((await s.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'other'), xqueue_body: '' })).text).toBe(env(1, "Queue 'other' not found"));
    await drain('tmp');
    expect((await s.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'tmp'), xqueue_body: '' })).text).toBe(env(0, '1'));
    await drain('tmp');
  });
});

describe('method (§3.4 step 1)', () => {
  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('%s → Queue requests should use HTTP POST', async (method) => {
    const r = await raw(xq.url, method, '/xqueue/submit/', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: method === 'GET' ? undefined : new URLSearchParams(lmsSubmission('http://lms.invalid', { queue: 'tmp' })).toString(),
    });
    expect(r.status).toBe(200);
    expect(r.text).toBe(env(1, 'Queue requests should use HTTP POST'));
  });
  it('stores nothing for a PUT', async () => {
    await drain('tmp');
    await raw(xq.url, 'PUT', '/xqueue/submit/', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(lmsSubmission('http://lms.invalid', { queue: 'tmp' })).toString(),
    });
    expect((await c.get('/xqueue/get_queuelen/?queue_name=tmp')).text).toBe(env(0, 0));
  });
});
