import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.js';

export function initial(caps: Capabilities) {
  const long = sql.raw(caps.longText);
  const options = sql.raw(caps.tableOptions);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('submissions')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('queue_name', 'varchar(128)', (c) => c.notNull())
        .addColumn('requester_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('lms_callback_url', long, (c) => c.notNull())
        .addColumn('callback_hash', 'char(64)', (c) => c.notNull())
        .addColumn('xqueue_header', long, (c) => c.notNull())
        .addColumn('xqueue_body', long, (c) => c.notNull())
        .addColumn('files', long, (c) => c.notNull())
        .addColumn('arrival_time', 'bigint', (c) => c.notNull())
        .addColumn('pull_time', 'bigint')
        .addColumn('push_time', 'bigint')
        .addColumn('return_time', 'bigint')
        .addColumn('lease_until', 'bigint')
        .addColumn('pullkey', 'varchar(32)', (c) => c.notNull().defaultTo(''))
        .addColumn('pull_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('grader_id', 'varchar(2048)', (c) => c.notNull().defaultTo(''))
        .addColumn('grader_reply', long)
        .addColumn('result_key', 'varchar(32)')
        .addColumn('num_failures', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('lms_ack', 'smallint', (c) => c.notNull().defaultTo(0))
        .addColumn('retired', 'smallint', (c) => c.notNull().defaultTo(0))
        .addColumn('retire_reason', 'varchar(16)')
        .modifyEnd(options)
        .execute();
      // The claim walks this index in FIFO order; the lease filter only skips leased rows.
      await db.schema
        .createIndex('submissions_queue_fifo')
        .on('submissions')
        .columns(['queue_name', 'retired', 'arrival_time', 'id'])
        .execute();
      await db.schema.createIndex('submissions_callback').on('submissions').columns(['callback_hash', 'retired']).execute();
      await db.schema.createIndex('submissions_lease').on('submissions').columns(['retired', 'lease_until']).execute();

      await db.schema
        .createTable('outbox')
        .addColumn('submission_id', 'bigint', (c) => c.primaryKey())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('url', long, (c) => c.notNull())
        .addColumn('body', long, (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'varchar(1024)')
        .addColumn('delivered_at', 'bigint')
        .modifyEnd(options)
        .execute();
      await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('username', 'varchar(150)', (c) => c.notNull().unique())
        .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
        .addColumn('roles', 'varchar(64)', (c) => c.notNull())
        .addColumn('queues', 'text')
        .addColumn('is_active', 'smallint', (c) => c.notNull().defaultTo(1))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .modifyEnd(options)
        .execute();

      await db.schema
        .createTable('sessions')
        .addColumn('id', 'char(64)', (c) => c.primaryKey())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .modifyEnd(options)
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').columns(['user_id']).execute();
      await db.schema.createIndex('sessions_expiry').on('sessions').columns(['expires_at']).execute();
    },
  };
}
