// Making an outbox entry, inside the caller's transaction, so a stored result and its
// pending callback commit together or not at all (spec §9b).
import type { Transaction } from 'kysely';
import type { Database, OutboxKind } from '../db/schema.js';
import { formEncode } from '../protocol/form-encode.js';
import { insertOutboxEntry } from './sql/enqueue.js';

export interface CallbackTarget {
  readonly id: number;
  readonly lms_callback_url: string;
  /** The LMS's own header, sent back byte for byte: the LMS finds the answer by its lms_key. */
  readonly xqueue_header: string;
}

/** An entry as the deliverer needs it. */
export interface DueCallback {
  readonly submission_id: number;
  readonly url: string;
  readonly body: string;
  readonly attempts: number;
  readonly next_attempt_at: number;
  readonly created_at: number;
}

/**
 * Inserts the entry, due now; or, with `claimedUntil`, already taken by this process
 * until then, so it can be delivered without first being taken (see deliverer.ts).
 */
export async function enqueueCallback(
  trx: Transaction<Database>,
  target: CallbackTarget,
  kind: OutboxKind,
  replyBody: string,
  nowUs: number,
  claimedUntil?: number,
): Promise<DueCallback> {
  const entry: DueCallback = {
    submission_id: target.id,
    url: target.lms_callback_url,
    body: formEncode([
      ['xqueue_header', target.xqueue_header],
      ['xqueue_body', replyBody],
    ]),
    attempts: 0,
    next_attempt_at: claimedUntil ?? nowUs,
    created_at: nowUs,
  };
  await insertOutboxEntry.later(trx, {
    submissionId: entry.submission_id,
    kind,
    url: entry.url,
    body: entry.body,
    nextAttemptAt: entry.next_attempt_at,
    createdAt: entry.created_at,
  });
  return entry;
}
