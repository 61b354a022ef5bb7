// A transaction that is run again when the database reports a deadlock or a busy lock,
// which MySQL does under contention by design. The body must be safe to repeat.
import type { Kysely, Transaction } from 'kysely';
import type { Capabilities } from './capabilities.js';
import type { Database } from './schema.js';

const ATTEMPTS = 5;

export async function transact<T>(
  db: Kysely<Database>,
  caps: Capabilities,
  body: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(body);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (attempt >= ATTEMPTS || !code || !caps.retryableErrors.includes(code)) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}
