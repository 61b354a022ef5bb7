// A grader's result (spec §3.7, §9b): checked against the pull key, stored with its
// callback in one transaction, and idempotent when the same grader sends it again.
// Results arriving together may share the transaction (db/combiner.ts).
import { Combiners } from '../db/combiner.js';
import { transact } from '../db/transact.js';
import { nowUs } from '../clock.js';
import { protocolError, XqueueError } from '../errors.js';
import { enqueueCallback, type DueCallback } from '../outbox/enqueue.js';
import { deliveryLeaseUs } from '../outbox/lease.js';
import { parseJsonObject } from '../protocol/json-object.js';
import { MSG } from '../protocol/strings.js';
import type { QueueContext } from './context.js';
import { adjustUnretired } from './counts.js';
import { RESULT_BATCH, selectForResults, storeResult } from './sql/result.js';

export interface GraderReply {
  readonly submissionId: number;
  readonly submissionKey: unknown;
  readonly body: string;
}

const invalid = () => protocolError(MSG.incorrectReplyFormat);

/** submission_id: an integer, a digit string (sign and spaces allowed) or a finite number, truncated. */
function parseSubmissionId(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  throw invalid();
}

/** Reads the grader's echoed xqueue_header; throws the legacy format error. */
export function parseGraderHeader(text: string, body: string): GraderReply {
  const h = parseJsonObject(text);
  if (!h) throw invalid();
  if (!('submission_id' in h) || !('submission_key' in h)) throw invalid();
  return { submissionId: parseSubmissionId(h.submission_id), submissionKey: h.submission_key, body };
}

/** True for the shape the LMS expects: {"correct", "score", "msg"}. */
export function isLmsShaped(body: string): boolean {
  try {
    const r = JSON.parse(body) as unknown;
    return typeof r === 'object' && r !== null && 'correct' in r && 'score' in r && 'msg' in r;
  } catch {
    return false;
  }
}

interface ResultAsk {
  readonly reply: GraderReply;
  readonly mayGrade: (queue: string) => boolean;
}

interface Stored {
  readonly queue: string;
  readonly duplicate: boolean;
  readonly callback?: DueCallback;
}

type LockedRow = Awaited<ReturnType<typeof selectForResults>>[number];

const combiners = new Combiners<QueueContext>(RESULT_BATCH);

export async function putResult(
  ctx: QueueContext,
  reply: GraderReply,
  mayGrade: (queue: string) => boolean,
): Promise<{ queue: string; duplicate: boolean }> {
  const outcome = await combiners.run<ResultAsk, Stored>(ctx, 'results', (asks) => storeResults(ctx, asks), { reply, mayGrade });
  return { queue: outcome.queue, duplicate: outcome.duplicate };
}

/**
 * Results that arrived together, in one transaction: their submissions read and locked by
 * one statement, each checked and stored in arrival order, the queue counters moved once.
 * A refused result is refused alone; the others are stored.
 */
async function storeResults(ctx: QueueContext, asks: readonly ResultAsk[]): Promise<Array<Stored | XqueueError>> {
  const now = nowUs();
  const outcomes = await transact(ctx.db, ctx.caps, async (trx) => {
    const rows = await selectForResults(trx, asks.map((a) => a.reply.submissionId), ctx.caps);
    // Copies, updated as results are stored, so a second result for one submission in the batch meets the first.
    const byId = new Map(rows.map((r) => [Number(r.id), { ...r }]));
    const retiredPerQueue = new Map<string, number>();
    const out: Array<Stored | XqueueError> = [];
    for (const { reply, mayGrade } of asks) {
      const row = byId.get(reply.submissionId);
      const verdict = judgeResult(row, reply, mayGrade);
      if (verdict instanceof XqueueError) {
        out.push(verdict);
        continue;
      }
      const r = row!; // a result not refused has its submission
      if (verdict === 'repeat') {
        out.push({ queue: r.queue_name, duplicate: true });
        continue;
      }
      await storeResult.later(trx, { id: r.id, reply: reply.body, now, resultKey: r.pullkey });
      const callback = await enqueueCallback(trx, r, 'result', reply.body, now, now + deliveryLeaseUs(ctx.config));
      Object.assign(r, { result_key: r.pullkey, grader_reply: reply.body, pullkey: '' });
      retiredPerQueue.set(r.queue_name, (retiredPerQueue.get(r.queue_name) ?? 0) + 1);
      out.push({ queue: r.queue_name, duplicate: false, callback });
    }
    for (const [queue, n] of retiredPerQueue) await adjustUnretired(trx, ctx.caps, queue, -n);
    return out;
  });
  for (const o of outcomes) {
    if (o instanceof XqueueError || o.duplicate) continue;
    ctx.metrics.resulted.inc({ queue: o.queue });
    ctx.metrics.retire(o.queue, 'result');
    ctx.signals.outboxReady(o.callback);
  }
  return outcomes;
}

/** What becomes of a result (spec §3.7): stored, accepted again as a repeat of the stored one, or refused with the legacy error. */
function judgeResult(row: LockedRow | undefined, reply: GraderReply, mayGrade: (queue: string) => boolean): 'store' | 'repeat' | XqueueError {
  if (!row || !mayGrade(row.queue_name)) return protocolError(MSG.submissionDoesNotExist);
  if (row.result_key !== null && row.result_key === reply.submissionKey)
    return row.grader_reply === reply.body ? 'repeat' : protocolError(MSG.resultAlreadyRecorded);
  if (row.pullkey === '' || row.pullkey !== reply.submissionKey) return protocolError(MSG.incorrectKey);
  return 'store';
}
