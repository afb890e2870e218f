import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../../core/errors';
import { checkCsrf, type LiveSession } from '../sessions/session-authenticator';
import { clearSessionCookie, sessionIdFrom, setSessionCookie } from '../sessions/session-cookie';
import type { Session } from '../sessions/session.store';
import type { AccountRouteDef } from './identity-types';
import type { FactorAnswer, LoginService } from './login.service';
import { bodyOf, jsonBody, originOf } from './route-helpers';

export interface LoginRouteDeps {
  login: LoginService;
  readSession: (req: Request, stage: 'password' | 'full') => Promise<LiveSession | undefined>;
  /** Secure cookies (SARGS_PUBLIC_URL is https). */
  secure: boolean;
  idleMinutes: number;
}

const tags = ['auth'];
const loginBody = z.object({ tenant: z.string().min(1).max(64), username: z.string().min(1).max(64), password: z.string().min(1).max(4096) }).strict();
const codeBody = z.object({ code: z.string().trim().min(6).max(32) }).strict();
const webauthnBody = z.object({ response: z.record(z.unknown()) }).strict();
const csrfHeader = { name: 'X-CSRF-Token', in: 'header', required: true, schema: { type: 'string' } };
const codeSchema = jsonBody({ code: { type: 'string' } }, ['code']);
const responseSchema = jsonBody({ response: { type: 'object', description: 'AuthenticationResponseJSON' } }, ['response']);

/** The answer of a factor endpoint, read from the body. */
function answerOf(method: 'totp' | 'webauthn' | 'recovery', req: Request): FactorAnswer {
  if (method === 'webauthn') return { method, response: bodyOf(webauthnBody, req).response };
  return { method, code: bodyOf(codeBody, req).code };
}

/** What GET /api/v1/auth/session and the factor endpoints answer. */
function sessionView(live: { session: Session; user: LiveSession['user'] }, idleMinutes: number) {
  const s = live.session;
  return {
    user: { id: live.user.id, username: live.user.username, displayName: live.user.displayName, kind: live.user.kind },
    tenant: live.user.tenant,
    stage: s.stage,
    mfaAt: s.mfaAt === null ? null : new Date(s.mfaAt).toISOString(),
    csrfToken: s.csrfToken,
    expiresAt: new Date(s.expiresAt).toISOString(),
    idleExpiresAt: new Date(Math.min(s.expiresAt, s.lastSeenAt + idleMinutes * 60_000)).toISOString(),
  };
}

