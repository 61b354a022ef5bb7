// Hot queries compiled once (src/db/prepared.ts), on a real SQLite database.
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { connect } from '../../src/db/connect.js';
import { CAPABILITIES } from '../../src/db/capabilities.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { preparedSelect, preparedWrite } from '../../src/db/prepared.js';

describe('prepared queries', () => {
  it('fill in new parameters on every run, inside and outside transactions', async () => {
    const db = connect({ url: 'sqlite::memory:', sqliteSynchronous: 'NORMAL' });
    await migrateToLatest(db.kysely, db.caps);
    const insert = preparedWrite((k, p: { name: string; at: number }) =>
      k.insertInto('users').values({ username: p.name, password_hash: '!', roles: 'grader', created_at: p.at }),
    );
    const byName = preparedSelect((k, p: { name: string }) => k.selectFrom('users').select(['id', 'created_at']).where('username', '=', p.name));
    const a = await insert.write(db.kysely, { name: 'a', at: 1 });
    await db.kysely.transaction().execute((trx) => insert.write(trx, { name: 'b', at: 2 }));
    expect(a).toEqual({ affected: 1, insertId: 1 });
    expect(await byName.first(db.kysely, { name: 'b' })).toEqual({ id: 2, created_at: 2 });
    expect(await byName.rows(db.kysely, { name: 'a' })).toEqual([{ id: 1, created_at: 1 }]);
    expect(await byName.first(db.kysely, { name: 'nobody' })).toBeUndefined();
    await db.close();
  });

  it('refuse a parameter that was computed with instead of bound, and capabilities not passed', async () => {
    const db = connect({ url: 'sqlite::memory:', sqliteSynchronous: 'NORMAL' });
    await migrateToLatest(db.kysely, db.caps);
    const computed = preparedSelect((k, p: { n: number }) => k.selectFrom('users').select('id').where(sql.raw<boolean>(`id > ${String(p.n)}`)));
    await expect(computed.rows(db.kysely, { n: 1 })).rejects.toThrow(/did not become bound values/);
    const locking = preparedSelect((k, p: { id: number }, caps) => (caps.rowLocks ? k.selectFrom('users').select('id').forUpdate() : k.selectFrom('users').select('id')).where('id', '=', p.id));
    await expect(locking.rows(db.kysely, { id: 1 })).rejects.toThrow(/reads capability rowLocks/);
    expect(await locking.rows(db.kysely, { id: 1 }, CAPABILITIES.sqlite)).toEqual([]);
    await db.close();
  });
});
