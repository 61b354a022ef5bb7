// Append-only, numbered migrations through Kysely's Migrator, which records each in a
// ledger table; two processes starting together apply them once (a lock on MySQL, a write
// transaction on SQLite).
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Capabilities } from './capabilities.js';
import { initial } from './migrations/0001-initial.js';
import { queueCounts } from './migrations/0002-queue-counts.js';
import { dropLeaseIndex } from './migrations/0003-drop-lease-index.js';
import type { Database } from './schema.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export function migrations(caps: Capabilities): Record<string, Migration> {
  return {
    '0001-initial': initial(caps),
    '0002-queue-counts': queueCounts(caps),
    '0003-drop-lease-index': dropLeaseIndex(caps),
  };
}

export function migrator(db: Kysely<Database>, caps: Capabilities): Migrator {
  const all = migrations(caps);
  return new Migrator({ db, provider: { getMigrations: async () => all } });
}

const LOCK_WAIT_MS = 120_000;

/** Applies what is missing. Returns Kysely's { error, results } so callers print exactly what failed. */
export async function migrateToLatest(db: Kysely<Database>, caps: Capabilities): Promise<MigrationResultSet> {
  if (!caps.migrateInWriteTransaction) return migrator(db, caps).migrateToLatest();
  // SQLite: the one connection Kysely migrates on is already inside this transaction, so a
  // second process waits at BEGIN until the first has committed, then finds nothing to do.
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await sql`begin immediate`.execute(db);
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw err;
    }
  }
  let result: MigrationResultSet;
  try {
    result = await migrator(db, caps).migrateToLatest();
  } catch (err) {
    await sql`rollback`.execute(db);
    throw err;
  }
  if (!result.error) {
    await sql`commit`.execute(db);
    return result;
  }
  // All or nothing: the ones that ran before the failing one are undone with it.
  await sql`rollback`.execute(db);
  return { ...result, results: result.results?.map((r) => (r.status === 'Success' ? { ...r, status: 'NotExecuted' as const } : r)) };
}

/** True when every known migration is applied: part of /readyz. */
export async function isMigrated(db: Kysely<Database>, caps: Capabilities): Promise<boolean> {
  const applied = await migrator(db, caps).getMigrations();
  return applied.every((m) => m.executedAt !== undefined);
}
