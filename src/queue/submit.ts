// Accepting a submission from the LMS (spec §3.4 step 4, §5.3): in one transaction,
// retire what this learner submitted before to the same callback URL, then insert.
import { transact } from '../db/transact.js';
import { createHash } from 'node:crypto';
import { nowUs } from '../clock.js';
import type { QueueContext, StoredFile } from './context.js';
import { visible } from './visibility.js';

export interface NewSubmission {
  readonly queueName: string;
  readonly callbackUrl: string;
  readonly requesterId: string;
  readonly header: string;
  readonly body: string;
  readonly files: readonly StoredFile[];
}

export const callbackHash = (url: string) => createHash('sha256').update(url).digest('hex');

/** Stores the submission; returns its id and the queue's visible length after the insert. */
export async function submit(ctx: QueueContext, s: NewSubmission): Promise<{ id: number; queueLength: number }> {
  const now = nowUs();
  const hash = callbackHash(s.callbackUrl);
  const result = await transact(ctx.db, ctx.caps, async (trx) => {
    const superseded = await trx
      .updateTable('submissions')
      .set({ retired: 1, retire_reason: 'superseded', pullkey: '' })
      .where('callback_hash', '=', hash)
      .where('retired', '=', 0)
      .where('lms_callback_url', '=', s.callbackUrl)
      .executeTakeFirst();
    const inserted = await trx
      .insertInto('submissions')
      .values({
        queue_name: s.queueName,
        requester_id: s.requesterId.slice(0, 128),
        lms_callback_url: s.callbackUrl,
        callback_hash: hash,
        xqueue_header: s.header,
        xqueue_body: s.body,
        files: JSON.stringify(s.files),
        arrival_time: now,
      })
      .executeTakeFirstOrThrow();
    const { n } = await trx
      .selectFrom('submissions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('queue_name', '=', s.queueName)
      .where(visible(now))
      .executeTakeFirstOrThrow();
    return { id: Number(inserted.insertId), queueLength: Number(n), superseded: Number(superseded.numUpdatedRows) };
  });
  ctx.metrics.received.inc({ queue: s.queueName });
  ctx.metrics.retire(s.queueName, 'superseded', result.superseded);
  ctx.signals.submitted(s.queueName);
  return { id: result.id, queueLength: result.queueLength };
}
