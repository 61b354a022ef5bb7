// Append-only, numbered migrations through Kysely's Migrator, which records each in a
// ledger table and takes a lock so two processes starting together apply them once.
import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Capabilities } from './capabilities.js';
import { initial } from './migrations/0001-initial.js';
import { queueCounts } from './migrations/0002-queue-counts.js';
import type { Database } from './schema.js';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export function migrations(caps: Capabilities): Record<string, Migration> {
  return {
    '0001-initial': initial(caps),
    '0002-queue-counts': queueCounts(caps),
  };
}

export function migrator(db: Kysely<Database>, caps: Capabilities): Migrator {
  const all = migrations(caps);
  return new Migrator({ db, provider: { getMigrations: async () => all } });
}

/** Applies what is missing. Returns Kysely's { error, results } so callers print exactly what failed. */
export function migrateToLatest(db: Kysely<Database>, caps: Capabilities): Promise<MigrationResultSet> {
  return migrator(db, caps).migrateToLatest();
}

/** True when every known migration is applied: part of /readyz. */
export async function isMigrated(db: Kysely<Database>, caps: Capabilities): Promise<boolean> {
  const applied = await migrator(db, caps).getMigrations();
  return applied.every((m) => m.executedAt !== undefined);
}
