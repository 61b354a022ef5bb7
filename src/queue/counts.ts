// The unretired counter behind queue length (migration 0002). Every path that inserts
// or retires a submission adjusts it in the same transaction.
import type { Kysely, Transaction } from 'kysely';
import type { Capabilities } from '../db/capabilities.js';
import type { Database } from '../db/schema.js';
import { bumpUnretired, countBoth, countLeased, sumUnretired } from './sql/counts.js';

type Reader = Kysely<Database> | Transaction<Database>;

export async function adjustUnretired(trx: Reader, caps: Capabilities, queue: string, delta: number): Promise<void> {
  if (delta === 0) return;
  const slot = caps.counterSlots > 1 ? Math.floor(Math.random() * caps.counterSlots) : 0;
  await bumpUnretired.later(trx, { queue, slot, delta }, caps);
}

export async function unretiredCount(db: Reader, queue: string): Promise<number> {
  const row = await sumUnretired.first(db, { queue });
  return Number(row?.n ?? 0);
}

/** Submissions under a live lease: few (about one per grader), found through their own index. */
export async function leasedCount(db: Reader, queue: string, nowUs: number): Promise<number> {
  const row = await countLeased.first(db, { queue, now: nowUs });
  return Number(row?.n ?? 0);
}

/** Submissions of the queue waiting for a grader (spec §5.2), in constant time. */
export async function visibleCount(db: Reader, queue: string, nowUs: number): Promise<number> {
  return visibleLength(await countBoth.first(db, { queue, now: nowUs }));
}

/** Unretired minus leased, from a row that read both. */
export function visibleLength(row: { unretired: unknown; leased: unknown } | undefined): number {
  return Math.max(0, Number(row?.unretired ?? 0) - Number(row?.leased ?? 0));
}
