// The poison sweeper (spec §9c): a submission whose lease ran out at the pull limit is
// retired with the failure notice without waiting for a grader to poll its queue.
import { transact } from '../db/transact.js';
import { nowUs } from '../clock.js';
import { forUpdate } from '../db/locking.js';
import type { QueueContext } from './context.js';
import { retireWithNotice } from './retire.js';

const BATCH = 200;

/** One sweep; returns how many submissions it retired. */
export async function sweepPoison(ctx: QueueContext): Promise<number> {
  const now = nowUs();
  const queues = ctx.config.queues.map((q) => q.name);
  if (queues.length === 0) return 0;
  const retired = await transact(ctx.db, ctx.caps, async (trx) => {
    const rows = await forUpdate(
      trx
        .selectFrom('submissions')
        .select(['id', 'queue_name', 'xqueue_header', 'lms_callback_url'])
        // Through the per-queue lease index (migration 0002): a queue that is not configured
        // is never pulled from, so nothing in it can run out of pulls.
        .where('queue_name', 'in', queues)
        .where('retired', '=', 0)
        .where('lease_until', '<=', now)
        .where('pull_count', '>=', ctx.config.pullLimit)
        .limit(BATCH),
      ctx.caps,
    ).execute();
    const done: string[] = [];
    for (const row of rows) if (await retireWithNotice(trx, ctx.caps, row, 'poison', now)) done.push(row.queue_name);
    return done;
  });
  for (const queue of retired) ctx.metrics.retire(queue, 'poison');
  if (retired.length > 0) ctx.signals.outboxReady();
  return retired.length;
}
