// A new outbox entry, inserted in the transaction that stores its cause (spec §9b).
import { preparedWrite } from '../../db/prepared.js';
import type { OutboxKind } from '../../db/schema.js';

interface Entry {
  readonly submissionId: number;
  readonly kind: OutboxKind;
  readonly url: string;
  readonly body: string;
  readonly nextAttemptAt: number;
  readonly createdAt: number;
}

export const insertOutboxEntry = preparedWrite((db, p: Entry) =>
  db.insertInto('outbox').values({
    submission_id: p.submissionId,
    kind: p.kind,
    url: p.url,
    body: p.body,
    attempts: 0,
    next_attempt_at: p.nextAttemptAt,
    created_at: p.createdAt,
    state: 'pending',
  }),
);
