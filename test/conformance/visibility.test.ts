// Visibility timeout (spec §3.6, §5.2, §9d): a lease of 1 s; after it a re-claim rotates
// the key, and the old key is refused; before it, the key stays valid after expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggedIn, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, lmsHeader, sleep } from './support.js';

let xq: TestServer;
let c: XqueueClient;
let n = 0;
const cb = () => `http://127.0.0.1:9/courses/c/xqueue/3/block@v${++n}/score_update`;

beforeAll(async () => {
  xq = await startTestServer({ XQUEUE_QUEUES: 'vis', XQUEUE_VISIBILITY_TIMEOUT: '1', XQUEUE_PULL_LIMIT: '100' });
  c = await loggedIn(xq.url, xq.password);
});
afterAll(async () => {
  await xq.close();
});

const pull = () => c.get('/xqueue/get_submission/?queue_name=vis');
const len = async () => (await c.get('/xqueue/get_queuelen/?queue_name=vis')).json().content;

describe('visibility timeout', () => {
  it('hides a claimed submission for the lease, then hands it out again with a new key and new links', async () => {
    await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'vis'), xqueue_body: 'v' }, [{ field: 'f.py', content: 'f' }]);
    const first = decodePulled((await pull()).text);
    expect(await len()).toBe(0);
    expect((await pull()).text).toBe(env(1, "Queue 'vis' is empty"));
    await sleep(1150);
    expect(await len()).toBe(1);
    const second = decodePulled((await pull()).text);
    expect(second.id).toBe(first.id);
    expect(second.key).not.toBe(first.key);
    expect(second.files['f.py']).not.toBe(first.files['f.py']);
    expect((await fetch(second.files['f.py']!)).status).toBe(200);
    expect((await c.post('/xqueue/put_result/', { xqueue_header: first.header, xqueue_body: '{}' })).text).toBe(env(1, 'Incorrect key for submission'));
    expect((await c.post('/xqueue/put_result/', { xqueue_header: second.header, xqueue_body: '{}' })).text).toBe(env(0, ''));
    // The old key stays refused after the result too.
    expect((await c.post('/xqueue/put_result/', { xqueue_header: first.header, xqueue_body: '{}' })).text).toBe(env(1, 'Incorrect key for submission'));
  });

  it('keeps a key valid after its lease expired, until the submission is claimed again', async () => {
    await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'vis'), xqueue_body: 'late' });
    const p = decodePulled((await pull()).text);
    await sleep(1150);
    expect(await len()).toBe(1);
    expect((await c.post('/xqueue/put_result/', { xqueue_header: p.header, xqueue_body: '{}' })).text).toBe(env(0, ''));
    expect(await len()).toBe(0);
  });

  it('counts a leased submission out of the submit reply until its lease runs out', async () => {
    const a = cb();
    await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(a, 'vis'), xqueue_body: '1' });
    const p = decodePulled((await pull()).text);
    expect((await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'vis'), xqueue_body: '2' })).text).toBe(env(0, '1'));
    await sleep(1150);
    expect((await c.post('/xqueue/submit/', { xqueue_header: lmsHeader(cb(), 'vis'), xqueue_body: '3' })).text).toBe(env(0, '3'));
    // FIFO by arrival: the expired one comes first again.
    const again = decodePulled((await pull()).text);
    expect(again.id).toBe(p.id);
    for (let r = await pull(); r.json().return_code === 0; r = await pull())
      await c.post('/xqueue/put_result/', { xqueue_header: decodePulled(r.text).header, xqueue_body: '{}' });
    await c.post('/xqueue/put_result/', { xqueue_header: again.header, xqueue_body: '{}' });
  });
});
