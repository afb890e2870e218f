import { z } from 'zod';
import type { AccountService } from './account.service';
import type { AccountRouteDef } from './identity-types';
import { bodyOf, jsonBody, pathParam } from './route-helpers';

const token = pathParam('token', 'The secret of the one-time enrolment link');
const tags = ['enrolment'];
const gone = { '404': { description: 'Unknown, used or expired link (`enrolment_link_invalid`)' } };
const tok = (p: unknown) => String(p);

/**
 * Enrolment with a one-time link (issue 3): public, because the link's 256-bit secret is the credential; it is
 * in the path, not a cookie, so there is no ambient credential to forge (no CSRF).
 */
export function enrolmentRoutes(accounts: AccountService): AccountRouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/enrol/:token',
      permission: 'public',
      summary: 'Who is enrolling with this link and what is still needed',
      tags,
      openapi: { parameters: [token], responses: { '200': { description: '{ user, needs, factors, expiresAt }' }, ...gone } },
      async handler(req, res) {
        res.json(await accounts.enrolmentStatus(tok(req.params.token)));
      },
    },
    {
      method: 'post',
      path: '/api/v1/enrol/:token/password',
      permission: 'public',
      summary: 'Set the password (refused with a reason: too short, common, contains the username or tenant)',
      tags,
      openapi: {
        parameters: [token],
        requestBody: jsonBody({ password: { type: 'string' } }, ['password']),
        responses: { '204': { description: 'Set' }, '400': { description: 'Refused: code password_too_short | password_common | password_contains_username | password_contains_tenant | password_repetitive' }, ...gone },
      },
      async handler(req, res) {
        const b = bodyOf(z.object({ password: z.string().max(4096) }).strict(), req);
        await accounts.setEnrolmentPassword(tok(req.params.token), b.password);
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/v1/enrol/:token/totp',
      permission: 'public',
      summary: 'Start enrolling an authenticator app: a secret and its otpauth:// URI, shown once',
      tags,
      openapi: { parameters: [token], responses: { '200': { description: '{ factorId, secret, uri }' }, '409': { description: 'Set a password first' }, ...gone } },
      async handler(req, res) {
        res.json(await accounts.startTotp(tok(req.params.token)));
      },
    },
    {
      method: 'post',
      path: '/api/v1/enrol/:token/totp/confirm',
      permission: 'public',
      summary: 'Confirm the authenticator app with a current code',
      tags,
      openapi: {
        parameters: [token],
        requestBody: jsonBody({ factorId: { type: 'string' }, code: { type: 'string', pattern: '^\\d{6,8}$' } }, ['factorId', 'code']),
        responses: { '204': { description: 'Confirmed' }, '400': { description: 'Wrong code' }, ...gone },
      },
      async handler(req, res) {
        const b = bodyOf(z.object({ factorId: z.string().min(1).max(100), code: z.string().regex(/^\d{6,8}$/, '6 to 8 digits') }).strict(), req);
        await accounts.confirmTotp(tok(req.params.token), b.factorId, b.code);
        res.status(204).end();
      },
    },
    {
      method: 'post',
      path: '/api/v1/enrol/:token/webauthn/options',
      permission: 'public',
      summary: 'WebAuthn registration options for a passkey or security key',
      tags,
      openapi: { parameters: [token], responses: { '200': { description: 'PublicKeyCredentialCreationOptionsJSON' }, ...gone } },
      async handler(req, res) {
        res.json(await accounts.webauthnOptions(tok(req.params.token)));
      },
    },
    {
      method: 'post',
      path: '/api/v1/enrol/:token/webauthn/verify',
      permission: 'public',
      summary: 'Register the passkey or security key (the browser’s RegistrationResponseJSON)',
      tags,
      openapi: {
        parameters: [token],
        requestBody: jsonBody({ response: { type: 'object' }, label: { type: 'string' } }, ['response']),
        responses: { '200': { description: '{ factorId }' }, '400': { description: 'Malformed or unverifiable response' }, ...gone },
      },
      async handler(req, res) {
        const b = bodyOf(z.object({ response: z.record(z.unknown()), label: z.string().trim().min(1).max(100).optional() }).strict(), req);
        res.json(await accounts.webauthnVerify(tok(req.params.token), b.response, b.label));
      },
    },
    {
      method: 'post',
      path: '/api/v1/enrol/:token/complete',
      permission: 'public',
      summary: 'Finish enrolment: recovery codes (shown once), account active, link used up',
      tags,
      openapi: { parameters: [token], responses: { '200': { description: '{ recoveryCodes }' }, '409': { description: 'Password or factor missing' }, ...gone } },
      async handler(req, res) {
        res.setHeader('Cache-Control', 'no-store');
        res.json(await accounts.completeEnrolment(tok(req.params.token)));
      },
    },
  ];
}
