// "Visible" (spec §5.2): unretired, and never pulled or its lease has run out. Queue
// length, the submit count and the claim all use this one predicate.
import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../db/schema.js';

export function visible(nowUs: number) {
  return (eb: ExpressionBuilder<Database, 'submissions'>) =>
    eb.and([eb('retired', '=', 0), eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowUs)])]);
}
