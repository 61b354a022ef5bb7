// A submission's hot statements (spec §3.4, §5.3): what the same learner submitted before
// to the same callback URL (retired as superseded), the insert, and what the reply needs.
import { sql } from 'kysely';
import type { Capabilities } from '../../db/capabilities.js';
import { listNames, listOf, listParams } from '../../db/in-list.js';
import { forUpdate } from '../../db/locking.js';
import { preparedSelect, preparedWrite, type Handle } from '../../db/prepared.js';
import { leased, unretired } from './counts.js';

/** Submissions stored by one transaction at most (db/combiner.ts). */
export const SUBMIT_BATCH = 16;

const HASH_NAMES = listNames('hash', SUBMIT_BATCH);

const selectByHash = preparedSelect((db, p: { hash: string }, caps) =>
  forUpdate(db.selectFrom('submissions').select(['id', 'queue_name', 'lms_callback_url']).where('callback_hash', '=', p.hash).where('retired', '=', 0), caps),
);

const selectByHashes = preparedSelect((db, p: Record<string, string>, caps) =>
  forUpdate(
    db
      .selectFrom('submissions')
      .select(['id', 'queue_name', 'lms_callback_url'])
      .where('callback_hash', 'in', listOf(p, HASH_NAMES))
      .where('retired', '=', 0),
    caps,
  ),
);

/**
 * Unretired submissions under these callback hashes, locked: those whose URL is one being
 * submitted again are superseded (the hash finds them; the URL itself decides).
 */
export function selectSuperseded(db: Handle, hashes: readonly string[], caps: Capabilities) {
  return hashes.length === 1 ? selectByHash.rows(db, { hash: hashes[0]! }, caps) : selectByHashes.rows(db, listParams(HASH_NAMES, hashes), caps);
}

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

/** The id the insert just made, read right after it on the same connection. */
export const selectLastId = preparedSelect((db, _p: object, caps) => db.selectNoFrom(sql<number>`${sql.raw(caps.lastInsertId)}`.as('id')));

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
