import { AppError } from '../../../core/errors';
import type { SqlClient } from '../../../core/sql/sql-client';
import type { Session, SessionStore } from '../sessions/session.store';
import { createSessionStore } from '../sessions/session.store';
import type { AuthPolicy } from './auth-policy';
import type { FactorMethod, FactorService, OnAuthEvent } from './identity-types';
import { createLoginThrottle } from './login-throttle';
import { verifyDummyPassword, verifyPassword } from './password-hash';
import { createUserStore, type User } from './user.store';

export interface LoginDeps {
  sql: SqlClient;
  factors: FactorService;
  onEvent: OnAuthEvent;
  policy: AuthPolicy;
}

/** Where a request comes from (for throttling and events). */
export interface Origin {
  ip: string;
  userAgent?: string;
}

/** A second-factor answer: a TOTP code, a WebAuthn assertion or a recovery code. */
export type FactorAnswer = { method: 'totp'; code: string } | { method: 'webauthn'; response: unknown } | { method: 'recovery'; code: string };

const INVALID = () => new AppError(401, 'invalid_credentials', 'wrong tenant, username or password');

/**
 * Sign-in in two steps (issue 3: no one gets in without a second factor): the password opens a short session in
 * stage `password`; a TOTP code, a passkey or a recovery code turns it into a `full` session with a new id.
 * Every outcome is an AuthEvent; failures count towards the per-account and per-address throttle.
 */
export function createLoginService(deps: LoginDeps) {
  const users = createUserStore(deps.sql);
  const sessions: SessionStore = createSessionStore(deps.sql);
  const throttle = createLoginThrottle(deps.sql, deps.policy.throttle);
  const { policy } = deps;

  const event = (action: 'login-failed' | 'login-succeeded' | 'account-locked' | 'logout' | 'step-up', user: Pick<User, 'id' | 'tenant' | 'username'>, origin: Origin, extra: { method?: 'password' | FactorMethod; reason?: string } = {}) =>
    deps.onEvent({ action, outcome: action === 'login-failed' || action === 'account-locked' ? 'failure' : 'success', userId: user.id, tenant: user.tenant, username: user.username, ip: origin.ip, ...extra });

  async function failure(keys: string[], user: Pick<User, 'id' | 'tenant' | 'username'>, origin: Origin, method: 'password' | FactorMethod, reason: string): Promise<void> {
    await event('login-failed', user, origin, { method, reason });
    for (const key of await throttle.fail(keys)) await event('account-locked', user, origin, { method, reason: `${key.split(':')[0]} locked after repeated failures` });
  }

  /** Methods the user can finish sign-in with (active factors only). */
  async function methodsOf(userId: string): Promise<FactorMethod[]> {
    const found = new Set((await deps.factors.list(userId)).filter((f) => f.status === 'active').map((f) => f.method));
    return (['webauthn', 'totp', 'recovery'] as const).filter((m) => found.has(m));
  }

  /** Checks the answer with FACTORS; on failure counts it and rethrows FACTORS' AppError. */
  async function checkFactor(user: User, answer: FactorAnswer, origin: Origin): Promise<void> {
    const keys = [`user:${user.id}`, `ip:${origin.ip}`];
    await throttle.check(keys);
    try {
      if (answer.method === 'totp') await deps.factors.verifyTotp(user.id, answer.code);
      else if (answer.method === 'webauthn') await deps.factors.verifyAuthentication(user.id, answer.response);
      else await deps.factors.useRecoveryCode(user.id, answer.code);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) await failure(keys, user, origin, answer.method, err.code);
      throw err;
    }
  }

  return {
    sessions,
    users,
    methodsOf,

    /**
     * First step. Same error and comparable time for an unknown user and a wrong password (a dummy hash is
     * checked for unknown users: OWASP Authentication Cheat Sheet); 429 with Retry-After while throttled.
     */
    async login(input: { tenant: string; username: string; password: string }, origin: Origin): Promise<{ id: string; session: Session; methods: FactorMethod[] }> {
      const user = await users.byLogin(input.tenant, input.username);
      const accountKey = user ? `user:${user.id}` : `name:${input.tenant}/${input.username.toLowerCase()}`;
      const keys = [accountKey, `ip:${origin.ip}`];
      await throttle.check(keys);
      const ok = user ? await verifyPassword(input.password, user.passwordHash) : await verifyDummyPassword(input.password);
      const who = user ?? { id: '', tenant: input.tenant, username: input.username };
      if (!ok) {
        await failure(keys, who, origin, 'password', user ? 'wrong password' : 'unknown user');
        throw INVALID();
      }
      // Only someone who knows the password learns that the account is not usable.
      if (user!.status !== 'active') {
        await event('login-failed', who, origin, { method: 'password', reason: `account ${user!.status}` });
        throw new AppError(403, 'account_not_active', user!.status === 'enrolling' ? 'enrolment is not finished: use your enrolment link' : 'this account is disabled');
      }
      const methods = await methodsOf(user!.id);
      const now = Date.now();
      const created = await sessions.create({ userId: user!.id, stage: 'password', expiresAt: now + policy.session.passwordStageMinutes * 60_000, ip: origin.ip, userAgent: origin.userAgent }, now);
      return { ...created, methods };
    },

    /** Second step: the factor turns the `password` session into a `full` one with a new id (session fixation). */
    async completeLogin(session: Session, user: User, answer: FactorAnswer, origin: Origin): Promise<{ id: string; session: Session }> {
      await checkFactor(user, answer, origin);
      const now = Date.now();
      const rotated = await sessions.rotate(session, { stage: 'full', mfaAt: now, expiresAt: now + policy.session.absoluteHours * 3_600_000 }, now);
      if (!rotated) throw new AppError(401, 'session_expired', 'the sign-in session ended: sign in again');
      await throttle.reset(`user:${user.id}`);
      await users.touchLogin(user.id, new Date(now));
      await event('login-succeeded', user, origin, { method: answer.method });
      return rotated;
    },

    /** Step-up: a fresh factor check in a full session refreshes mfaAt and rotates the id. */
    async stepUp(session: Session, user: User, answer: FactorAnswer, origin: Origin): Promise<{ id: string; session: Session }> {
      await checkFactor(user, answer, origin);
      const now = Date.now();
      const rotated = await sessions.rotate(session, { mfaAt: now }, now);
      if (!rotated) throw new AppError(401, 'session_expired', 'the session ended: sign in again');
      await throttle.reset(`user:${user.id}`);
      await event('step-up', user, origin, { method: answer.method });
      return rotated;
    },

    /** WebAuthn challenge for the second step or a step-up. */
    authenticationOptions(user: User) {
      return deps.factors.authenticationOptions(user.id);
    },

    async logout(session: Session, user: User, origin: Origin): Promise<void> {
      await sessions.remove(session.idHash);
      await event('logout', user, origin);
    },
  };
}

export type LoginService = ReturnType<typeof createLoginService>;
