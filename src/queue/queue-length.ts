import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { visible } from './visibility.js';

export async function queueLength(db: Kysely<Database>, queue: string, nowUs: number): Promise<number> {
  const row = await db
    .selectFrom('submissions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('queue_name', '=', queue)
    .where(visible(nowUs))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
