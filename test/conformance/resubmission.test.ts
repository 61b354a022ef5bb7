// Resubmission retiring (spec §5.3, §9e, clients.md §1.7.6): by FULL callback URL, in any
// queue, leased or not; the retired submission's key is refused and no notice is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, lmsHeader, sleep } from './support.js';

let xq: TestServer;
let lms: FakeLms;
let c: XqueueClient;

beforeAll(async () => {
  lms = await startFakeLms();
  xq = await startTestServer({ XQUEUE_QUEUES: 'q1,q2' });
  c = await loggedIn(xq.url, xq.password);
});
afterAll(async () => {
  await xq.close();
  await lms.close();
});

const submit = (callback: string, queue: string, key: string, body = '') =>
  c.post('/xqueue/submit/', { xqueue_header: lmsHeader(callback, queue, key), xqueue_body: body });
const len = async (q: string) => (await c.get(`/xqueue/get_queuelen/?queue_name=${q}`)).json().content;
const pull = async (q: string) => c.get(`/xqueue/get_submission/?queue_name=${q}`);
async function drain(q: string) {
  for (let r = await pull(q); r.json().return_code === 0; r = await pull(q))
    await c.post('/xqueue/put_result/', { xqueue_header: decodePulled(r.text).header, xqueue_body: '{}' });
}

describe('resubmission', () => {
  it('retires an unclaimed older submission with the same callback URL', async () => {
    const url = `${lms.url}/courses/course-v1:Org+CS101+2026/xqueue/3/block-v1:Org+CS101+2026+type@problem+block@r1/score_update`;
    expect((await submit(url, 'q1', 'a'.repeat(32), 'old')).text).toBe(env(0, '1'));
    expect((await submit(url, 'q1', 'b'.repeat(32), 'new')).text).toBe(env(0, '1'));
    const p = decodePulled((await pull('q1')).text);
    expect(p.body).toBe('new');
    expect((await pull('q1')).text).toBe(env(1, "Queue 'q1' is empty"));
    await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: '{}' });
  });

  it('retires a leased one; its key is then refused, and no notice is sent for it', async () => {
    const url = `${lms.url}/courses/c/xqueue/3/block@r2/score_update`;
    const oldHeader = lmsHeader(url, 'q1', 'c'.repeat(32));
    await c.post('/xqueue/submit/', { xqueue_header: oldHeader, xqueue_body: 'old' });
    const leased = decodePulled((await pull('q1')).text);
    expect((await submit(url, 'q1', 'd'.repeat(32), 'new')).text).toBe(env(0, '1'));
    const put = await c.post('/xqueue/put_result/', { xqueue_header: leased.header, xqueue_body: '{"correct": true, "score": 1, "msg": "x"}' });
    expect(put.text).toBe(env(1, 'Incorrect key for submission'));
    await sleep(300);
    expect(lms.callbacks.filter((x) => x.header === oldHeader)).toHaveLength(0);
    await drain('q1');
  });

  it('retires across queues', async () => {
    const url = `${lms.url}/courses/c/xqueue/3/block@r3/score_update`;
    await submit(url, 'q1', 'e'.repeat(32));
    expect(await len('q1')).toBe(1);
    expect((await submit(url, 'q2', 'f'.repeat(32))).text).toBe(env(0, '1'));
    expect(await len('q1')).toBe(0);
    await drain('q2');
  });

  it('does not retire a submission whose URL only shares a 149-character prefix', async () => {
    const prefix = `${lms.url}/courses/course-v1:LongOrganisationName+ComputerScience101+2026_Spring/xqueue/1234/block-v1:LongOrganisationName+ComputerScience101+2026_Spring+type@problem+block@`;
    const a = `${prefix}aaaaaaaaaaaaaaaa/score_update`;
    const b = `${prefix}bbbbbbbbbbbbbbbb/score_update`;
    expect(prefix.length).toBeGreaterThanOrEqual(149);
    expect(a.slice(0, 149)).toBe(b.slice(0, 149));
    expect((await submit(a, 'q1', '1'.repeat(32), 'A')).text).toBe(env(0, '1'));
    expect((await submit(b, 'q1', '2'.repeat(32), 'B')).text).toBe(env(0, '2'));
    const bodies = [decodePulled((await pull('q1')).text), decodePulled((await pull('q1')).text)];
    expect(bodies.map((p) => p.body)).toEqual(['A', 'B']);
    for (const p of bodies) await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: '{}' });
  });

  it('does not retire for a URL that differs only in a query string or a trailing slash', async () => {
    const url = `${lms.url}/courses/c/xqueue/3/block@r5/score_update`;
    await submit(url, 'q2', '3'.repeat(32));
    await submit(`${url}/`, 'q2', '4'.repeat(32));
    expect((await submit(`${url}?x=1`, 'q2', '5'.repeat(32))).text).toBe(env(0, '3'));
    await drain('q2');
  });

  it('does not touch a submission already graded', async () => {
    const url = `${lms.url}/courses/c/xqueue/3/block@r6/score_update`;
    const header = lmsHeader(url, 'q1', '6'.repeat(32));
    await c.post('/xqueue/submit/', { xqueue_header: header, xqueue_body: '' });
    const p = decodePulled((await pull('q1')).text);
    const reply = '{"correct": true, "score": 1, "msg": "<p/>"}';
    expect((await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: reply })).text).toBe(env(0, ''));
    await submit(url, 'q1', '7'.repeat(32));
    // The stored result still answers an identical repeat.
    expect((await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: reply })).text).toBe(env(0, ''));
    await drain('q1');
  });
});
