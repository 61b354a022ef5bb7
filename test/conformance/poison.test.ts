// Poison submissions (spec §9c, §6): at the pull limit, an expired lease retires the
// submission and the LMS gets the exact failure notice, without any further poll.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLms, type FakeLms } from '../helpers/fake-lms.js';
import { loggedIn, lmsSubmission, type XqueueClient } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { decodePulled, env, pyUrlencode, sleep } from './support.js';

const NOTICE =
  '{"correct": null, "score": 0, "msg": "<div class=\\"capa_alert\\">Your submission could not be graded. Please recheck your submission and try again. If the problem persists, please notify the course staff.</div>"}';

let xq: TestServer;
let lms: FakeLms;
let c: XqueueClient;

beforeAll(async () => {
  lms = await startFakeLms();
  xq = await startTestServer({ XQUEUE_QUEUES: 'poison', XQUEUE_PULL_LIMIT: '2', XQUEUE_VISIBILITY_TIMEOUT: '1', XQUEUE_SWEEP_INTERVAL: '1' });
  c = await loggedIn(xq.url, xq.password);
});
afterAll(async () => {
  await xq.close();
  await lms.close();
});

describe('poison', () => {
  it('retires after the pull limit and sends the failure notice without a further poll', async () => {
    const form = lmsSubmission(lms.url, { queue: 'poison', block: 'poison1' });
    await c.post('/xqueue/submit/', form);
    const first = decodePulled((await c.get('/xqueue/get_submission/?queue_name=poison')).text);
    await sleep(1100);
    const second = decodePulled((await c.get('/xqueue/get_submission/?queue_name=poison')).text);
    expect(second.id).toBe(first.id);
    // No more polls from here: the sweeper (1 s) must act once the second lease (1 s) ends.
    const [notice] = await lms.waitFor(1, 5000);
    expect(notice!.header).toBe(form.xqueue_header);
    expect(notice!.body).toBe(NOTICE);
    expect(notice!.raw).toBe(pyUrlencode([['xqueue_header', form.xqueue_header!], ['xqueue_body', NOTICE]]));
    expect(notice!.path).toContain('/xqueue/3/block-v1:Org+CS101+2026+type@problem+block@poison1/score_update');
    expect((await c.get('/xqueue/get_queuelen/?queue_name=poison')).text).toBe(env(0, 0));
    expect((await c.get('/xqueue/get_submission/?queue_name=poison')).text).toBe(env(1, "Queue 'poison' is empty"));
    // Retiring cleared the key.
    expect((await c.post('/xqueue/put_result/', { xqueue_header: second.header, xqueue_body: '{}' })).text).toBe(env(1, 'Incorrect key for submission'));
    await sleep(1200);
    expect(lms.callbacks.filter((x) => x.header === form.xqueue_header)).toHaveLength(1);
  });

  it('does not retire a submission still under its lease at the limit, and accepts its result', async () => {
    const form = lmsSubmission(lms.url, { queue: 'poison', block: 'poison2' });
    await c.post('/xqueue/submit/', form);
    decodePulled((await c.get('/xqueue/get_submission/?queue_name=poison')).text);
    await sleep(1100);
    const second = decodePulled((await c.get('/xqueue/get_submission/?queue_name=poison')).text);
    const reply = '{"correct": true, "score": 1, "msg": "<p>ok</p>"}';
    expect((await c.post('/xqueue/put_result/', { xqueue_header: second.header, xqueue_body: reply })).text).toBe(env(0, ''));
    await sleep(1500);
    const mine = lms.callbacks.filter((x) => x.header === form.xqueue_header);
    expect(mine.map((x) => x.body)).toEqual([reply]);
  });
});
