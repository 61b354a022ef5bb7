// POST /xqueue/put_result/ (spec §3.7, §6, §9b): every row of the table in order, the
// accepted id forms, idempotent repeats, and the callback's exact form body.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../src/accounts/users.js';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { loggedIn, lmsSubmission, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, pyUrlencode, raw, sleep, type Pulled } from './support.js';

let xq: TestServer;
let lms: FakeLms;
let c: XqueueClient;
let cookie: string;
let n = 0;

beforeAll(async () => {
  lms = await startFakeLms();
  xq = await startTestServer({ XQUEUE_QUEUES: 'pr,hidden' });
  c = await loggedIn(xq.url, xq.password);
  cookie = `sessionid=${c.sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
  await lms.close();
});

const REPLY = '{"correct": true, "score": 1.0, "msg": "<p>Good job!</p>"}';

async function claimOne(queue = 'pr'): Promise<Pulled & { form: Record<string, string> }> {
  const form = lmsSubmission(lms.url, { queue, block: `pr${++n}` });
  expect((await c.post('/xqueue/submit/', form)).json().return_code).toBe(0);
  return { ...decodePulled((await c.get(`/xqueue/get_submission/?queue_name=${queue}`)).text), form };
}
const put = (xqueue_header: string, xqueue_body = REPLY) => c.post('/xqueue/put_result/', { xqueue_header, xqueue_body });
const hdr = (id: unknown, key: unknown) => JSON.stringify({ submission_id: id, submission_key: key });
const callbacksFor = (form: Record<string, string>) => lms.callbacks.filter((cb) => cb.header === form.xqueue_header);
async function firstCallback(form: Record<string, string>) {
  for (let t = 0; t < 100 && callbacksFor(form).length === 0; t++) await sleep(50);
  const [got] = callbacksFor(form);
  if (!got) throw new Error('no callback arrived');
  return got;
}

describe('success and the callback (§6)', () => {
  it('stores the reply, answers "" and POSTs the exact stored header and reply to the LMS', async () => {
    const p = await claimOne();
    const reply = '{"correct": false, "score": 0.5, "msg": "<div>caf\u00e9 😀 a+b&c=d %20</div>"}';
    const r = await put(p.header, reply);
    expect(r.status).toBe(200);
    expect(r.text).toBe('{"return_code": 0, "content": ""}');
    const got = await firstCallback(p.form);
    expect(got.path).toBe(new URL((JSON.parse(p.form.xqueue_header!) as { lms_callback_url: string }).lms_callback_url).pathname);
    expect(got.contentType).toBe('application/x-www-form-urlencoded');
    expect(got.header).toBe(p.form.xqueue_header);
    expect(got.body).toBe(reply);
    expect(got.raw).toBe(pyUrlencode([['xqueue_header', p.form.xqueue_header!], ['xqueue_body', reply]]));
  });

  it('accepts the Tutor CLI form: submission_id as a string, score a float', async () => {
    const p = await claimOne();
    expect((await put(`{"submission_id": "${p.id}", "submission_key": "${p.key}"}`, '{"correct": true, "score": 0.9, "msg": "ok"}')).text).toBe(env(0, ''));
  });

  it.each([
    ['a signed string', (id: number) => `"+${id}"`],
    ['a space-padded string', (id: number) => `"  ${id} "`],
    ['a zero-padded string', (id: number) => `"000${id}"`],
    ['a float', (id: number) => `${id}.7`],
    ['an exponent float', (id: number) => `${id}e0`],
  ])('accepts submission_id as %s', async (_name, idText) => {
    const p = await claimOne();
    expect((await put(`{"submission_id": ${idText(p.id)}, "submission_key": "${p.key}"}`)).text).toBe(env(0, ''));
  });

  it('forwards a reply of any shape verbatim', async () => {
    const p = await claimOne();
    const odd = 'not json at all \u0001 ✓';
    expect((await put(p.header, odd)).text).toBe(env(0, ''));
    expect((await firstCallback(p.form)).body).toBe(odd);
  });
});

describe('the table of §3.7, in order', () => {
  const FORMAT = env(1, 'Incorrect reply format');

  it.each(['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])('%s → must use HTTP POST', async (method) => {
    const p = await claimOne();
    const r = await raw(xq.url, method, '/xqueue/put_result/', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: method === 'GET' ? undefined : new URLSearchParams({ xqueue_header: p.header, xqueue_body: REPLY }).toString(),
    });
    expect(r.text).toBe(env(1, "'put_result' must use HTTP POST"));
    // Nothing was stored: the real POST still works.
    expect((await put(p.header)).text).toBe(env(0, ''));
  });

  it.each([
    ['no fields', {}],
    ['no xqueue_body', { xqueue_header: hdr(1, 'k') }],
    ['no xqueue_header', { xqueue_body: REPLY }],
    ['header not JSON', { xqueue_header: 'submission_id=1', xqueue_body: REPLY }],
    ['header an array', { xqueue_header: '[1, "k"]', xqueue_body: REPLY }],
    ['header a string', { xqueue_header: '"x"', xqueue_body: REPLY }],
    ['header null', { xqueue_header: 'null', xqueue_body: REPLY }],
    ['header empty', { xqueue_header: '', xqueue_body: REPLY }],
    ['no submission_id', { xqueue_header: '{"submission_key": "k"}', xqueue_body: REPLY }],
    ['no submission_key', { xqueue_header: '{"submission_id": 1}', xqueue_body: REPLY }],
    ['id true', { xqueue_header: '{"submission_id": true, "submission_key": "k"}', xqueue_body: REPLY }],
    ['id false', { xqueue_header: '{"submission_id": false, "submission_key": "k"}', xqueue_body: REPLY }],
    ['id null', { xqueue_header: '{"submission_id": null, "submission_key": "k"}', xqueue_body: REPLY }],
    ['id a list', { xqueue_header: '{"submission_id": [1], "submission_key": "k"}', xqueue_body: REPLY }],
    ['id an object', { xqueue_header: '{"submission_id": {"a": 1}, "submission_key": "k"}', xqueue_body: REPLY }],
    ['id "abc"', { xqueue_header: '{"submission_id": "abc", "submission_key": "k"}', xqueue_body: REPLY }],
    ['id "1.5"', { xqueue_header: '{"submission_id": "1.5", "submission_key": "k"}', xqueue_body: REPLY }],
    ['id ""', { xqueue_header: '{"submission_id": "", "submission_key": "k"}', xqueue_body: REPLY }],
    ['id "1 2"', { xqueue_header: '{"submission_id": "1 2", "submission_key": "k"}', xqueue_body: REPLY }],
    ['id "0x10"', { xqueue_header: '{"submission_id": "0x10", "submission_key": "k"}', xqueue_body: REPLY }],
    ['id "+-1"', { xqueue_header: '{"submission_id": "+-1", "submission_key": "k"}', xqueue_body: REPLY }],
    ['id 1e400 (not finite)', { xqueue_header: '{"submission_id": 1e400, "submission_key": "k"}', xqueue_body: REPLY }],
  ])('%s → Incorrect reply format', async (_name, form) => {
    const r = await c.post('/xqueue/put_result/', form as Record<string, string>);
    expect(r.status).toBe(200);
    expect(r.text).toBe(FORMAT);
  });

  it('refuses a reply or header that is not UTF-8', async () => {
    const p = await claimOne();
    const r = await raw(xq.url, 'POST', '/xqueue/put_result/', {
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `xqueue_header=${encodeURIComponent(p.header)}&xqueue_body=%C3%28`,
    });
    expect(r.text).toBe(FORMAT);
    expect((await put(p.header)).text).toBe(env(0, ''));
  });

  it('treats a JSON body as no fields', async () => {
    const p = await claimOne();
    const r = await raw(xq.url, 'POST', '/xqueue/put_result/', {
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ xqueue_header: p.header, xqueue_body: REPLY }),
    });
    expect(r.text).toBe(FORMAT);
  });

  it.each([
    ['an unknown id', () => hdr(99_999_999, 'k')],
    ['an unknown string id', () => hdr('99999999', 'k')],
    ['a negative id', () => hdr('-1', 'k')],
    ['id 0', () => hdr(0, 'k')],
    ['a huge id', () => hdr('123456789012345678901234567890', 'k')],
  ])('%s → Submission does not exist', async (_name, h) => {
    expect((await put(h())).text).toBe(env(1, 'Submission does not exist'));
  });

  it('answers Submission does not exist for a queue the grader may not use', async () => {
    const p = await claimOne('hidden');
    await upsertUser(xq.server.queue.db, 'grader-pr', { password: 'pw', roles: ['grader'], queues: ['pr'] });
    const g = await loggedIn(xq.url, 'pw', 'grader-pr');
    expect((await g.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: REPLY })).text).toBe(env(1, 'Submission does not exist'));
    expect((await put(p.header)).text).toBe(env(0, ''));
  });

  it('answers an identical repeat with "" and no second callback; a different body with already recorded', async () => {
    const p = await claimOne();
    expect((await put(p.header)).text).toBe(env(0, ''));
    const id = hdr(String(p.id), p.key);
    expect((await put(p.header)).text).toBe(env(0, ''));
    expect((await put(id)).text).toBe(env(0, ''));
    expect((await put(p.header, REPLY + ' ')).text).toBe(env(1, 'Result already recorded for submission'));
    expect((await put(p.header, '')).text).toBe(env(1, 'Result already recorded for submission'));
    // A wrong key after the result: the key check.
    expect((await put(hdr(p.id, 'f'.repeat(32)))).text).toBe(env(1, 'Incorrect key for submission'));
    await firstCallback(p.form);
    await sleep(300);
    expect(callbacksFor(p.form)).toHaveLength(1);
    expect(callbacksFor(p.form)[0]!.body).toBe(REPLY);
  });

  it.each([
    ['a wrong key', (p: Pulled) => hdr(p.id, 'f'.repeat(32))],
    ['an upper-case key', (p: Pulled) => hdr(p.id, p.key.toUpperCase())],
    ['a padded key', (p: Pulled) => hdr(p.id, ` ${p.key}`)],
    ['an empty key', (p: Pulled) => hdr(p.id, '')],
    ['a null key', (p: Pulled) => hdr(p.id, null)],
    ['a numeric key', (p: Pulled) => hdr(p.id, 123)],
    ['a list key', (p: Pulled) => hdr(p.id, [p.key])],
  ])('%s → Incorrect key for submission', async (_name, h) => {
    const p = await claimOne();
    expect((await put(h(p))).text).toBe(env(1, 'Incorrect key for submission'));
    expect((await put(p.header)).text).toBe(env(0, ''));
  });

  it('refuses an empty key on a never-claimed submission (pullkey is empty)', async () => {
    const form = lmsSubmission(lms.url, { queue: 'pr', block: `pr${++n}` });
    await c.post('/xqueue/submit/', form);
    const p = decodePulled((await c.get('/xqueue/get_submission/?queue_name=pr')).text);
    // p is the one just submitted (queue otherwise empty); the next submission has never been claimed
    await c.post('/xqueue/submit/', lmsSubmission(lms.url, { queue: 'pr', block: `pr${++n}` }));
    expect((await put(hdr(p.id + 1, ''))).text).toBe(env(1, 'Incorrect key for submission'));
    await put(p.header);
    const q = decodePulled((await c.get('/xqueue/get_submission/?queue_name=pr')).text);
    expect(q.id).toBe(p.id + 1);
    await put(q.header);
  });
});
