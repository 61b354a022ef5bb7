// Every write transaction goes through here: grouped into shared commits where the
// database has one writer (capability groupCommit), and run again when the database
// reports a deadlock or a busy lock, which MySQL does under contention by design.
// A body must be safe to repeat, and must use only the transaction it is given.
import type { Kysely, Transaction } from 'kysely';
import type { Capabilities } from './capabilities.js';
import { GroupCommitter } from './group-commit.js';
import type { Database } from './schema.js';

const ATTEMPTS = 5;
const committers = new WeakMap<Kysely<Database>, GroupCommitter>();

function committerFor(db: Kysely<Database>): GroupCommitter {
  let c = committers.get(db);
  if (!c) committers.set(db, (c = new GroupCommitter(db)));
  return c;
}

export function transact<T>(db: Kysely<Database>, caps: Capabilities, body: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return withRetries(caps, () => (caps.groupCommit ? committerFor(db).run(body) : db.transaction().execute(body)));
}

/** Runs `work` (a transaction, or one statement on its own) again after a deadlock or busy lock. */
export async function withRetries<T>(caps: Capabilities, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= ATTEMPTS || !code || !caps.retryableErrors.includes(code)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}
