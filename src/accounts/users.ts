// Accounts and roles (spec §9h): submitter (submit), grader (get_submission,
// put_result; optionally limited to named queues), admin (dashboard, admin API).
import type { Kysely } from 'kysely';
import { nowUs } from '../clock.js';
import type { Database, UserTable } from '../db/schema.js';
import { hashPassword, verifyPassword } from './password.js';

export const ROLES = ['submitter', 'grader', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const isRole = (s: string): s is Role => (ROLES as readonly string[]).includes(s);

export interface Principal {
  readonly id: number;
  readonly username: string;
  readonly roles: ReadonlySet<Role>;
  /** Queues this account is limited to; null: every queue. */
  readonly queues: readonly string[] | null;
  readonly active: boolean;
}

export interface UserRecord extends Principal {
  readonly passwordHash: string;
}

export function toRecord(row: Pick<UserTable, 'username' | 'password_hash' | 'roles' | 'queues'> & { id: number; is_active: number }): UserRecord {
  return {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    roles: new Set(row.roles.split(',').filter(isRole)),
    queues: row.queues === null ? null : (JSON.parse(row.queues) as string[]),
    active: Number(row.is_active) === 1,
  };
}

export const mayUseQueue = (p: Principal, queue: string) => p.queues === null || p.queues.includes(queue);
export const hasRole = (p: Principal, role: Role) => p.roles.has(role);

export async function findUser(db: Kysely<Database>, username: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && toRecord(row);
}

export async function findUserById(db: Kysely<Database>, id: number): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  return row && toRecord(row);
}

export async function listUsers(db: Kysely<Database>): Promise<UserRecord[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
  return rows.map(toRecord);
}

export interface UserChange {
  readonly password?: string;
  readonly passwordHash?: string;
  readonly roles?: readonly Role[];
  readonly queues?: readonly string[] | null;
  readonly active?: boolean;
}

/** Creates the user, or updates the fields given when it exists. Returns true when created. */
export async function upsertUser(db: Kysely<Database>, username: string, change: UserChange): Promise<boolean> {
  const hash = change.passwordHash ?? (change.password !== undefined ? await hashPassword(change.password) : undefined);
  const fields = {
    ...(hash !== undefined ? { password_hash: hash } : {}),
    ...(change.roles ? { roles: change.roles.join(',') } : {}),
    ...(change.queues !== undefined ? { queues: change.queues === null ? null : JSON.stringify(change.queues) } : {}),
    ...(change.active !== undefined ? { is_active: change.active ? 1 : 0 } : {}),
  };
  const once = () => db.transaction().execute(async (trx) => {
    const existing = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (existing) {
      if (Object.keys(fields).length > 0) await trx.updateTable('users').set(fields).where('id', '=', existing.id).execute();
      return false;
    }
    await trx
      .insertInto('users')
      .values({
        username,
        password_hash: fields.password_hash ?? '!',
        roles: fields.roles ?? 'submitter,grader',
        queues: fields.queues ?? null,
        is_active: fields.is_active ?? 1,
        created_at: nowUs(),
      })
      .execute();
    return true;
  });
  try {
    return await once();
  } catch (err) {
    // Another process (a replica starting at the same moment) created it between our read
    // and our insert: the second pass finds it and updates it.
    if (!(await findUser(db, username))) throw err;
    return once();
  }
}

export async function removeUser(db: Kysely<Database>, username: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const user = await trx.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
    if (!user) return false;
    await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    await trx.deleteFrom('users').where('id', '=', user.id).execute();
    return true;
  });
}

/**
 * The configured default account (Tutor's XQUEUE_AUTH_USERNAME/PASSWORD): every role on
 * every queue, its password reset at each start as Tutor's update_users did.
 */
export async function ensureDefaultAccount(db: Kysely<Database>, username: string, password: string): Promise<boolean> {
  const existing = await findUser(db, username);
  if (existing && (await verifyPassword(password, existing.passwordHash)).ok) {
    if (existing.roles.size === ROLES.length && existing.queues === null && existing.active) return false;
    return upsertUser(db, username, { roles: ROLES, queues: null, active: true });
  }
  return upsertUser(db, username, { password, roles: ROLES, queues: null, active: true });
}
