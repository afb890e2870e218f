import { AppError } from '../../core/errors';
import type { SqlClient } from '../../core/sql/sql-client';
import type { LoginThrottle } from '../auth/accounts/login-throttle';
import type { AuthEvent, FactorService } from '../auth/factors/factor.types';
import { parseAuthenticationResponse } from '../auth/factors/webauthn-response';
import { accountName } from './logon-mfa';
import type { MfaMethod, MfaPolicy } from './mfa-policy';

/** The calling VPS application, from its vps-application token (never from the request body). */
export interface ValidateCaller {
  tenant: string;
  application: string;
  tokenId: string;
  ip?: string;
}

/**
 * privacyIDEA's /validate/check answer: `result.status` true means the request was processed; `result.value`
 * is the authentication outcome. `detail.message` is safe to show to the employee.
 */
export interface ValidateAnswer {
  result: { status: true; value: boolean };
  detail: { message: string; method?: 'totp' | 'recovery' | 'webauthn'; factorId?: string; options?: unknown };
}

/** One check through the validation API, written to the event store like FACTORS' auth events, plus the app. */
export interface ValidateEvent extends AuthEvent {
  /** The VPS application (token source) that asked; the runtime writes it as service.name. */
  application: string;
  via: 'validate-api';
  tokenId: string;
}

export interface ValidateDeps {
  sql: SqlClient;
  factors: FactorService;
  policy: MfaPolicy;
  onEvent: (e: ValidateEvent) => void | Promise<void>;
  /** ACCOUNTS' throttle (auth_throttle), keys `vps:<tenant>/<username>`: growing delays and lock after failures. */
  throttle?: LoginThrottle;
  now?: () => number;
}

/** The same message for an unknown user, a user without a factor and a wrong code (see validateService). */
const WRONG = 'wrong otp value';

const answer = (value: boolean, detail: ValidateAnswer['detail']): ValidateAnswer => ({ result: { status: true, value }, detail });

/**
 * The verification API for VPS applications and ADFS adapters, after privacyIDEA's /validate/check.
 *
 * User existence: privacyIDEA answers an unknown user with an error (ERR904) and a user without tokens with
 * "The user has no tokens assigned", so a caller can tell both apart from a wrong code. Sargs tells less: an
 * unknown user, a disabled user, a user without a TOTP factor and a wrong code all get value false with the same
 * message ("wrong otp value"), count a failure on the same throttle key and emit the same failure event shape.
 * What Sargs does reveal, like privacyIDEA: a replayed code ("previous otp used again", only reachable with a
 * code that was valid), a method the MFA policy does not allow, and throttling — and for WebAuthn, whether the
 * user has a passkey at all (options need the credential list).
 */
