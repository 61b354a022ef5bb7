// SQLite through better-sqlite3, with two changes to Kysely's stock driver:
// transactions take the write lock at BEGIN (IMMEDIATE), so a read-then-write never
// fails with SQLITE_BUSY half-way, and prepared statements are reused by SQL text.
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

const STATEMENT_CACHE_LIMIT = 500;

/** A handle whose prepare() returns a cached statement for SQL it has seen. */
function withStatementCache(db: BetterSqlite3.Database): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = db.prepare.bind(db);
  // One function for every query, not a new closure per property read.
  const cachedPrepare = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      if (cache.size >= STATEMENT_CACHE_LIMIT) cache.clear();
      stmt = prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'prepare') return cachedPrepare;
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function openSqlite(path: string, synchronous: 'FULL' | 'NORMAL'): { dialect: SqliteDialect; raw: BetterSqlite3.Database } {
  const raw = new BetterSqlite3(path);
  // Turning a new database to WAL takes a lock the busy timeout does not wait for: a second
  // process opening it at the same moment is told "locked" at once, so it waits here.
  for (let waited = 0; ; waited += 10) {
    try {
      raw.pragma('journal_mode = WAL');
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || waited >= 5000) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  raw.pragma(`synchronous = ${synchronous}`);
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  return { dialect: new ImmediateSqliteDialect(withStatementCache(raw)), raw };
}
