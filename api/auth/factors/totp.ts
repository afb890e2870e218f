import { generateSecret } from '@otplib/core';
import { generate, verify } from '@otplib/totp';
import { generateTOTP } from '@otplib/uri';
import { base32Plugin as base32, nodeCryptoPlugin as crypto } from './otp-plugins';

/** TOTP hash algorithms (RFC 6238 §1.2: HMAC-SHA-1, and the SHA-256/SHA-512 variants of its Appendix B). */
export type TotpAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';
export const TOTP_ALGORITHMS: readonly TotpAlgorithm[] = ['SHA1', 'SHA256', 'SHA512'];

/** Parameters of one TOTP factor. Sargs issues 6 digits and 30 s; 8 digits exist for the RFC vectors. */
export interface TotpParams {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: number;
}

export const TOTP_DEFAULTS: TotpParams = { algorithm: 'SHA1', digits: 6, period: 30 };

const lib = (a: TotpAlgorithm) => a.toLowerCase() as 'sha1' | 'sha256' | 'sha512';

/** A new shared secret from otplib (random bytes from node:crypto): 20 random bytes (160 bits, RFC 4226 §4 R6), Base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20, crypto, base32 });
}

/** The code for `secret` (Base32) at `epochSeconds`. */
export function totpCode(secret: string, p: TotpParams, epochSeconds: number): Promise<string> {
  return generate({ secret, crypto, base32, algorithm: lib(p.algorithm), digits: p.digits, period: p.period, epoch: epochSeconds });
}

/**
 * The RFC 6238 time step T whose code equals `token`, looking one step back and one ahead of `epochSeconds`
 * (RFC 6238 §5.2: at most one step of network delay or clock drift), or null. Replay (a step already used) is
 * the caller's check, done atomically in the database.
 */
export async function matchTotpStep(secret: string, p: TotpParams, token: string, epochSeconds: number): Promise<number | null> {
  if (!new RegExp(`^\\d{${p.digits}}$`).test(token)) return null;
  const r = await verify({
    secret,
    crypto,
    base32,
    token,
    algorithm: lib(p.algorithm),
    digits: p.digits,
    period: p.period,
    epoch: epochSeconds,
    epochTolerance: p.period, // ±period seconds = exactly the previous, current and next step
  });
  return r.valid ? r.timeStep : null;
}

/** `otpauth://totp/Sargs:<account>?secret=…&issuer=Sargs` for the authenticator app's QR code. */
export function totpUri(secret: string, account: string, p: TotpParams): string {
  return generateTOTP({ issuer: 'Sargs', label: account, secret, algorithm: lib(p.algorithm), digits: p.digits, period: p.period });
}
