// The LMS logs in again and again with the same credentials, and every scrypt costs
// tens of milliseconds and 32 MiB. A login that verified is remembered as an HMAC of
// the password (keyed with a per-process secret, never the password itself) next to
// the stored hash it matched; a changed hash or another password misses the cache.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY = randomBytes(32);
const LIMIT = 10_000;

const mac = (username: string, password: string) => createHmac('sha256', KEY).update(username).update('\0').update(password).digest();

export class LoginCache {
  private readonly entries = new Map<string, { hash: string; mac: Buffer }>();

  /** True when this password verified against exactly this stored hash before. */
  hit(username: string, password: string, storedHash: string): boolean {
    const e = this.entries.get(username);
    return e !== undefined && e.hash === storedHash && timingSafeEqual(e.mac, mac(username, password));
  }

  remember(username: string, password: string, storedHash: string): void {
    if (this.entries.size >= LIMIT) this.entries.clear();
    this.entries.set(username, { hash: storedHash, mac: mac(username, password) });
  }
}
