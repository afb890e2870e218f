import path from 'node:path';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { loadOrCreateKeyFile } from './key-file';

/** Seals short secrets (TOTP seeds) for storage and opens them again. */
export interface SecretBox {
  /** AES-256-GCM under the instance key: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. */
  seal(plain: string): string;
  /** Opens what `seal` produced; throws when the text is not a sealed value or was sealed under another key. */
  open(sealed: string): string;
}

const KEY_FILE = 'secret.key';
const KEY_BYTES = 32;
const IV_BYTES = 12; // NIST SP 800-38D §8.2: a 96-bit random IV per message
const TAG_BYTES = 16;
const FORMAT = /^v1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]*)$/;

/**
 * The box for secrets kept at rest (TOTP seeds). Key: SHA-256 of the configured `secretKey` (SARGS_SECRET_KEY), else
 * 32 random bytes created once in `<dataDir>/secret.key` (mode 0600, exclusive create, so two processes starting at
 * once end up with the same key). Losing the key makes every sealed secret unreadable: users must enrol again.
 *
 * @example
 * const box = loadSecretBox({ secretKey: config.secretKey, dataDir: config.dataDir });
 * const stored = box.seal(totpSecret); // 'v1.…'
 * box.open(stored) === totpSecret;
 */
export function loadSecretBox(config: { secretKey?: string; dataDir: string }): SecretBox {
  const key =
    config.secretKey !== undefined && config.secretKey !== ''
      ? createHash('sha256').update(config.secretKey, 'utf8').digest()
      : loadOrCreateKeyFile(path.join(config.dataDir, KEY_FILE), { bytes: KEY_BYTES, exact: true, what: 'secret key' });
  return createSecretBox(key);
}

/** A box over a raw 32-byte key (tests, or a key obtained elsewhere). */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`secret box key must be ${KEY_BYTES} bytes, got ${key.length}`);
  return {
    seal(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `v1.${iv.toString('base64url')}.${tag.toString('base64url')}.${ct.toString('base64url')}`;
    },
    open(sealed) {
      const m = FORMAT.exec(sealed);
      if (!m) throw new Error('secret box: not a sealed value (expected v1.<iv>.<tag>.<ciphertext>)');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(m[1], 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAuthTag(Buffer.from(m[2], 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(m[3], 'base64url')), decipher.final()]).toString('utf8');
      } catch (err) {
        // GCM tag mismatch: another key (secret.key replaced, SARGS_SECRET_KEY changed) or altered ciphertext.
        throw new Error('secret box: cannot open sealed value (wrong key or altered data)', { cause: err });
      }
    },
  };
}
