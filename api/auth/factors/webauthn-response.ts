import { z } from 'zod';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { AppError } from '../../../core/errors';

/** base64url without padding, as browsers' toJSON() and @simplewebauthn/browser produce it. */
const b64u = (max: number) =>
  z
    .string({ invalid_type_error: 'must be a base64url string' })
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(/^[A-Za-z0-9_-]+$/, 'must be base64url (A-Z a-z 0-9 - _, no padding)');

const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;

const common = {
  id: b64u(1400),
  rawId: b64u(1400),
  type: z.literal('public-key', { errorMap: () => ({ message: 'must be "public-key"' }) }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.unknown()).default({}),
};

const registrationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64u(8192),
    attestationObject: b64u(65536),
    authenticatorData: b64u(65536).optional(),
    transports: z.array(z.enum(TRANSPORTS)).max(8).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64u(8192).optional(),
  }),
});

const authenticationSchema = z.object({
  ...common,
  response: z.object({
    clientDataJSON: b64u(8192),
    authenticatorData: b64u(65536),
    signature: b64u(8192),
    userHandle: b64u(1024).optional(),
  }),
});

function parse<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, input: unknown, what: string): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.join('.') || '(body)';
  throw new AppError(400, 'webauthn_malformed', `${what}: ${field} ${issue.message}`, { field });
}

/** Checks the shape of a registration response (PublicKeyCredential.toJSON() of navigator.credentials.create()). */
export function parseRegistrationResponse(input: unknown): RegistrationResponseJSON {
  return parse(registrationSchema, input, 'registration response') as RegistrationResponseJSON;
}

/** Checks the shape of an authentication response (PublicKeyCredential.toJSON() of navigator.credentials.get()). */
export function parseAuthenticationResponse(input: unknown): AuthenticationResponseJSON {
  return parse(authenticationSchema, input, 'authentication response') as AuthenticationResponseJSON;
}

/**
 * The challenge and type in clientDataJSON (WebAuthn §5.8.1), read to find the server-side challenge. The
 * library checks the same fields again against what it is given.
 */
export function readClientData(clientDataJSON: string, expectedType: 'webauthn.create' | 'webauthn.get'): { challenge: string } {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch {
    throw new AppError(400, 'webauthn_malformed', 'response.clientDataJSON must be base64url-encoded JSON', {
      field: 'response.clientDataJSON',
    });
  }
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  if (d.type !== expectedType)
    throw new AppError(400, 'webauthn_malformed', `clientDataJSON.type must be "${expectedType}"`, { field: 'response.clientDataJSON' });
  if (typeof d.challenge !== 'string' || !/^[A-Za-z0-9_-]{16,200}$/.test(d.challenge))
    throw new AppError(400, 'webauthn_malformed', 'clientDataJSON.challenge must be the base64url challenge of the options', {
      field: 'response.clientDataJSON',
    });
  return { challenge: d.challenge };
}
