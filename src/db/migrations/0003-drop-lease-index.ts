import type { Kysely } from 'kysely';
import type { Capabilities } from '../capabilities.js';

/**
 * The all-queues lease index of 0001 goes: the per-queue one of 0002 serves the poison
 * sweeper too (it names the configured queues), and every insert, lease and retire paid
 * for keeping both.
 */
export function dropLeaseIndex(caps: Capabilities) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const drop = db.schema.dropIndex('submissions_lease');
      await (caps.indexNamesPerTable ? drop.on('submissions') : drop).execute();
    },
  };
}
