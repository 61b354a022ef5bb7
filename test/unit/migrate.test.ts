// Migrations on SQLite run inside one write transaction (src/db/migrate.ts): all or nothing,
// and a second process waits for the first instead of running them again.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const tables = async (db: ReturnType<typeof connect>) =>
  (await sql<{ name: string }>`select name from sqlite_master where type = 'table' order by name`.execute(db.kysely)).rows.map((r) => r.name);

describe('SQLite migrations', () => {
  it('are undone together when one fails, and say so', async () => {
    const db = connect({ url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'xqueue-migrate-')), 'x.db')}`, sqliteSynchronous: 'FULL' });
    // 0002 creates this table: the run fails there, after 0001 has created its tables.
    await sql`create table queue_counts (x integer)`.execute(db.kysely);
    const { error, results } = await migrateToLatest(db.kysely, db.caps);
    expect(error).toBeDefined();
    expect(results?.map((r) => [r.migrationName, r.status])).toEqual([
      ['0001-initial', 'NotExecuted'],
      ['0002-queue-counts', 'Error'],
      ['0003-drop-lease-index', 'NotExecuted'],
    ]);
    expect(await tables(db)).not.toContain('submissions');

    await sql`drop table queue_counts`.execute(db.kysely);
    const again = await migrateToLatest(db.kysely, db.caps);
    expect(again.error).toBeUndefined();
    expect(again.results?.every((r) => r.status === 'Success')).toBe(true);
    expect(await tables(db)).toEqual(expect.arrayContaining(['submissions', 'queue_counts', 'outbox', 'users', 'sessions']));
    await db.close();
  });
});
