import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.js';

/**
 * Queue length in constant time: a counter of unretired submissions per queue (spread
 * over a few rows), and an index that finds the few leased ones. Visible = unretired −
 * leased, so neither submit nor get_queuelen scans the queue.
 */
export function queueCounts(caps: Capabilities) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('queue_counts')
        .addColumn('queue_name', 'varchar(128)', (c) => c.notNull())
        .addColumn('slot', 'smallint', (c) => c.notNull())
        .addColumn('unretired', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('queue_counts_pk', ['queue_name', 'slot'])
        .modifyEnd(sql.raw(caps.tableOptions))
        .execute();
      await sql`insert into queue_counts (queue_name, slot, unretired)
                select queue_name, 0, count(*) from submissions where retired = 0 group by queue_name`.execute(db);
      await db.schema.createIndex('submissions_queue_lease').on('submissions').columns(['queue_name', 'retired', 'lease_until']).execute();
    },
  };
}
