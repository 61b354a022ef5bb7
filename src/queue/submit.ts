// Accepting a submission from the LMS (spec §3.4 step 4, §5.3): in one transaction,
// retire what this learner submitted before to the same callback URL, then insert.
// Submissions arriving together may share the transaction (db/combiner.ts), in order:
// a later one supersedes an earlier one of the same batch as it would a stored one.
import { createHash } from 'node:crypto';
import { Combiners } from '../db/combiner.js';
import { transact } from '../db/transact.js';
import { nowUs } from '../clock.js';
import type { QueueContext, StoredFile } from './context.js';
import { adjustUnretired, visibleLength } from './counts.js';
import { retireSubmission } from './sql/retire.js';
import { insertSubmission, selectLastId, selectNewIdAndLength, selectSuperseded, SUBMIT_BATCH } from './sql/submit.js';

export interface NewSubmission {
  readonly queueName: string;
  readonly callbackUrl: string;
  readonly requesterId: string;
  readonly header: string;
  readonly body: string;
  readonly files: readonly StoredFile[];
}

interface Accepted {
  readonly id: number;
  readonly queueLength: number;
}

export const callbackHash = (url: string) => createHash('sha256').update(url).digest('hex');

// Two batches at a time: a batch makes a round trip per submission (its id), so one alone leaves the CPU idle.
const combiners = new Combiners<QueueContext>(SUBMIT_BATCH, 2);

/** Stores the submission; returns its id and the queue's visible length after the insert. */
export function submit(ctx: QueueContext, s: NewSubmission): Promise<Accepted> {
  return combiners.run<NewSubmission, Accepted>(ctx, 'submit', (batch) => submitBatch(ctx, batch), s);
}

async function submitBatch(ctx: QueueContext, batch: readonly NewSubmission[]): Promise<Accepted[]> {
  const now = nowUs();
  const hashes = batch.map((s) => callbackHash(s.callbackUrl));
  const result = await transact(ctx.db, ctx.caps, async (trx) => {
    const superseded: Array<{ id: number; queue_name: string }> = [];
    const delta = new Map<string, number>();
    const bump = (queue: string, by: number) => delta.set(queue, (delta.get(queue) ?? 0) + by);
    const urls = new Set(batch.map((s) => s.callbackUrl));
    for (const row of await selectSuperseded(trx, hashes, ctx.caps))
      if (urls.has(row.lms_callback_url)) superseded.push({ id: row.id, queue_name: row.queue_name });
    for (const s of batch) bump(s.queueName, 1);
    // Superseded within the batch: every submission but the last one to its callback URL.
    const lastFor = new Map(batch.map((s, i) => [s.callbackUrl, i]));
    for (const [i, s] of batch.entries()) if (lastFor.get(s.callbackUrl) !== i) bump(s.queueName, -1);
    for (const row of superseded) {
      await retireSubmission.later(trx, { id: row.id, reason: 'superseded' });
      bump(row.queue_name, -1);
    }
    // The counters first: an upsert may insert a row itself, and each id read below must be the submission's.
    for (const [queue, by] of delta) await adjustUnretired(trx, ctx.caps, queue, by);

    const lastOfQueue = new Map(batch.map((s, i) => [s.queueName, i]));
    const ids: number[] = [];
    const finalLength = new Map<string, number>();
    for (const [i, s] of batch.entries()) {
      await insertSubmission.later(trx, {
        queue: s.queueName,
        requesterId: s.requesterId.slice(0, 128),
        url: s.callbackUrl,
        hash: hashes[i]!,
        header: s.header,
        body: s.body,
        files: JSON.stringify(s.files),
        now,
      });
      if (lastOfQueue.get(s.queueName) === i) {
        const row = await selectNewIdAndLength.first(trx, { queue: s.queueName, now }, ctx.caps);
        ids.push(Number(row?.id));
        finalLength.set(s.queueName, visibleLength(row));
      } else ids.push(Number((await selectLastId.first(trx, {}, ctx.caps))?.id));
    }
    for (const [i, s] of batch.entries()) {
      if (lastFor.get(s.callbackUrl) === i) continue;
      await retireSubmission.later(trx, { id: ids[i]!, reason: 'superseded' });
      superseded.push({ id: ids[i]!, queue_name: s.queueName });
    }
    return { ids, finalLength, superseded };
  });
  for (const s of batch) {
    ctx.metrics.received.inc({ queue: s.queueName });
    ctx.signals.submitted(s.queueName);
  }
  for (const { queue_name } of result.superseded) ctx.metrics.retire(queue_name, 'superseded');
  // Each reports its queue's length as it was right after its own insert: the batch's
  // final length less the submissions to that queue that came after it.
  return batch.map((s, i) => {
    const after = batch.slice(i + 1).filter((t) => t.queueName === s.queueName).length;
    return { id: result.ids[i]!, queueLength: Math.max(0, result.finalLength.get(s.queueName)! - after) };
  });
}
