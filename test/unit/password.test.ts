import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/accounts/password.js';

const django = (password: string, salt: string, iterations: number, digest: 'sha256' | 'sha1' = 'sha256') =>
  `pbkdf2_${digest}$${iterations}$${salt}$${pbkdf2Sync(password, salt, iterations, digest === 'sha256' ? 32 : 20, digest).toString('base64')}`;

describe('password hashes', () => {
  it('makes scrypt hashes in PHC form that verify only the right password', async () => {
    const hash = await hashPassword('s3cret ✓');
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('s3cret ✓', hash)).toEqual({ ok: true, rehash: false });
    expect((await verifyPassword('s3cret', hash)).ok).toBe(false);
    expect(await hashPassword('s3cret ✓')).not.toBe(hash);
  });

  it("verifies Django's pbkdf2_sha256 and pbkdf2_sha1 hashes and asks for a re-hash", async () => {
    // A hash as Django 3.2 stores it (260000 iterations), checked against an independent computation.
    const stored = django('password', 'Q8y3YDWJ7Xq9', 260000);
    expect(await verifyPassword('password', stored)).toEqual({ ok: true, rehash: true });
    expect((await verifyPassword('Password', stored)).ok).toBe(false);
    expect((await verifyPassword('pässword', django('pässword', 'salt', 1000))).ok).toBe(true);
    expect((await verifyPassword('x', django('x', 'salt', 1000, 'sha1'))).ok).toBe(true);
  });

  it('never verifies unusable or unknown hashes', async () => {
    expect((await verifyPassword('', '!'))).toEqual({ ok: false, rehash: false });
    expect((await verifyPassword('x', '!Zx1unusable'))).toEqual({ ok: false, rehash: false });
    expect((await verifyPassword('x', 'md5$salt$0cc175b9c0f1b6a831c399e269772661'))).toEqual({ ok: false, rehash: false });
    expect((await verifyPassword('x', 'argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA'))).toEqual({ ok: false, rehash: false });
  });
});
