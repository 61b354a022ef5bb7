// A grader's result (spec §3.7, §9b): checked against the pull key, stored with its
// callback in one transaction, and idempotent when the same grader sends it again.
import { transact } from '../db/transact.js';
import { nowUs } from '../clock.js';
import { protocolError } from '../errors.js';
import { enqueueCallback, type DueCallback } from '../outbox/enqueue.js';
import { deliveryLeaseUs } from '../outbox/lease.js';
import { parseJsonObject } from '../protocol/json-object.js';
import { MSG } from '../protocol/strings.js';
import type { QueueContext } from './context.js';
import { adjustUnretired } from './counts.js';
import { selectForResult, storeResult } from './sql/result.js';

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

export async function putResult(
  ctx: QueueContext,
  reply: GraderReply,
  mayGrade: (queue: string) => boolean,
): Promise<{ queue: string; duplicate: boolean }> {
  const now = nowUs();
  const outcome: { queue: string; duplicate: boolean; callback?: DueCallback } = await transact(ctx.db, ctx.caps, async (trx) => {
    const row = await selectForResult.first(trx, { id: reply.submissionId }, ctx.caps);
    if (!row || !mayGrade(row.queue_name)) throw protocolError(MSG.submissionDoesNotExist);
    if (row.result_key !== null && row.result_key === reply.submissionKey) {
      if (row.grader_reply === reply.body) return { queue: row.queue_name, duplicate: true };
      throw protocolError(MSG.resultAlreadyRecorded);
    }
    if (row.pullkey === '' || row.pullkey !== reply.submissionKey) throw protocolError(MSG.incorrectKey);
    await storeResult.later(trx, { id: row.id, reply: reply.body, now, resultKey: row.pullkey });
    await adjustUnretired(trx, ctx.caps, row.queue_name, -1);
    const callback = await enqueueCallback(trx, row, 'result', reply.body, now, now + deliveryLeaseUs(ctx.config));
    return { queue: row.queue_name, duplicate: false, callback };
  });
  if (!outcome.duplicate) {
    ctx.metrics.resulted.inc({ queue: outcome.queue });
    ctx.metrics.retire(outcome.queue, 'result');
    ctx.signals.outboxReady(outcome.callback);
  }
  return { queue: outcome.queue, duplicate: outcome.duplicate };
}
