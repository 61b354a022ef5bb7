// Recording a delivery attempt: delivered (and the submission acknowledged by the LMS),
// or failed with its next attempt time and the failure counted on the submission.
import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../../db/capabilities.js';
import { listNames, listOf, listParams } from '../../db/in-list.js';
import { preparedWrite } from '../../db/prepared.js';
import type { Database, OutboxState } from '../../db/schema.js';
import { transact, withRetries } from '../../db/transact.js';

/** Deliveries one pair of statements records. */
export const MARKS_PER_STATEMENT = 16;

const ID_NAMES = listNames('id', MARKS_PER_STATEMENT);

const markDelivered = preparedWrite((db, p: Record<string, number>) =>
  db
    .updateTable('outbox')
    .set((eb) => ({ state: 'delivered', attempts: eb('attempts', '+', 1), delivered_at: p.now!, last_error: null }))
    .where('submission_id', 'in', listOf(p, ID_NAMES)),
);

const markAcknowledged = preparedWrite((db, p: Record<string, number>) =>
  db
    .updateTable('submissions')
    .set({ lms_ack: 1 })
    .where('id', 'in', listOf(p, ID_NAMES)),
);

/** Both marks in one statement, where the database updates joined tables (capability updateJoins). */
const markDeliveredJoined = preparedWrite((db, p: Record<string, number>) => {
  const ids = sql.join(listOf(p, ID_NAMES));
  const q = sql`update outbox join submissions on submissions.id = outbox.submission_id
    set outbox.state = 'delivered', outbox.attempts = outbox.attempts + 1, outbox.delivered_at = ${p.now!}, outbox.last_error = null,
      submissions.lms_ack = 1
    where outbox.submission_id in (${ids})`;
  return { compile: () => q.compile(db) };
});

/**
 * Records 1 to MARKS_PER_STATEMENT delivered callbacks (the attempt that delivered each
 * counted) and their submissions acknowledged: in one statement on its own where the
 * database can, else as two statements of a transaction.
 */
export async function markDeliveredMany(db: Kysely<Database>, caps: Capabilities, ids: readonly number[], now: number): Promise<void> {
  const params = { ...listParams(ID_NAMES, ids), now };
  if (caps.updateJoins) await withRetries(caps, () => markDeliveredJoined.write(db, params, caps));
  else
    await transact(db, caps, async (trx) => {
      await markDelivered.later(trx, params);
      await markAcknowledged.later(trx, params);
    });
}

interface Failed {
  readonly id: number;
  readonly state: Extract<OutboxState, 'pending' | 'failed'>;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly error: string;
}

export const markAttemptFailed = preparedWrite((db, p: Failed) =>
  db
    .updateTable('outbox')
    .set({ state: p.state, attempts: p.attempts, next_attempt_at: p.nextAttemptAt, last_error: p.error })
    .where('submission_id', '=', p.id),
);

export const countFailure = preparedWrite((db, p: { id: number }) =>
  db
    .updateTable('submissions')
    .set((eb) => ({ num_failures: eb('num_failures', '+', 1) }))
    .where('id', '=', p.id),
);
