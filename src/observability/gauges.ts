// Gauges that are facts about the database, read when Prometheus scrapes.
import type { QueueContext } from '../queue/context.js';

export async function collectGauges(ctx: QueueContext, nowUs: number): Promise<void> {
  const { db, metrics, config } = ctx;
  const rows = await db
    .selectFrom('submissions')
    .select((eb) => [
      'queue_name',
      eb.fn.sum<number>(eb.case().when(eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowUs)])).then(1).else(0).end()).as('visible'),
      eb.fn.sum<number>(eb.case().when('lease_until', '>', nowUs).then(1).else(0).end()).as('leased'),
      eb.fn.min<number>(eb.case().when(eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowUs)])).then(eb.ref('arrival_time')).end()).as('oldest'),
    ])
    .where('retired', '=', 0)
    .groupBy('queue_name')
    .execute();
  metrics.queueVisible.reset();
  metrics.queueLeased.reset();
  metrics.queueOldestAge.reset();
  const byQueue = new Map(rows.map((r) => [r.queue_name, r]));
  for (const { name } of config.queues) {
    const r = byQueue.get(name);
    metrics.queueVisible.set({ queue: name }, Number(r?.visible ?? 0));
    metrics.queueLeased.set({ queue: name }, Number(r?.leased ?? 0));
    metrics.queueOldestAge.set({ queue: name }, r?.oldest == null ? 0 : Math.max(0, (nowUs - Number(r.oldest)) / 1e6));
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
