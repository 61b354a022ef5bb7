// A submission's hot statements (spec §3.4, §5.3): what the same learner submitted before
// to the same callback URL (retired as superseded), the insert, and what the reply needs.
import { sql } from 'kysely';
import { forUpdate } from '../../db/locking.js';
import { preparedSelect, preparedWrite } from '../../db/prepared.js';
import { leased, unretired } from './counts.js';

export const selectSuperseded = preparedSelect((db, p: { hash: string; url: string }, caps) =>
  forUpdate(
    db
      .selectFrom('submissions')
      .select(['id', 'queue_name'])
      .where('callback_hash', '=', p.hash)
      .where('retired', '=', 0)
      .where('lms_callback_url', '=', p.url),
    caps,
  ),
);

interface NewRow {
  readonly queue: string;
  readonly requesterId: string;
  readonly url: string;
  readonly hash: string;
  readonly header: string;
  readonly body: string;
  readonly files: string;
  readonly now: number;
}

export const insertSubmission = preparedWrite((db, p: NewRow) =>
  db.insertInto('submissions').values({
    queue_name: p.queue,
    requester_id: p.requesterId,
    lms_callback_url: p.url,
    callback_hash: p.hash,
    xqueue_header: p.header,
    xqueue_body: p.body,
    files: p.files,
    arrival_time: p.now,
  }),
);

/**
 * The id the insert just made and the queue's length, in one statement read right after
 * the insert on the same connection: the insert need not wait for its own reply.
 */
export const selectNewIdAndLength = preparedSelect((db, p: { queue: string; now: number }, caps) =>
  db.selectNoFrom([
    sql<number>`${sql.raw(caps.lastInsertId)}`.as('id'),
    unretired(db, p.queue).as('unretired'),
    leased(db, p.queue, p.now).as('leased'),
  ]),
);
