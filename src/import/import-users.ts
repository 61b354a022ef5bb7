// Legacy Django users (spec §9h): the hash comes over as is, so old passwords keep
// working (pbkdf2_sha256 verifies, and is re-hashed at the next login); "!…" stays
// unusable; is_active = 0 comes over disabled. Imported users get submitter + grader on
// every queue. A user name already present is left alone: whatever an operator set
// here since (password, roles, the default account) wins over the legacy copy.
import type { Kysely } from 'kysely';
import { upsertUser } from '../accounts/users.js';
import type { Database } from '../db/schema.js';
import type { LegacyReader, LegacyUser } from './legacy-reader.js';
import type { ImportSummary } from './summary.js';

const BATCH = 500;

export type HashKind = 'pbkdf2' | 'unusable' | 'other';

export function hashKind(password: string): HashKind {
  if (password === '' || password.startsWith('!')) return 'unusable';
  if (/^pbkdf2_(sha256|sha1)\$/.test(password)) return 'pbkdf2';
  return 'other';
}

/** What we store for a legacy password: the hash verbatim, Django's empty password as unusable. */
export const storedHash = (password: string) => (password === '' ? '!' : password);

async function present(db: Kysely<Database> | null, username: string): Promise<boolean> {
  if (!db) return false;
  return (await db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst()) !== undefined;
}

/**
 * Imports every auth_user row not already present. `db` is null in a dry run over a
 * database that has no tables yet; `write` false counts without writing.
 */
export async function importUsers(reader: LegacyReader, db: Kysely<Database> | null, write: boolean, summary: ImportSummary): Promise<void> {
  for (let after = 0; ; ) {
    const users: LegacyUser[] = await reader.usersAfter(after, BATCH);
    if (users.length === 0) return;
    after = users[users.length - 1]!.id;
    for (const u of users) {
      if (await present(db, u.username)) {
        summary.users.skippedPresent++;
        continue;
      }
      const kind = hashKind(u.password);
      if (write && db)
        await upsertUser(db, u.username, {
          passwordHash: storedHash(u.password),
          roles: ['submitter', 'grader'],
          queues: null,
          active: u.is_active !== 0,
        });
      summary.users.imported++;
      if (u.is_active === 0) summary.users.disabled++;
      if (kind === 'unusable') summary.users.unusable++;
      if (kind === 'other') summary.users.unsupportedHash.push(u.username);
    }
  }
}
