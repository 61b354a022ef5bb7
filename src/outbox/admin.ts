// What an operator needs about callbacks: the ones given up on are kept (spec §9b), listed
// here and sent again on request. A running server picks a re-sent entry up within a second.
import type { Kysely } from 'kysely';
import { nowUs } from '../clock.js';
import type { Database, OutboxState } from '../db/schema.js';

export interface OutboxListing {
  readonly submissionId: number;
  readonly kind: string;
  readonly state: OutboxState;
  readonly attempts: number;
  readonly url: string;
  readonly lastError: string | null;
  readonly createdAt: number;
}

export async function listCallbacks(db: Kysely<Database>, state: OutboxState, limit = 100): Promise<OutboxListing[]> {
  const rows = await db
    .selectFrom('outbox')
    .select(['submission_id', 'kind', 'state', 'attempts', 'url', 'last_error', 'created_at'])
    .where('state', '=', state)
    .orderBy('submission_id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    submissionId: Number(r.submission_id),
    kind: r.kind,
    state: r.state,
    attempts: r.attempts,
    url: r.url,
    lastError: r.last_error,
    createdAt: Number(r.created_at),
  }));
}

/** Puts failed callbacks back in line, with a fresh give-up window; `ids` empty: all failed. Returns how many. */
export async function resendCallbacks(db: Kysely<Database>, ids: readonly number[]): Promise<number> {
  const now = nowUs();
  let q = db.updateTable('outbox').set({ state: 'pending', next_attempt_at: now, created_at: now }).where('state', '=', 'failed');
  if (ids.length > 0) q = q.where('submission_id', 'in', ids);
  return Number((await q.executeTakeFirst()).numUpdatedRows);
}
