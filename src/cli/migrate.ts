import { Command } from 'commander';
import { loadConfig } from '../config.js';
import { connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrate.js';
import { ensureDefaultAccount } from '../accounts/users.js';

/** `xqueue migrate`: the init job. Idempotent: applies what is missing, resets the default account. */
export function migrateCommand(): Command {
  return new Command('migrate').description('apply database migrations and create or reset the default account').action(async () => {
    const config = loadConfig();
    const db = connect(config.database);
    try {
      const { error, results } = await migrateToLatest(db.kysely, db.caps);
      for (const r of results ?? []) console.log(`${r.status === 'Success' ? 'applied' : r.status.toLowerCase()}: ${r.migrationName}`);
      if (error) throw error;
      if ((results ?? []).length === 0) console.log('database is up to date');
      const created = await ensureDefaultAccount(db.kysely, config.defaultAccount.username, config.defaultAccount.password);
      console.log(`default account '${config.defaultAccount.username}' ${created ? 'created' : 'is set'}`);
    } finally {
      await db.close();
    }
  });
}
