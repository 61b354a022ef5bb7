// GET /xqueue/get_queuelen/ (spec §3.5): integer content, configured order, permitted queues only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertUser } from '../../src/accounts/users.js';
import { loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { env, ENVELOPE_TYPE, lmsHeader, raw } from './support.js';

let xq: TestServer;
let c: XqueueClient;
let cookie: string;
let n = 0;
const cb = () => `http://lms.invalid/courses/c/xqueue/3/block@q${++n}/score_update`;

beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'test-pull,tmp,push=http://127.0.0.1:9/push' });
  c = await loggedIn(xq.url, xq.password);
  cookie = `sessionid=${c.sessionCookie!}`;
});
afterAll(async () => {
  await xq.close();
});

describe('GET /xqueue/get_queuelen/', () => {
  it('answers an integer, counting only visible submissions', async () => {
    const r = await c.get('/xqueue/get_queuelen/?queue_name=tmp');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(ENVELOPE_TYPE);
    expect(r.text).toBe('{"return_code": 0, "content": 0}');
    for (let i = 0; i < 3; i++) await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'tmp'), xqueue_body: '' });
    expect((await c.get('/xqueue/get_queuelen/?queue_name=tmp')).text).toBe('{"return_code": 0, "content": 3}');
    expect((await c.get('/xqueue/get_queuelen/?queue_name=test-pull')).text).toBe('{"return_code": 0, "content": 0}');
    await c.get('/xqueue/get_submission/?queue_name=tmp');
    expect((await c.get('/xqueue/get_queuelen/?queue_name=tmp')).text).toBe('{"return_code": 0, "content": 2}');
  });

  it('answers OPTIONS like GET, and HEAD with no body', async () => {
    const o = await raw(xq.url, 'OPTIONS', '/xqueue/get_queuelen/?queue_name=test-pull', { headers: { cookie } });
    expect(o.text).toBe(env(0, 0));
    const h = await raw(xq.url, 'HEAD', '/xqueue/get_queuelen/?queue_name=test-pull', { headers: { cookie } });
    expect(h.status).toBe(200);
    expect(h.body.length).toBe(0);
  });

  it('ignores unknown parameters and takes the last of a repeated one', async () => {
    expect((await c.get('/xqueue/get_queuelen/?block=true&queue_name=nosuch&queue_name=test-pull')).text).toBe(env(0, 0));
    expect((await c.get('/xqueue/get_queuelen/?queue_name=te%73t-pull')).text).toBe(env(0, 0));
  });

  it('asks for the parameter when it is absent', async () => {
    for (const q of ['', '?', '?queue=tmp', '?Queue_Name=tmp']) {
      const r = await c.get(`/xqueue/get_queuelen/${q}`);
      expect(r.text, q).toBe(env(1, "'get_queuelen' must provide parameter 'queue_name'"));
    }
  });

  it('lists the valid queue names, in configuration order, for an unknown or empty name', async () => {
    for (const q of ['nosuch', '', 'TMP', 'tmp%20', '%FF', 'push%3Dhttp']) {
      const r = await c.get(`/xqueue/get_queuelen/?queue_name=${q}`);
      expect(r.text, q).toBe(env(1, 'Valid queue names are: test-pull, tmp, push'));
    }
    expect((await c.get('/xqueue/get_queuelen/?queue_name')).text).toBe(env(1, 'Valid queue names are: test-pull, tmp, push'));
  });

  it('lists only the queues a limited user may see, and treats others as unknown', async () => {
    await upsertUser(xq.server.queue.db, 'limited', { password: 'pw-l', roles: ['grader'], queues: ['push', 'tmp'] });
    const l = await loggedIn(xq.url, 'pw-l', 'limited');
    expect((await l.get('/xqueue/get_queuelen/?queue_name=test-pull')).text).toBe(env(1, 'Valid queue names are: tmp, push'));
    expect((await l.get('/xqueue/get_queuelen/?queue_name=push')).text).toBe(env(0, 0));
  });
});
