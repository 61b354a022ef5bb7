// The queue-length counter (migration 0002): its upsert, and the two reads that make
// the visible length in constant time.
import { sql } from 'kysely';
import { preparedSelect, preparedWrite, type Handle } from '../../db/prepared.js';

export const bumpUnretired = preparedWrite((db, p: { queue: string; slot: number; delta: number }, caps) =>
  db
    .insertInto('queue_counts')
    .values({ queue_name: p.queue, slot: p.slot, unretired: p.delta })
    .$call((q) =>
      caps.upsert === 'on-duplicate-key'
        ? q.onDuplicateKeyUpdate({ unretired: sql`unretired + ${p.delta}` })
        : q.onConflict((oc) => oc.columns(['queue_name', 'slot']).doUpdateSet({ unretired: sql`unretired + ${p.delta}` })),
    ),
);

export const unretired = (db: Handle, queue: string) =>
  db
    .selectFrom('queue_counts')
    .select((eb) => eb.fn.sum<number>('unretired').as('n'))
    .where('queue_name', '=', queue);

export const leased = (db: Handle, queue: string, now: number) =>
  db
    .selectFrom('submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_name', '=', queue)
    .where('retired', '=', 0)
    .where('lease_until', '>', now);

export const sumUnretired = preparedSelect((db, p: { queue: string }) => unretired(db, p.queue));

export const countLeased = preparedSelect((db, p: { queue: string; now: number }) => leased(db, p.queue, p.now));

/** Both in one statement: one round trip for the queue length. */
export const countBoth = preparedSelect((db, p: { queue: string; now: number }) =>
  db.selectNoFrom([unretired(db, p.queue).as('unretired'), leased(db, p.queue, p.now).as('leased')]),
);
