// Which database the suite runs on: SQLite in the data dir, or a fresh MariaDB database
// per server when the "mysql" project runs (vitest.config.ts).
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

export interface TestDatabase {
  /** Settings that point a server at this database. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
}

export const onMysql = () => process.env.XQUEUE_TEST_DB === 'mysql';

export async function testDatabase(): Promise<TestDatabase> {
  if (!onMysql()) return { env: {}, drop: async () => {} };
  const base = inject('mysqlUrl');
  if (!base) throw new Error('the mysql project runs without a MariaDB URL');
  const name = `xqt_${randomBytes(6).toString('hex')}`;
  const { createConnection } = await import('mysql2/promise');
  const admin = await createConnection({ uri: base });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.end();
  return {
    env: { XQUEUE_DATABASE_URL: new URL(name, base).toString() },
    async drop() {
      const c = await createConnection({ uri: base });
      await c.query(`DROP DATABASE IF EXISTS ${name}`);
      await c.end();
    },
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mysqlUrl: string;
  }
}