/** Sign-in, second factor, step-up, session and sign-out (issue 3). */
export function loginRoutes(deps: LoginRouteDeps): AccountRouteDef[] {
  const { login, readSession, secure, idleMinutes } = deps;

  /** The live session in `stage` with a matching X-CSRF-Token (OWASP CSRF: synchronizer token), else 401/403. */
  async function sessionFor(req: Request, stage: 'password' | 'full'): Promise<LiveSession> {
    const live = await readSession(req, stage);
    if (!live) throw new AppError(401, stage === 'password' ? 'sign_in_required' : 'unauthorized', stage === 'password' ? 'no sign-in in progress: POST /api/v1/auth/login first' : 'not signed in');
    checkCsrf(req, live.session.csrfToken);
    return live;
  }

  function secondFactor(method: 'totp' | 'webauthn' | 'recovery', path: string): AccountRouteDef {
    return {
      method: 'post',
      path,
      permission: 'public', // reached with a password-stage session, which is no Principal
      summary: `Second sign-in step with ${method === 'totp' ? 'an authenticator app code' : method === 'webauthn' ? 'a passkey or security key' : 'a recovery code'}`,
      tags,
      openapi: {
        parameters: [csrfHeader],
        requestBody: method === 'webauthn' ? responseSchema : codeSchema,
        responses: { '200': { description: 'Signed in: the session (stage full) with its new CSRF token' }, '401': { description: 'factor_failed | replay_refused | sign_in_required' }, '429': { description: 'Throttled (Retry-After)' } },
      },
      async handler(req, res) {
        const live = await sessionFor(req, 'password');
        const next = await login.completeLogin(live.session, live.user, answerOf(method, req), originOf(req));
        setSessionCookie(res, next.id, secure);
        res.json(sessionView({ session: next.session, user: live.user }, idleMinutes));
      },
    };
  }

  function stepUp(method: 'totp' | 'webauthn' | 'recovery', path: string): AccountRouteDef {
    return {
      method: 'post',
      path,
      permission: 'self',
      summary: `Step-up: confirm with ${method === 'totp' ? 'an authenticator app code' : method === 'webauthn' ? 'a passkey or security key' : 'a recovery code'} before a sensitive action`,
      tags,
      openapi: {
        parameters: [csrfHeader],
        requestBody: method === 'webauthn' ? responseSchema : codeSchema,
        responses: { '200': { description: 'The session with mfaAt now, a new id and a new CSRF token' }, '401': { description: 'factor_failed' }, '429': { description: 'Throttled' } },
      },
      async handler(req, res) {
        const live = await sessionFor(req, 'full');
        const next = await login.stepUp(live.session, live.user, answerOf(method, req), originOf(req));
        setSessionCookie(res, next.id, secure);
        res.json(sessionView({ session: next.session, user: live.user }, idleMinutes));
      },
    };
  }

  const webauthnOptions = (stage: 'password' | 'full') => async (req: Request, res: Response) => {
    const live = await sessionFor(req, stage);
    res.json(await login.authenticationOptions(live.user));
  };

  return [
    {
      method: 'post',
      path: '/api/v1/auth/login',
      permission: 'public',
      summary: 'Sign in with tenant, username and password; a second factor follows',
      tags,
      openapi: {
        requestBody: jsonBody({ tenant: { type: 'string' }, username: { type: 'string' }, password: { type: 'string', format: 'password' } }, ['tenant', 'username', 'password']),
        responses: {
          '200': { description: '{ stage: "second-factor", methods, csrfToken, expiresAt }; sets the sargs_session cookie' },
          '401': { description: 'invalid_credentials (the same for an unknown user and a wrong password)' },
          '403': { description: 'account_not_active' },
          '429': { description: 'too_many_attempts | account_locked, with Retry-After' },
        },
      },
      async handler(req, res) {
        const b = bodyOf(loginBody, req);
        const old = sessionIdFrom(req);
        if (old) await login.sessions.find(old).then((s) => s && login.sessions.remove(s.idHash));
        const r = await login.login(b, originOf(req));
        setSessionCookie(res, r.id, secure);
        res.json({ stage: 'second-factor', methods: r.methods, csrfToken: r.session.csrfToken, expiresAt: new Date(r.session.expiresAt).toISOString() });
      },
    },
    secondFactor('totp', '/api/v1/auth/totp'),
    {
      method: 'post',
      path: '/api/v1/auth/webauthn/options',
      permission: 'public',
      summary: 'WebAuthn challenge for the second sign-in step',
      tags,
      openapi: { parameters: [csrfHeader], responses: { '200': { description: 'PublicKeyCredentialRequestOptionsJSON' }, '401': { description: 'sign_in_required' } } },
      handler: webauthnOptions('password'),
    },
    secondFactor('webauthn', '/api/v1/auth/webauthn/verify'),
    secondFactor('recovery', '/api/v1/auth/recovery'),
    stepUp('totp', '/api/v1/auth/step-up/totp'),
    {
      method: 'post',
      path: '/api/v1/auth/step-up/webauthn/options',
      permission: 'self',
      summary: 'WebAuthn challenge for a step-up',
      tags,
      openapi: { parameters: [csrfHeader], responses: { '200': { description: 'PublicKeyCredentialRequestOptionsJSON' } } },
      handler: webauthnOptions('full'),
    },
    stepUp('webauthn', '/api/v1/auth/step-up/webauthn'),
    stepUp('recovery', '/api/v1/auth/step-up/recovery'),
    {
      method: 'get',
      path: '/api/v1/auth/session',
      permission: 'self',
      summary: 'The signed-in session: user, tenant, stage, mfaAt, CSRF token, expiry',
      tags,
      openapi: { responses: { '200': { description: '{ user, tenant, stage, mfaAt, csrfToken, expiresAt, idleExpiresAt }' }, '401': { description: 'Not signed in' } } },
      async handler(req, res) {
        const live = await readSession(req, 'full');
        if (!live) throw new AppError(401, 'unauthorized', 'not signed in');
        res.setHeader('Cache-Control', 'no-store');
        res.json(sessionView(live, idleMinutes));
      },
    },
    {
      method: 'post',
      path: '/api/v1/auth/logout',
      permission: 'self',
      summary: 'Sign out: the session ends and its cookie is cleared',
      tags,
      openapi: { parameters: [csrfHeader], responses: { '204': { description: 'Signed out' } } },
      async handler(req, res) {
        const live = await sessionFor(req, 'full');
        await login.logout(live.session, live.user, originOf(req));
        clearSessionCookie(res, secure);
        res.status(204).end();
      },
    },
  ];
}
