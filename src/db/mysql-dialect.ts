// MySQL 8 / MariaDB ≥ 10.6 through mysql2's pool. Sessions run READ COMMITTED, so the
// claim's SKIP LOCKED sees rows committed by other replicas and takes no gap locks.
import { createRequire } from 'node:module';
import { CompiledQuery, MysqlDialect } from 'kysely';
import type * as Mysql2 from 'mysql2';
import { pipelinedPool } from './mysql-pipeline.js';

// Required on first use, so SQLite setups and CLI commands never load the MySQL driver.
const mysql2 = () => createRequire(import.meta.url)('mysql2') as typeof Mysql2;

export function openMysql(url: string): MysqlDialect {
  const pool = mysql2().createPool({
    uri: url,
    connectionLimit: 16,
    charset: 'utf8mb4_bin',
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    connectTimeout: 5000,
    enableKeepAlive: true,
    // For mysql-pipeline.ts. Every value still goes through mysql2's escaping as a parameter.
    multipleStatements: true,
  });
  return new MysqlDialect({
    pool: pipelinedPool(pool),
    onCreateConnection: async (connection) => {
      await connection.executeQuery(CompiledQuery.raw('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED'));
      await connection.executeQuery(CompiledQuery.raw("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'"));
    },
  });
}

/** Creates the database named in the URL when it is missing (the init job's first step). */
export async function ensureMysqlDatabase(url: string): Promise<void> {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!name) return;
  u.pathname = '/';
  const { createConnection } = await import('mysql2/promise');
  const conn = await createConnection({ uri: u.toString(), connectTimeout: 5000 });
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${name.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await conn.end();
  }
}
