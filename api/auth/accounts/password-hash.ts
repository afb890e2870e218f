import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt (RFC 7914) with N=2^15, r=8, p=1 (OWASP Password Storage Cheat Sheet minimum for scrypt), a 16-byte
 * random salt and a 32-byte key, encoded `scrypt$N$r$p$salt$hash` (base64) so that parameters can be raised later
 * and old hashes still verify.
 */
export const SCRYPT_PARAMS = { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltLength: 16 } as const;

function derive(password: string, salt: Buffer, N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; node's default maxmem (32 MiB) is exactly that for N=2^15, r=8, so allow twice.
  const opts: ScryptOptions = { N, r, p, maxmem: 256 * N * r };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, keyLength, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const { N, r, p, keyLength, saltLength } = SCRYPT_PARAMS;
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, N, r, p, keyLength);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Checks a password against a stored hash in constant time. A malformed or missing hash never matches (but is
 * still paid for with one derivation, so that timing does not tell a missing hash apart).
 */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  const [scheme, n, r, p, saltB64, hashB64] = parts;
  const N = Number(n);
  const R = Number(r);
  const P = Number(p);
  const ok =
    parts.length === 6 &&
    scheme === 'scrypt' &&
    Number.isInteger(Math.log2(N)) &&
    N >= 2 ** 14 &&
    N <= 2 ** 20 &&
    R >= 1 &&
    R <= 32 &&
    P >= 1 &&
    P <= 16;
  const salt = ok ? Buffer.from(saltB64, 'base64') : randomBytes(SCRYPT_PARAMS.saltLength);
  const expected = ok ? Buffer.from(hashB64, 'base64') : randomBytes(SCRYPT_PARAMS.keyLength);
  const key = ok
    ? await derive(password, salt, N, R, P, expected.length || SCRYPT_PARAMS.keyLength)
    : await derive(password, salt, SCRYPT_PARAMS.N, SCRYPT_PARAMS.r, SCRYPT_PARAMS.p, SCRYPT_PARAMS.keyLength);
  return ok && expected.length === key.length && timingSafeEqual(expected, key);
}

let dummy: Promise<string> | undefined;

/**
 * Spends the same work as a real check, for unknown users (no user enumeration by timing, OWASP Authentication
 * Cheat Sheet "Authentication and Error Messages").
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummy ??= hashPassword('sargs-dummy-password-for-timing');
  await verifyPassword(password, await dummy);
  return false;
}
