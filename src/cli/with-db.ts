import { loadConfig, type Config } from '../config.js';
import { connect, type Db } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';

/** Opens the configured database, brought up to date, for one command; always closes it. */
export async function withDb<T>(fn: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = connect(config.database);
  try {
    const { error } = await migrateToLatest(db.kysely, db.caps);
    if (error) throw error;
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
