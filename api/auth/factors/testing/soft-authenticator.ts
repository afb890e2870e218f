import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';

/** Authenticator data flags (WebAuthn §6.1). */
export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40 } as const;

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

export interface Ceremony {
  origin?: string;
  rpId?: string;
  challenge?: string;
  flags?: number;
  counter?: number;
}

/**
 * A software authenticator for tests: an ES256 (P-256) key pair from node:crypto producing real registration
 * (attestation 'none', CBOR) and assertion responses, as PublicKeyCredential.toJSON() gives them.
 * `synced` sets the backup flags (BE|BS) and keeps the counter at 0, as synced passkeys do.
 */
export function createSoftAuthenticator(opts: { rpId: string; origin: string; synced?: boolean }) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const credentialId = randomBytes(16);
  const baseFlags = FLAGS.UP | FLAGS.UV | (opts.synced ? FLAGS.BE | FLAGS.BS : 0);
  let counter = 0;

  // COSE_Key (RFC 9053 §7.1.1): kty EC2, alg ES256, crv P-256, x, y.
  const coseKey = encodeCBOR(
    new Map<number, CBORType>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x as string, 'base64url')],
      [-3, Buffer.from(jwk.y as string, 'base64url')],
    ]),
  );

  function authData(rpId: string, flags: number, count: number, attested?: Uint8Array): Buffer {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(count);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), c, attested ?? Buffer.alloc(0)]);
  }

  function clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }), 'utf8');
  }

  return {
    credentialId: b64u(credentialId),
    privateKey: privateKey as KeyObject,

    /** A response to registration options (navigator.credentials.create()). */
    register(options: { challenge: string }, over: Ceremony = {}) {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(credentialId.length);
      const attested = Buffer.concat([Buffer.alloc(16), len, credentialId, coseKey]); // AAGUID zero: 'none' attestation
      const data = authData(over.rpId ?? opts.rpId, (over.flags ?? baseFlags) | FLAGS.AT, over.counter ?? 0, attested);
      const attestationObject = encodeCBOR(
        new Map<string, CBORType>([
          ['fmt', 'none'],
          ['attStmt', new Map()],
          ['authData', data],
        ]),
      );
      return {
        id: b64u(credentialId),
        rawId: b64u(credentialId),
        type: 'public-key',
        response: {
          clientDataJSON: b64u(clientData('webauthn.create', over.challenge ?? options.challenge, over.origin ?? opts.origin)),
          attestationObject: b64u(attestationObject),
          transports: ['internal'],
        },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },

    /** A response to authentication options (navigator.credentials.get()); the counter grows unless synced. */
    assert(options: { challenge: string }, over: Ceremony = {}) {
      if (over.counter === undefined && !opts.synced) counter += 1;
      const count = over.counter ?? (opts.synced ? 0 : counter);
      const data = authData(over.rpId ?? opts.rpId, over.flags ?? baseFlags, count);
      const cdj = clientData('webauthn.get', over.challenge ?? options.challenge, over.origin ?? opts.origin);
      // WebAuthn §6.3.3: the signature covers authenticatorData || SHA-256(clientDataJSON); ES256 signatures are DER.
      const signature = sign('sha256', Buffer.concat([data, sha256(cdj)]), privateKey);
      return {
        id: b64u(credentialId),
        rawId: b64u(credentialId),
        type: 'public-key',
        response: { clientDataJSON: b64u(cdj), authenticatorData: b64u(data), signature: b64u(signature) },
        clientExtensionResults: {},
        authenticatorAttachment: 'platform',
      };
    },
  };
}
