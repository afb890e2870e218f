import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../../../core/errors';
import type { AuthPolicy } from '../accounts/auth-policy';
import type { Principal } from '../accounts/identity-types';
import type { SqlClient } from '../../../core/sql/sql-client';
import { createUserStore, type User } from '../accounts/user.store';
import { sessionIdFrom } from './session-cookie';
import { createSessionStore, type Session, type SessionStage } from './session.store';

export interface SessionDeps {
  sql: SqlClient;
  policy: AuthPolicy;
}

/** A session found live, its cookie value and its (active) user. */
export interface LiveSession {
  id: string;
  session: Session;
  user: User;
}

/** CSRF tokens of the sessions that authenticated each request (filled by the authenticator, read by requireCsrf). */
const csrfOfRequest = new WeakMap<Request, string>();

/**
 * Finds the live session of a request's cookie in a given stage, with its user, or undefined. Enforces the idle
 * and absolute timeouts of policies/auth.yaml (OWASP Session Management Cheat Sheet, "Session Expiration") and
 * deletes a session found expired; a session of a user no longer active is ended too. Touches last_seen_at.
 */
export function createSessionReader(deps: SessionDeps) {
  const sessions = createSessionStore(deps.sql);
  const users = createUserStore(deps.sql);
  return async (req: Request, stage: SessionStage, now = Date.now()): Promise<LiveSession | undefined> => {
    const id = sessionIdFrom(req);
    if (!id) return undefined;
    const session = await sessions.find(id);
    if (!session) return undefined;
    const idleMs = deps.policy.session.idleMinutes * 60_000;
    if (now >= session.expiresAt || now - session.lastSeenAt >= idleMs) {
      await sessions.remove(session.idHash);
      return undefined;
    }
    if (session.stage !== stage) return undefined;
    const user = await users.byId(session.userId);
    if (!user || user.status !== 'active') {
      await sessions.remove(session.idHash);
      return undefined;
    }
    await sessions.touch(session.idHash, now);
    csrfOfRequest.set(req, session.csrfToken);
    const { passwordHash: _h, ...plain } = user;
    return { id, session: { ...session, lastSeenAt: now }, user: plain };
  };
}

/** The Principal of a signed-in user's session. */
export function principalOf(user: User, session: Session): Principal {
  return { kind: 'user', id: user.id, name: user.username, tenant: user.tenant, sessionId: session.idHash, mfaAt: session.mfaAt ?? undefined };
}

/**
 * Authenticates a request by its `sargs_session` cookie. Only sessions in stage `full` (password and second
 * factor) yield a Principal; a `password`-stage session reaches nothing but the second-factor endpoints, which
 * read it themselves. Undefined when there is no valid session (the caller may then try a Bearer token).
 *
 * @example
 * const bySession = sessionAuthenticator({ sql, policy: loadAuthPolicy() });
 * const principal = (await bySession(req)) ?? (await byToken(req));
 * requireCsrf(req, principal);
 */
export function sessionAuthenticator(deps: SessionDeps): (req: Request) => Promise<Principal | undefined> {
  const read = createSessionReader(deps);
  return async (req) => {
    const live = await read(req, 'full');
    return live && principalOf(live.user, live.session);
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF check for cookie-authenticated requests (OWASP CSRF Prevention Cheat Sheet, synchronizer token): a
 * POST/PUT/PATCH/DELETE must carry `X-CSRF-Token` equal to its session's token (from GET /api/v1/auth/session).
 * Bearer-token requests are exempt: they carry no ambient credentials.
 * @throws AppError 403 `csrf_failed`
 */
export function requireCsrf(req: Request, principal: Principal | undefined): void {
  if (!principal || principal.kind !== 'user' || !principal.sessionId || SAFE_METHODS.has(req.method)) return;
  checkCsrf(req, csrfOfRequest.get(req));
}

/** Compares the request's X-CSRF-Token with the expected one in constant time. */
export function checkCsrf(req: Request, expected: string | undefined): void {
  const sent = Buffer.from(req.get('x-csrf-token') ?? '');
  const want = Buffer.from(expected ?? '');
  const ok = want.length > 0 && sent.length === want.length && timingSafeEqual(sent, want);
  if (!ok) throw new AppError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token header: send the csrfToken of GET /api/v1/auth/session');
}
