import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { normalizeHashAlgorithm, type Base32Plugin, type CryptoPlugin } from '@otplib/core';

/**
 * otplib plugins on node:crypto and a plain RFC 4648 Base32 codec. otplib's default plugins (@noble/hashes,
 * @scure/base) are ES modules only, which CommonJS under jest cannot load; these do the same with Node built-ins.
 */
export const nodeCryptoPlugin: CryptoPlugin = {
  name: 'node',
  hmac(algorithm, key, data) {
    return new Uint8Array(createHmac(normalizeHashAlgorithm(algorithm), key).update(data).digest());
  },
  randomBytes(length) {
    return new Uint8Array(randomBytes(length));
  },
  constantTimeEqual(a, b) {
    const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : Buffer.from(a);
    const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  },
};

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'; // RFC 4648 §6

/** RFC 4648 §6 Base32, unpadded on output (authenticator apps' form); decoding ignores case, padding and spaces. */
export const base32Plugin: Base32Plugin = {
  name: 'rfc4648',
  encode(data, options) {
    let out = '';
    let bits = 0;
    let value = 0;
    for (const byte of data) {
      value = (value << 8) | byte;
      bits += 8;
      while (bits >= 5) {
        out += ALPHABET[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
    if (options?.padding) while (out.length % 8 !== 0) out += '=';
    return out;
  },
  decode(str) {
    const s = str.toUpperCase().replace(/[\s=]/g, '');
    const out: number[] = [];
    let bits = 0;
    let value = 0;
    for (const c of s) {
      const v = ALPHABET.indexOf(c);
      if (v < 0) throw new Error('Base32: invalid character');
      value = ((value << 5) | v) & 0xffff;
      bits += 5;
      if (bits >= 8) {
        out.push((value >>> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    return new Uint8Array(out);
  },
};
