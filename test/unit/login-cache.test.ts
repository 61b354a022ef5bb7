import { describe, expect, it } from 'vitest';
import { LoginCache } from '../../src/accounts/login-cache.js';

describe('verified-login cache', () => {
  it('remembers only the exact password against the exact stored hash', () => {
    const cache = new LoginCache();
    expect(cache.hit('lms', 'pw', 'hash-1')).toBe(false);
    cache.remember('lms', 'pw', 'hash-1');
    expect(cache.hit('lms', 'pw', 'hash-1')).toBe(true);
    expect(cache.hit('lms', 'pw2', 'hash-1')).toBe(false);
    expect(cache.hit('lms', 'pw', 'hash-2')).toBe(false); // the password was changed
    expect(cache.hit('other', 'pw', 'hash-1')).toBe(false);
  });
});
