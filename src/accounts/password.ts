// Password hashes: new ones are scrypt in PHC form; Django's pbkdf2_sha256 (and sha1)
// from an imported legacy database verify too, and are re-hashed on the next login.
import { pbkdf2, randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';

const scryptAsync = promisify(scrypt) as (pw: BinaryLike, salt: BinaryLike, len: number, opts: ScryptOptions) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

const LN = 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const maxmem = (ln: number, r: number) => 256 * r * 2 ** ln + 16 * 1024 * 1024;

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

// Each scrypt holds 32 MiB in a thread-pool thread whose allocator keeps it afterwards;
// two at a time bound the memory that logins can take.
const SCRYPT_AT_ONCE = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= SCRYPT_AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await limited(() => scryptAsync(password.normalize('NFC'), salt, KEY_LEN, { N: 2 ** LN, r: R, p: P, maxmem: maxmem(LN, R) }));
  return `$scrypt$ln=${LN},r=${R},p=${P}$${b64(salt)}$${b64(key)}`;
}

export interface Verification {
  readonly ok: boolean;
  /** The hash is of an older kind or cost and should be replaced after this login. */
  readonly rehash: boolean;
}

const NO: Verification = { ok: false, rehash: false };

async function verifyScrypt(password: string, stored: string): Promise<Verification> {
  const m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(stored);
  if (!m) return NO;
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln > 20 || r > 32 || p > 16) return NO;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await limited(() =>
    scryptAsync(password.normalize('NFC'), Buffer.from(m[4]!, 'base64'), expected.length, { N: 2 ** ln, r, p, maxmem: maxmem(ln, r) }),
  );
  const ok = key.length === expected.length && timingSafeEqual(key, expected);
  return { ok, rehash: ok && (ln !== LN || r !== R || p !== P) };
}

async function verifyDjango(password: string, stored: string): Promise<Verification> {
  const m = /^pbkdf2_(sha256|sha1)\$(\d+)\$([^$]*)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m) return NO;
  const [digest, iterations, salt, hash] = [m[1]!, Number(m[2]), m[3]!, m[4]!];
  if (iterations < 1 || iterations > 10_000_000) return NO;
  const expected = Buffer.from(hash, 'base64');
  const keyLen = digest === 'sha256' ? 32 : 20;
  if (expected.length !== keyLen) return NO;
  const key = await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, keyLen, digest);
  const ok = timingSafeEqual(key, expected);
  return { ok, rehash: ok };
}

export async function verifyPassword(password: string, stored: string): Promise<Verification> {
  if (stored.startsWith('$scrypt$')) return verifyScrypt(password, stored);
  if (stored.startsWith('pbkdf2_')) return verifyDjango(password, stored);
  return NO; // Django's unusable "!…" and every other hasher never verify.
}

let dummy: Promise<string> | undefined;

/** Spends what a real verification costs, so an unknown user name is not revealed by timing. */
export async function burnVerification(password: string): Promise<void> {
  dummy ??= hashPassword(randomBytes(12).toString('hex'));
  await verifyPassword(password, await dummy);
}
