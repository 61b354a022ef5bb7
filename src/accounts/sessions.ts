// Server-side sessions behind the `sessionid` cookie (spec §2.3): 14 days, not
// refreshed, stored in the database so every server process accepts them. A short
// in-process cache keeps the lookup off the hot path; a logout elsewhere or a removed
// account is seen within CACHE_MS.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { msToUs, nowUs } from '../clock.js';
import type { Database } from '../db/schema.js';
import { findUserById, type Principal } from './users.js';

export const SESSION_AGE_S = 1_209_600;
const CACHE_MS = 5_000;
const CACHE_LIMIT = 10_000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

interface Cached {
  readonly principal: Principal | null;
  readonly expiresAtUs: number;
  readonly cachedUntilMs: number;
}

export class SessionStore {
  private readonly cache = new Map<string, Cached>();
  constructor(private readonly db: Kysely<Database>) {}

  /** Starts a session; returns the cookie value (only its digest is stored). */
  async create(userId: number): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    const now = nowUs();
    await this.db
      .insertInto('sessions')
      .values({ id: digest(token), user_id: userId, created_at: now, expires_at: now + msToUs(SESSION_AGE_S * 1000) })
      .execute();
    return token;
  }

  /** The active account behind a cookie value, or null. */
  async principal(token: string | undefined): Promise<Principal | null> {
    if (!token || token.length > 128) return null;
    const id = digest(token);
    const hit = this.cache.get(id);
    if (hit && hit.cachedUntilMs > Date.now()) return hit.expiresAtUs > nowUs() ? hit.principal : null;
    const row = await this.db.selectFrom('sessions').select(['user_id', 'expires_at']).where('id', '=', id).executeTakeFirst();
    let principal: Principal | null = null;
    let expiresAtUs = 0;
    if (row && Number(row.expires_at) > nowUs()) {
      const user = await findUserById(this.db, row.user_id);
      principal = user && user.active ? { id: user.id, username: user.username, roles: user.roles, queues: user.queues, active: true } : null;
      expiresAtUs = Number(row.expires_at);
    }
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(id, { principal, expiresAtUs, cachedUntilMs: Date.now() + CACHE_MS });
    return principal;
  }

  /** Ends the session; returns whether one existed. */
  async destroy(token: string | undefined): Promise<boolean> {
    if (!token || token.length > 128) return false;
    const id = digest(token);
    this.cache.delete(id);
    const r = await this.db.deleteFrom('sessions').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Drops expired sessions; run now and then by the sweeper. */
  async purgeExpired(): Promise<number> {
    const r = await this.db.deleteFrom('sessions').where('expires_at', '<=', nowUs()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
