// Claims and results that arrive together share one transaction on MySQL (capability
// combineRequests, src/db/combiner.ts); SQLite serves each alone. Either way each must be
// answered as if it had come alone, in the order they came.
import { describe, expect, it } from 'vitest';
import { claim, type Claimed } from '../../src/queue/claim.js';
import { unretiredCount } from '../../src/queue/counts.js';
import { putResult } from '../../src/queue/put-result.js';
import { submit } from '../../src/queue/submit.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { serverWithLms } from '../helpers/server.js';

const ctx = serverWithLms({ XQUEUE_QUEUES: 'openedx,second' });
const all = () => true;
const reason = (o: PromiseSettledResult<unknown>) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok');

describe('requests served together', () => {
  it('submissions: a later one to the same callback URL supersedes an earlier one of the same batch', async () => {
    const q = ctx.xq.server.queue;
    const base = { queueName: 'second', requesterId: '127.0.0.1', body: '{}', files: [] };
    const url = (n: string) => `${ctx.lms.url}/courses/x/xqueue/1/${n}/score_update`;
    const header = (n: string) => `{"lms_callback_url": "${url(n)}", "lms_key": "${n}", "queue_name": "second"}`;
    const before = await unretiredCount(q.db, 'second');
    const [first, other, again] = await Promise.all([
      submit(q, { ...base, callbackUrl: url('s1'), header: header('s1') }),
      submit(q, { ...base, callbackUrl: url('s2'), header: header('s2') }),
      submit(q, { ...base, callbackUrl: url('s1'), header: header('s1') }),
    ]);
    expect(new Set([first.id, other.id, again.id]).size).toBe(3);
    expect(first.id).toBeLessThan(again.id);
    // s1's first submission is retired: two of the three are left in the queue.
    expect(await unretiredCount(q.db, 'second')).toBe(before + 2);
    const claimed = await Promise.all([1, 2, 3].map(() => claim(q, 'second', { graderId: 'g' })));
    expect(claimed.filter((c) => c !== null).map((c) => c!.id).sort()).toEqual([other.id, again.id].sort());
  });

  it('claims: each asker gets its own submission, oldest first, and the askers beyond the queue get none', async () => {
    const lms = await loggedIn(ctx.xq.url, ctx.xq.password);
    for (const block of ['c1', 'c2', 'c3']) await lms.post('/xqueue/submit/', lmsSubmission(ctx.lms.url, { queue: 'second', block }));
    const q = ctx.xq.server.queue;
    const got = await Promise.all(['g1', 'g2', 'g3', 'g4', 'g5'].map((graderId) => claim(q, 'second', { graderId })));
    const ids = got.slice(0, 3).map((c) => c!.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(got.slice(0, 3).map((c) => c!.pullkey)).size).toBe(3);
    expect(got.slice(3)).toEqual([null, null]);
  });

  it('results: stored, repeated, refused and misdirected ones in one batch are each answered on their own', async () => {
    const lms = await loggedIn(ctx.xq.url, ctx.xq.password);
    for (const block of ['r1', 'r2', 'r3', 'r4']) await lms.post('/xqueue/submit/', lmsSubmission(ctx.lms.url, { block, key: `key-${block}` }));
    const q = ctx.xq.server.queue;
    const [a, b, c, d] = (await Promise.all([1, 2, 3, 4].map((i) => claim(q, 'openedx', { graderId: `g${i}` })))) as Claimed[];
    const before = ctx.lms.callbacks.length;
    const reply = (s: Claimed, body: string, key = s.pullkey) => ({ submissionId: s.id, submissionKey: key, body });
    const r1 = '{"correct": true, "score": 1, "msg": "one"}';
    const r2 = '{"correct": false, "score": 0, "msg": "two"}';

    const outcomes = await Promise.allSettled([
      putResult(q, reply(a!, r1), all),
      putResult(q, reply(a!, r1), all), // the same result again: accepted, stored once
      putResult(q, reply(b!, r1), all),
      putResult(q, reply(b!, r2), all), // another result under b's spent key
      putResult(q, reply(c!, r1, 'not-the-key'), all),
      putResult(q, { submissionId: 987_654_321, submissionKey: 'x', body: r1 }, all),
      putResult(q, reply(d!, r1), (queue) => queue !== 'openedx'), // a grader without the queue
    ]);
    expect(outcomes.map(reason)).toEqual([
      'ok',
      'ok',
      'ok',
      'Result already recorded for submission',
      'Incorrect key for submission',
      'Submission does not exist',
      'Submission does not exist',
    ]);
    expect(outcomes.slice(0, 3).map((o) => (o as PromiseFulfilledResult<{ duplicate: boolean }>).value.duplicate)).toEqual([false, true, false]);
    // a and b stored, c and d still leased.
    expect(await unretiredCount(q.db, 'openedx')).toBe(2);

    await putResult(q, reply(c!, r2), all);
    await putResult(q, reply(d!, r2), all);
    expect(await unretiredCount(q.db, 'openedx')).toBe(0);
    const delivered = (await ctx.lms.waitFor(before + 4, 10_000)).slice(before);
    await new Promise((r) => setTimeout(r, 200));
    expect(ctx.lms.callbacks).toHaveLength(before + 4);
    // Claimed oldest first: a is r1's submission, d is r4's. Each called back once, with the result stored.
    const byKey = Object.fromEntries(delivered.map((cb) => [(JSON.parse(cb.header) as { lms_key: string }).lms_key, cb.body]));
    expect(byKey).toEqual({ 'key-r1': r1, 'key-r2': r1, 'key-r3': r2, 'key-r4': r2 });
  });
});
