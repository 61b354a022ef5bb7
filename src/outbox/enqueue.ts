// Making an outbox entry, inside the caller's transaction, so a stored result and its
// pending callback commit together or not at all (spec §9b).
import type { Transaction } from 'kysely';
import type { Database, OutboxKind } from '../db/schema.js';
import { formEncode } from '../protocol/form-encode.js';

export interface CallbackTarget {
  readonly id: number;
  readonly lms_callback_url: string;
  /** The LMS's own header, sent back byte for byte: the LMS finds the answer by its lms_key. */
  readonly xqueue_header: string;
}

export async function enqueueCallback(
  trx: Transaction<Database>,
  target: CallbackTarget,
  kind: OutboxKind,
  replyBody: string,
  nowUs: number,
): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      submission_id: target.id,
      kind,
      url: target.lms_callback_url,
      body: formEncode([
        ['xqueue_header', target.xqueue_header],
        ['xqueue_body', replyBody],
      ]),
      state: 'pending',
      attempts: 0,
      next_attempt_at: nowUs,
      created_at: nowUs,
    })
    .execute();
}