export function createValidateService(deps: ValidateDeps) {
  const now = deps.now ?? Date.now;

  async function findEmployee(tenant: string, user: string): Promise<{ id: string; username: string } | undefined> {
    const bare = accountName(user) ?? user.toLowerCase();
    const r = await deps.sql.query<{ id: string; username: string }>(
      `SELECT id, username FROM users
        WHERE tenant = $1 AND kind = 'vps-employee' AND status <> 'disabled' AND lower(username) IN (lower($2), $3)
        ORDER BY (lower(username) = lower($2)) DESC LIMIT 1`,
      [tenant, user, bare],
    );
    return r.rows[0];
  }

  async function roleOf(tenant: string, application: string, username: string): Promise<string | null> {
    const r = await deps.sql.query<{ role: string | null }>(
      'SELECT role FROM vps_app_accounts WHERE tenant = $1 AND application = $2 AND lower(username) = lower($3)',
      [tenant, application, username],
    );
    return r.rows[0]?.role ?? null;
  }

  const throttleKey = (c: ValidateCaller, user: string) => `vps:${c.tenant}/${accountName(user) ?? user.toLowerCase()}`;

  async function emit(c: ValidateCaller, user: string, u: { id: string } | undefined, e: Pick<AuthEvent, 'action' | 'outcome' | 'method' | 'reason'>) {
    await deps.onEvent({ ...e, userId: u?.id ?? '', tenant: c.tenant, username: user, ip: c.ip, application: c.application, via: 'validate-api', tokenId: c.tokenId });
  }

  /** Throttle, user and policy checks shared by code checks and WebAuthn verification; an answer ends the check. */
  type Pre = { done: ValidateAnswer } | { key: string; user: { id: string; username: string } | undefined };
  async function precheck(c: ValidateCaller, user: string, method: MfaMethod & ValidateAnswer['detail']['method']): Promise<Pre> {
    const key = throttleKey(c, user);
    try {
      await deps.throttle?.check([key], now());
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 429) throw err;
      await emit(c, user, undefined, { action: 'factor-failed', outcome: 'failure', method, reason: `throttled: ${err.code}` });
      return { done: answer(false, { message: `too many failed attempts; try again in ${err.details.retryAfterSeconds ?? 1} s`, method }) };
    }
    const u = await findEmployee(c.tenant, user);
    if (u) {
      const rule = deps.policy.policyFor(c.tenant, c.application, await roleOf(c.tenant, c.application, u.username));
      if (!rule.methods.includes(method)) {
        await emit(c, user, u, { action: 'factor-failed', outcome: 'failure', method, reason: `method not allowed by MFA policy rule ${rule.ruleIndex}` });
        return { done: answer(false, { message: `${method} is not allowed for ${c.application} by the MFA policy`, method }) };
      }
    }
    return { key, user: u };
  }

  /** A failure: counted on the throttle key, emitted, answered with value false. */
  async function fail(c: ValidateCaller, user: string, key: string, u: { id: string } | undefined, method: ValidateAnswer['detail']['method'], reason: string, message = WRONG) {
    await deps.throttle?.fail([key], now());
    await emit(c, user, u, { action: reason.startsWith('replay') ? 'replay-refused' : 'factor-failed', outcome: 'failure', method, reason });
    return answer(false, { message, method });
  }

  async function succeed(c: ValidateCaller, user: string, key: string, u: { id: string }, method: ValidateAnswer['detail']['method'], factorId: string) {
    await deps.throttle?.reset(key);
    await emit(c, user, u, { action: 'factor-used', outcome: 'success', method });
    return answer(true, { message: 'matching 1 tokens', method, factorId });
  }

  return {
    /** `pass` is a TOTP code (6–8 digits, spaces ignored) or a recovery code (`xxxxx-xxxxx`). */
    async check(c: ValidateCaller, input: { user: string; pass: string }): Promise<ValidateAnswer> {
      const method = /^\d{6,8}$/.test(input.pass.replace(/\s+/g, '')) ? 'totp' : 'recovery';
      const pre = await precheck(c, input.user, method);
      if ('done' in pre) return pre.done;
      const { key, user: u } = pre;
      if (!u) return fail(c, input.user, key, u, method, 'unknown user');
      try {
        const { factorId } = method === 'totp' ? await deps.factors.verifyTotp(u.id, input.pass) : await deps.factors.useRecoveryCode(u.id, input.pass);
        return await succeed(c, input.user, key, u, method, factorId);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        // RFC 6238 §5.2: a time step is accepted once; privacyIDEA words it "previous otp used again".
        if (err.code === 'replay_refused') return fail(c, input.user, key, u, method, 'replay: time step already used', `${WRONG}. previous otp used again`);
        return fail(c, input.user, key, u, method, err.code);
      }
    },

    /** WebAuthn options for the employee (a challenge stored by FactorService, 5 minutes, single use). */
    async webauthnOptions(c: ValidateCaller, input: { user: string }): Promise<ValidateAnswer> {
      const pre = await precheck(c, input.user, 'webauthn');
      if ('done' in pre) return pre.done;
      const none = answer(false, { message: 'no passkey or security key is registered for this user', method: 'webauthn' });
      if (!pre.user) return none;
      try {
        const options = await deps.factors.authenticationOptions(pre.user.id);
        return answer(false, { message: 'please confirm with your passkey or security key', method: 'webauthn', options });
      } catch (err) {
        if (err instanceof AppError && err.code === 'no_webauthn_factor') return none;
        throw err;
      }
    },

    /** Verifies an assertion (PublicKeyCredential.toJSON()); a malformed one is a 400 whoever the user is. */
    async webauthnVerify(c: ValidateCaller, input: { user: string; response: unknown }): Promise<ValidateAnswer> {
      parseAuthenticationResponse(input.response); // shape first, so that a 400 tells nothing about the user
      const pre = await precheck(c, input.user, 'webauthn');
      if ('done' in pre) return pre.done;
      const { key, user: u } = pre;
      if (!u) return fail(c, input.user, key, u, 'webauthn', 'unknown user');
      try {
        const { factorId } = await deps.factors.verifyAuthentication(u.id, input.response);
        return await succeed(c, input.user, key, u, 'webauthn', factorId);
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        return fail(c, input.user, key, u, 'webauthn', err.code, `webauthn assertion refused: ${err.message}`);
      }
    },
  };
}

export type ValidateService = ReturnType<typeof createValidateService>;
