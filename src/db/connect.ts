import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely } from 'kysely';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { CAPABILITIES, type Capabilities } from './capabilities.js';
import type { Database } from './schema.js';
import { openMysql } from './mysql-dialect.js';
import { openSqlite } from './sqlite-dialect.js';

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly caps: Capabilities;
  close(): Promise<void>;
}

/** Opens the database named by the config. It does not migrate: callers decide when. */
export function connect(database: Config['database']): Db {
  if (database.url.startsWith('sqlite:')) {
    const path = database.url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const { dialect } = openSqlite(path, database.sqliteSynchronous);
    const kysely = new Kysely<Database>({ dialect });
    return { kysely, caps: CAPABILITIES.sqlite, close: () => kysely.destroy() };
  }
  if (database.url.startsWith('mysql://')) {
    const kysely = new Kysely<Database>({ dialect: openMysql(database.url) });
    return { kysely, caps: CAPABILITIES.mysql, close: () => kysely.destroy() };
  }
  throw new ConfigError('XQUEUE_DATABASE_URL', 'sqlite:PATH or mysql://user:pass@host:port/db', database.url);
}
