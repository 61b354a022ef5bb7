// On MySQL a claim reads the queue from a floor, the oldest unretired submission's arrival
// time (src/queue/claim-floor.ts), to skip the index entries InnoDB has yet to purge.
// Whatever lies below a floor must still be served, oldest first, once the floor is read again.
import { describe, expect, it } from 'vitest';
import { FLOOR_TTL_MS } from '../../src/queue/claim-floor.js';
import { claim, type Claimed } from '../../src/queue/claim.js';
import { putResult } from '../../src/queue/put-result.js';
import { lmsSubmission, loggedIn } from '../helpers/client.js';
import { serverWithLms } from '../helpers/server.js';

const ctx = serverWithLms({ XQUEUE_QUEUES: 'floor,leases', XQUEUE_VISIBILITY_TIMEOUT: '1' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submitAll(queue: string, blocks: string[]): Promise<number[]> {
  const lms = await loggedIn(ctx.xq.url, ctx.xq.password);
  for (const block of blocks) expect((await lms.post('/xqueue/submit/', lmsSubmission(ctx.lms.url, { queue, block }))).status).toBe(200);
  const q = ctx.xq.server.queue;
  const rows = await q.db.selectFrom('submissions').select('id').where('queue_name', '=', queue).orderBy('id').execute();
  return rows.map((r) => Number(r.id)).slice(-blocks.length);
}

describe('claims read the queue from a floor', () => {
  it('a submission that lands with an older arrival time than the floor is served, oldest first, once the floor is read again', async () => {
    const q = ctx.xq.server.queue;
    const [a, b, c] = await submitAll('floor', ['a', 'b', 'c']);
    expect((await claim(q, 'floor', { graderId: 'g' }))?.id).toBe(a);
    // As a transaction that ran long, an import or another replica's slow clock would leave it.
    const aRow = await q.db.selectFrom('submissions').select('arrival_time').where('id', '=', a!).executeTakeFirstOrThrow();
    await q.db
      .updateTable('submissions')
      .set({ arrival_time: Number(aRow.arrival_time) - 1_000_000 })
      .where('id', '=', c!)
      .execute();
    await sleep(FLOOR_TTL_MS + 10);
    expect((await claim(q, 'floor', { graderId: 'g' }))?.id).toBe(c);
    expect((await claim(q, 'floor', { graderId: 'g' }))?.id).toBe(b);
    expect(await claim(q, 'floor', { graderId: 'g' })).toBeNull();
  });

  it('a lease that runs out is claimed again before newer submissions, after others were graded', async () => {
    const q = ctx.xq.server.queue;
    const [a, b, c] = await submitAll('leases', ['a', 'b', 'c']);
    const first = (await claim(q, 'leases', { graderId: 'slow' })) as Claimed;
    const second = (await claim(q, 'leases', { graderId: 'quick' })) as Claimed;
    expect([first.id, second.id]).toEqual([a, b]);
    await putResult(q, { submissionId: second.id, submissionKey: second.pullkey, body: '{"correct": true, "score": 1, "msg": "ok"}' }, () => true);
    // The floor sits at a's arrival, with b's retired entry above it.
    await sleep(1_100);
    expect((await claim(q, 'leases', { graderId: 'g' }))?.id).toBe(a);
    expect((await claim(q, 'leases', { graderId: 'g' }))?.id).toBe(c);
    expect(await claim(q, 'leases', { graderId: 'g' })).toBeNull();
  });
});
