// After an import, new submissions must get ids above every legacy id, retired ones
// included: a later --include-retired run, or a legacy row written after this run, must
// never find its id taken. Explicit ids already move the counter on both databases
// (SQLite AUTOINCREMENT records the largest id ever inserted in sqlite_sequence; InnoDB
// raises AUTO_INCREMENT past an explicit id); this also reserves the ids of rows left behind.
import { sql, type Kysely } from 'kysely';
import type { Capabilities } from '../db/capabilities.js';
import type { Database } from '../db/schema.js';

type Raise = (db: Kysely<Database>, maxId: number) => Promise<void>;

// One per kind of counter (capabilities.ts); each only ever moves the counter up.
const RAISE: Record<Capabilities['idCounter'], Raise> = {
  sqlite_sequence: async (db, maxId) => {
    await db.transaction().execute(async (trx) => {
      const r = await sql<{ seq: number }>`SELECT seq FROM sqlite_sequence WHERE name = 'submissions'`.execute(trx);
      const seq = r.rows[0]?.seq;
      if (seq === undefined) await sql`INSERT INTO sqlite_sequence (name, seq) VALUES ('submissions', ${maxId})`.execute(trx);
      else if (Number(seq) < maxId) await sql`UPDATE sqlite_sequence SET seq = ${maxId} WHERE name = 'submissions'`.execute(trx);
    });
  },
  auto_increment: async (db, maxId) => {
    const r = await sql<{ m: number | null }>`SELECT MAX(id) AS m FROM submissions`.execute(db);
    // InnoDB refuses to set the counter at or below the largest id present, so this cannot lower it under a row.
    if (Number(r.rows[0]?.m ?? 0) < maxId) await sql.raw(`ALTER TABLE submissions AUTO_INCREMENT = ${Math.trunc(maxId) + 1}`).execute(db);
  },
};

export function reserveIdsThrough(db: Kysely<Database>, caps: Capabilities, maxId: number): Promise<void> {
  return RAISE[caps.idCounter](db, maxId);
}
