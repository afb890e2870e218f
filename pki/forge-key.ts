import { constants, privateEncrypt, type KeyObject } from 'node:crypto';
import type forge from 'node-forge';

/** DER DigestInfo prefixes (RFC 8017 §9.2, note 1) for the digests Sargs signs with. */
const DIGEST_INFO: Record<string, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/** What node-forge calls to sign (certificates, PKCS#7 signer infos): `key.sign(md)` -> binary string. */
export interface ForgeSigningKey {
  sign(md: forge.md.MessageDigest, scheme?: string): string;
}

/**
 * A node-forge signing key backed by a Node.js KeyObject: node-forge builds the ASN.1 structures (certificates,
 * PKCS#7 SignedData) and OpenSSL, through node:crypto, does the RSA private-key operation. The key never becomes a
 * forge object in JavaScript memory, and a 3072-bit signature takes a millisecond instead of a second.
 *
 * RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.1): EMSA-PKCS1-v1_5 encoding of DigestInfo, then the private-key operation.
 */
export function forgeSigningKey(key: KeyObject): ForgeSigningKey {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'rsa')
    throw new Error(`document signing needs an RSA private key, got ${key.type} ${key.asymmetricKeyType ?? ''}`.trim());
  return {
    sign(md, scheme) {
      if (scheme !== undefined && scheme !== 'RSASSA-PKCS1-V1_5') throw new Error(`unsupported signature scheme ${scheme}`);
      const prefix = DIGEST_INFO[md.algorithm];
      if (!prefix) throw new Error(`unsupported digest ${md.algorithm}`);
      const digest = Buffer.from(md.digest().getBytes(), 'binary');
      return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([prefix, digest])).toString('binary');
    },
  };
}
