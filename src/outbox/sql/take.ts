// Taking due entries (spec §9b): read the oldest due, then move each one's next attempt
// past this attempt's lease, on condition that no one else did so first.
import { preparedSelect, preparedWrite } from '../../db/prepared.js';

export const selectDue = preparedSelect((db, p: { now: number; limit: number }) =>
  db
    .selectFrom('outbox')
    .select(['submission_id', 'url', 'body', 'attempts', 'next_attempt_at', 'created_at'])
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', p.now)
    .orderBy('next_attempt_at')
    .limit(p.limit),
);

export const takeEntry = preparedWrite((db, p: { id: number; seen: number; leaseUntil: number }) =>
  db
    .updateTable('outbox')
    .set({ next_attempt_at: p.leaseUntil })
    .where('submission_id', '=', p.id)
    .where('state', '=', 'pending')
    .where('next_attempt_at', '=', p.seen),
);
