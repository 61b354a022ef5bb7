// Writes run with `later` (src/db/prepared.ts): on MySQL they travel with the
// transaction's next statement (src/db/mysql-pipeline.ts). Whatever the database, they
// must keep a transaction's meaning: in order, all or nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type Db } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { preparedSelect, preparedWrite } from '../../src/db/prepared.js';
import { transact } from '../../src/db/transact.js';
import { testDatabase, type TestDatabase } from '../helpers/database.js';
import { testDataDir } from '../helpers/server.js';

const addUser = preparedWrite((k, p: { id: number; name: string }) =>
  k.insertInto('users').values({ id: p.id, username: p.name, password_hash: '!', roles: 'grader', created_at: 0 }),
);
const names = preparedSelect((k, _p: { all: boolean }) => k.selectFrom('users').select('username').orderBy('id'));
const usernames = async (db: Db) => (await names.rows(db.kysely, { all: true })).map((r) => r.username);

describe('writes held for the next statement', () => {
  let target: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    target = await testDatabase();
    const url = target.env.XQUEUE_DATABASE_URL ?? `sqlite:${testDataDir()}/held.db`;
    db = connect({ url, sqliteSynchronous: 'FULL' });
    await migrateToLatest(db.kysely, db.caps);
  });
  afterAll(async () => {
    await db.close();
    await target.drop();
  });

  it('commit with the transaction and are seen by its next statement', async () => {
    const seen = await transact(db.kysely, db.caps, async (trx) => {
      await addUser.later(trx, { id: 1, name: 'ann' });
      await addUser.later(trx, { id: 2, name: 'bob' });
      return (await names.rows(trx, { all: true })).map((r) => r.username);
    });
    expect(seen).toEqual(['ann', 'bob']);
    await transact(db.kysely, db.caps, (trx) => addUser.later(trx, { id: 3, name: 'cy' }));
    expect(await usernames(db)).toEqual(['ann', 'bob', 'cy']);
  });

  it('that fail make the whole transaction fail, and leave the connection usable', async () => {
    const attempt = transact(db.kysely, db.caps, async (trx) => {
      await addUser.write(trx, { id: 10, name: 'dee' });
      await addUser.later(trx, { id: 1, name: 'clash' });
    });
    await expect(attempt).rejects.toThrow();
    expect(await usernames(db)).toEqual(['ann', 'bob', 'cy']);
    await transact(db.kysely, db.caps, (trx) => addUser.later(trx, { id: 11, name: 'eve' }));
    expect(await usernames(db)).toEqual(['ann', 'bob', 'cy', 'eve']);
  });

  it('are dropped when the transaction rolls back, and need no transaction', async () => {
    const attempt = transact(db.kysely, db.caps, async (trx) => {
      await addUser.later(trx, { id: 20, name: 'fay' });
      throw new Error('changed my mind');
    });
    await expect(attempt).rejects.toThrow('changed my mind');
    await transact(db.kysely, db.caps, async () => {});
    await addUser.later(db.kysely, { id: 21, name: 'gus' });
    expect(await usernames(db)).toEqual(['ann', 'bob', 'cy', 'eve', 'gus']);
  });
});
