// Gauges that are facts about the database, read when Prometheus scrapes; each costs a
// few index lookups per queue, however long the queue.
import { leasedCount, unretiredCount } from '../queue/counts.js';
import type { QueueContext } from '../queue/context.js';
import { visible } from '../queue/visibility.js';

export async function collectGauges(ctx: QueueContext, nowUs: number): Promise<void> {
  const { db, metrics, config } = ctx;
  for (const { name } of config.queues) {
    const [unretired, leased, oldest] = await Promise.all([
      unretiredCount(db, name),
      leasedCount(db, name, nowUs),
      db
        .selectFrom('submissions')
        .select('arrival_time')
        .where('queue_name', '=', name)
        .where(visible(nowUs))
        .orderBy('arrival_time')
        .orderBy('id')
        .limit(1)
        .executeTakeFirst(),
    ]);
    metrics.queueVisible.set({ queue: name }, Math.max(0, unretired - leased));
    metrics.queueLeased.set({ queue: name }, leased);
    metrics.queueOldestAge.set({ queue: name }, oldest ? Math.max(0, (nowUs - Number(oldest.arrival_time)) / 1e6) : 0);
  }
  const outbox = await db
    .selectFrom('outbox')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', 'in', ['pending', 'failed'])
    .groupBy('state')
    .execute();
  metrics.outboxPending.set(Number(outbox.find((r) => r.state === 'pending')?.n ?? 0));
  metrics.outboxFailed.set(Number(outbox.find((r) => r.state === 'failed')?.n ?? 0));
}
