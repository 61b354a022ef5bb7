// Row locking where the database has it. On SQLite the transaction already holds the
// write lock from BEGIN IMMEDIATE, so these are no-ops there.
import type { SelectQueryBuilder } from 'kysely';
import type { Capabilities } from './capabilities.js';

/** Lock the rows read until commit (put_result, retire). */
export function forUpdate<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, caps: Capabilities) {
  return caps.rowLocks ? q.forUpdate() : q;
}

/** Lock the rows read and skip rows another transaction holds (the claim). */
export function forUpdateSkipLocked<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>, caps: Capabilities) {
  return caps.skipLocked ? q.forUpdate().skipLocked() : caps.rowLocks ? q.forUpdate() : q;
}
