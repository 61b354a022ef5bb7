// Pull keys: 32 lower-case hex characters from a CSPRNG, new on every claim. Drawn from
// a pooled buffer, because one randomBytes call per claim showed in the profile.
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(16 * 256);
let offset = POOL.length;

export function newPullKey(): string {
  if (offset >= POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const key = POOL.toString('hex', offset, offset + 16);
  offset += 16;
  return key;
}
