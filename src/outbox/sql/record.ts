// Recording a delivery attempt: delivered (and the submission acknowledged by the LMS),
// or failed with its next attempt time and the failure counted on the submission.
import { preparedWrite } from '../../db/prepared.js';
import type { OutboxState } from '../../db/schema.js';

export const markDelivered = preparedWrite((db, p: { id: number; attempts: number; now: number }) =>
  db.updateTable('outbox').set({ state: 'delivered', attempts: p.attempts, delivered_at: p.now, last_error: null }).where('submission_id', '=', p.id),
);

export const markAcknowledged = preparedWrite((db, p: { id: number }) =>
  db.updateTable('submissions').set({ lms_ack: 1 }).where('id', '=', p.id),
);

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
