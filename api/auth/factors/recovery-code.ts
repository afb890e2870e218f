import { createHash, randomInt } from 'node:crypto';

/** Lower-case letters and digits without the look-alikes 0/o, 1/l/i: 31 symbols, ~4.95 bits each. */
export const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;
const LENGTH = 10;

/** A fresh code `xxxxx-xxxxx` (10 symbols, ~49 bits, uniformly drawn with crypto.randomInt). */
export function newRecoveryCode(): string {
  let s = '';
  for (let i = 0; i < LENGTH; i++) s += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/**
 * The canonical form of what a user typed (case, spaces and dashes ignored), or null when it cannot be a code.
 */
export function normaliseRecoveryCode(input: string): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  const s = input.toLowerCase().replace(/[\s-]/g, '');
  if (s.length !== LENGTH) return null;
  for (const c of s) if (!RECOVERY_ALPHABET.includes(c)) return null;
  return s;
}

/** What is stored: SHA-256 hex of the normalised code. The codes carry ~49 random bits, so no slow hash is needed. */
export function hashRecoveryCode(normalised: string): string {
  return createHash('sha256').update(normalised, 'utf8').digest('hex');
}
