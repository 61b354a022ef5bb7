// Accepting a submission from the LMS (spec §3.4 step 4, §5.3): in one transaction,
// retire what this learner submitted before to the same callback URL, then insert.
import { transact } from '../db/transact.js';
import { createHash } from 'node:crypto';
import { nowUs } from '../clock.js';
import type { QueueContext, StoredFile } from './context.js';
import { adjustUnretired, visibleLength } from './counts.js';
import { insertSubmission, selectNewIdAndLength, selectSuperseded } from './sql/submit.js';

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
    const older = await selectSuperseded.rows(trx, { hash, url: s.callbackUrl }, ctx.caps);
    if (older.length > 0) {
      await trx
        .updateTable('submissions')
        .set({ retired: 1, retire_reason: 'superseded', pullkey: '' })
        .where('id', 'in', older.map((r) => r.id))
        .execute();
      for (const queue of new Set(older.map((r) => r.queue_name)))
        await adjustUnretired(trx, ctx.caps, queue, -older.filter((r) => r.queue_name === queue).length);
    }
    // The counter first: an upsert may insert a row itself, and the id read below must be the submission's.
    await adjustUnretired(trx, ctx.caps, s.queueName, 1);
    await insertSubmission.later(trx, {
      queue: s.queueName,
      requesterId: s.requesterId.slice(0, 128),
      url: s.callbackUrl,
      hash,
      header: s.header,
      body: s.body,
      files: JSON.stringify(s.files),
      now,
    });
    const row = await selectNewIdAndLength.first(trx, { queue: s.queueName, now }, ctx.caps);
    return { id: Number(row?.id), queueLength: visibleLength(row), superseded: older };
  });
  ctx.metrics.received.inc({ queue: s.queueName });
  for (const { queue_name } of result.superseded) ctx.metrics.retire(queue_name, 'superseded');
  ctx.signals.submitted(s.queueName);
  return { id: result.id, queueLength: result.queueLength };
}
