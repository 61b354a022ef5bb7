// Retiring a submission that will never get a grader's result: it is handed out no
// more, its key is cleared, and the LMS gets the legacy failure notice (spec §9c).
import type { Transaction } from 'kysely';
import type { Database, RetireReason } from '../db/schema.js';
import { enqueueCallback, type CallbackTarget } from '../outbox/enqueue.js';
import { FAILURE_NOTICE } from '../protocol/strings.js';
import type { Capabilities } from '../db/capabilities.js';
import { adjustUnretired } from './counts.js';
import { retireSubmission } from './sql/retire.js';

export async function retireWithNotice(
  trx: Transaction<Database>,
  caps: Capabilities,
  target: CallbackTarget & { readonly queue_name: string },
  reason: Extract<RetireReason, 'poison' | 'push_failed' | 'admin'>,
  nowUs: number,
): Promise<boolean> {
  const r = await retireSubmission.write(trx, { id: target.id, reason });
  if (r.affected === 0) return false;
  await adjustUnretired(trx, caps, target.queue_name, -1);
  await enqueueCallback(trx, target, 'failure_notice', FAILURE_NOTICE, nowUs);
  return true;
}
