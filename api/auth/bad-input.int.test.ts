/**
 * Bad input over HTTP against the real app (startSargs, embedded PGlite), issue 3 "Bad input": malformed WebAuthn
 * responses (garbage JSON, wrong types, bad base64), responses signed for the wrong origin or RP ID (a software
 * authenticator, api/auth/factors/testing/soft-authenticator.ts), expired challenges, oversized bodies — each a
 * clear 4xx problem+json that changes nothing (factor rows, WebAuthn counters, challenges, sessions); a TOTP code
 * replayed over HTTP; a cookie POST without its CSRF token; a step-up route with a stale mfaAt.
 *
 * The app's RP is its default public URL (http://localhost:0, RP ID localhost): the soft authenticator signs for it;
 * requests go to 127.0.0.1 (the RP is checked from the signed client data, not from the connection).
 */
import { createSoftAuthenticator } from './factors/testing/soft-authenticator';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { accountsOf, enrolUser, httpClient, signIn, SETUP_ACTOR, TEST_PASSWORD, totpNow, type HttpAnswer, type HttpClient } from '../testing/identity-fixture';

jest.setTimeout(120_000);

/** A 4xx answer as RFC 9457 problem+json with a stable code. */
function expectProblem(r: HttpAnswer, status: number, code?: string | RegExp) {
  expect({ status: r.status, type: r.headers.get('content-type') }).toEqual({ status, type: expect.stringContaining('application/problem+json') });
  expect(r.body).toMatchObject({ status, code: expect.any(String), detail: expect.any(String) });
  if (code) expect(r.body.code).toMatch(code);
}

describe('bad input to identity routes (real app, PGlite)', () => {
  let sargs: RunningSargs;
  let rp: { id: string; origin: string };

  /** Everything a bad request must not change: factors, counters, TOTP steps, challenges used, sessions. */
  async function stateOf(userId: string) {
    const q = (text: string) => sargs.runtime.sql.query(text, [userId]).then((r) => r.rows);
    return {
      factors: await q(
        `SELECT f.id, f.method, f.status, f.last_used_at, w.sign_count, w.credential_id, t.last_used_step
           FROM user_factors f LEFT JOIN webauthn_credentials w ON w.factor_id = f.id LEFT JOIN totp_factors t ON t.factor_id = f.id
          WHERE f.user_id = $1 ORDER BY f.id`,
      ),
      challengesUsed: await q('SELECT id FROM webauthn_challenges WHERE user_id = $1 AND used_at IS NOT NULL ORDER BY id'),
      sessions: await q('SELECT id_hash, stage, mfa_at FROM sessions WHERE user_id = $1 ORDER BY id_hash'),
      user: await q('SELECT status, password_hash, last_login_at FROM users WHERE id = $1'),
    };
  }
  /** Failures count towards the growing delays (policies/auth.yaml); each case starts without them. */
  const forgetFailures = () => sargs.runtime.sql.query('DELETE FROM auth_throttle');
  const expireChallenges = (userId: string) => sargs.runtime.sql.query(`UPDATE webauthn_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [userId]);

  beforeAll(async () => {
    sargs = await startSargs();
    const u = new URL(sargs.runtime.ctx.config.publicUrl);
    rp = { id: u.hostname, origin: u.origin };
  });
  afterAll(async () => {
    await sargs?.close();
  });

  describe('WebAuthn registration at enrolment', () => {
    let token: string;
    let userId: string;
    let c: HttpClient;
    let options: { challenge: string };
    const auth = () => createSoftAuthenticator({ rpId: rp.id, origin: rp.origin });

    beforeAll(async () => {
      const { user, enrolment } = await accountsOf(sargs).createUser({ tenant: 'riga', username: 'bad-reg', displayName: 'Bad Reg' }, SETUP_ACTOR);
      userId = user.id;
      token = enrolment.token;
      c = httpClient(sargs.url);
      expect((await c.call('post', `/api/v1/enrol/${token}/password`, { password: TEST_PASSWORD })).status).toBe(204);
      const o = await c.call('post', `/api/v1/enrol/${token}/webauthn/options`);
      expect(o.status).toBe(200);
      options = o.body;
    });

    const verify = (body: unknown, raw?: string) => c.call('post', `/api/v1/enrol/${token}/webauthn/verify`, body, raw === undefined ? {} : { raw });
    const good = () => auth().register(options);

    it.each<[string, () => Promise<HttpAnswer>, string | RegExp]>([
      ['garbage JSON', () => verify(undefined, '{"response": {"id": '), 'invalid_body'],
      ['a JSON array', () => verify(undefined, '[1,2,3]'), /^invalid_/],
      ['response of the wrong type', () => verify({ response: 'not an object' }), 'invalid_body'],
      ['fields of the wrong types', () => verify({ response: { ...good(), id: 42, type: ['public-key'] } }), 'webauthn_malformed'],
      ['a nested response of the wrong type', () => verify({ response: { ...good(), response: 'x' } }), 'webauthn_malformed'],
      ['bad base64 in clientDataJSON', () => verify({ response: { ...good(), response: { ...good().response, clientDataJSON: '***not+base64/==' } } }), 'webauthn_malformed'],
      ['clientDataJSON that is base64url but not JSON', () => verify({ response: { ...good(), response: { ...good().response, clientDataJSON: Buffer.from('{nope').toString('base64url') } } }), 'webauthn_malformed'],
      ['bad base64 in attestationObject', () => verify({ response: { ...good(), response: { ...good().response, attestationObject: 'a b c' } } }), 'webauthn_malformed'],
      ['an attestationObject that is not CBOR', () => verify({ response: { ...good(), response: { ...good().response, attestationObject: Buffer.from('hello').toString('base64url') } } }), 'webauthn_invalid'],
      ['a response signed for another origin', () => verify({ response: auth().register(options, { origin: 'https://evil.example' }) }), 'webauthn_invalid'],
      ['a response for another RP ID', () => verify({ response: auth().register(options, { rpId: 'evil.example' }) }), 'webauthn_invalid'],
      ['a response without user verification', () => verify({ response: auth().register(options, { flags: 0x01 }) }), 'webauthn_invalid'],
      ['a challenge never issued', () => verify({ response: auth().register({ challenge: Buffer.alloc(32, 9).toString('base64url') }) }), 'webauthn_challenge_unknown'],
    ])('refuses %s with a 4xx problem and changes nothing', async (_name, send, code) => {
      const before = await stateOf(userId);
      const r = await send();
      expectProblem(r, 400, code);
      expect(await stateOf(userId)).toEqual(before);
    });

    it('refuses a body over 1 MB with 413 and changes nothing', async () => {
      const before = await stateOf(userId);
      const big = good();
      const r = await verify({ response: { ...big, clientExtensionResults: { pad: 'x'.repeat(1_100_000) } } });
      expectProblem(r, 413, 'payload_too_large');
      expect(await stateOf(userId)).toEqual(before);
    });

    it('refuses an expired challenge, then registers with fresh options', async () => {
      await expireChallenges(userId);
      const before = await stateOf(userId);
      expectProblem(await verify({ response: good() }), 400, 'webauthn_challenge_expired');
      expect(await stateOf(userId)).toEqual(before);
      expect(before.factors).toEqual([]);
      // The bad requests above left the enrolment intact: fresh options and a good response register the key.
      options = (await c.call('post', `/api/v1/enrol/${token}/webauthn/options`)).body;
      const ok = await verify({ response: good() });
      expect(ok.status).toBe(200);
      expect((await stateOf(userId)).factors).toHaveLength(1);
    });
  });

  describe('WebAuthn assertion at sign-in', () => {
    const authenticator = () => createSoftAuthenticator({ rpId: rp.id, origin: rp.origin });
    let soft: ReturnType<typeof createSoftAuthenticator>;
    let userId: string;
    let c: HttpClient;
    let options: { challenge: string };

    beforeAll(async () => {
      soft = authenticator();
      const { user, enrolment } = await accountsOf(sargs).createUser({ tenant: 'riga', username: 'bad-assert', displayName: 'Bad Assert' }, SETUP_ACTOR);
      userId = user.id;
      const e = httpClient(sargs.url);
      expect((await e.call('post', `/api/v1/enrol/${enrolment.token}/password`, { password: TEST_PASSWORD })).status).toBe(204);
      const o = await e.call('post', `/api/v1/enrol/${enrolment.token}/webauthn/options`);
      expect((await e.call('post', `/api/v1/enrol/${enrolment.token}/webauthn/verify`, { response: soft.register(o.body) })).status).toBe(200);
      expect((await e.call('post', `/api/v1/enrol/${enrolment.token}/complete`)).status).toBe(200);
      c = httpClient(sargs.url);
      const login = await c.call('post', '/api/v1/auth/login', { tenant: 'riga', username: 'bad-assert', password: TEST_PASSWORD });
      expect(login.body.methods).toContain('webauthn');
      options = (await c.call('post', '/api/v1/auth/webauthn/options')).body;
      // One good sign-in first, so the stored counter is above 0 and counter checks mean something.
      expect((await c.call('post', '/api/v1/auth/webauthn/verify', { response: soft.assert(options) })).status).toBe(200);
      expect((await c.call('post', '/api/v1/auth/logout')).status).toBe(204);
      await c.call('post', '/api/v1/auth/login', { tenant: 'riga', username: 'bad-assert', password: TEST_PASSWORD });
      options = (await c.call('post', '/api/v1/auth/webauthn/options')).body;
    });
    beforeEach(forgetFailures);

    const verify = (body: unknown, raw?: string) => c.call('post', '/api/v1/auth/webauthn/verify', body, raw === undefined ? {} : { raw });

    it.each<[string, () => Promise<HttpAnswer>, number, string | RegExp]>([
      ['garbage JSON', () => verify(undefined, '{{{'), 400, 'invalid_body'],
      ['response of the wrong type', () => verify({ response: 17 }), 400, 'invalid_body'],
      ['an unknown extra field', () => verify({ response: soft.assert(options, { counter: 50 }), admin: true }), 400, 'invalid_body'],
      ['fields of the wrong types', () => verify({ response: { ...soft.assert(options, { counter: 50 }), rawId: { a: 1 } } }), 400, 'webauthn_malformed'],
      ['bad base64 in the signature', () => verify({ response: { ...soft.assert(options, { counter: 50 }), response: { ...soft.assert(options, { counter: 50 }).response, signature: '%%%' } } }), 400, 'webauthn_malformed'],
      ['a signature over other data', () => verify({ response: { ...soft.assert(options, { counter: 50 }), response: { ...soft.assert(options, { counter: 50 }).response, signature: Buffer.alloc(70, 1).toString('base64url') } } }), 400, /webauthn_invalid|factor_failed/],
      ['a key that is not registered', () => verify({ response: authenticator().assert(options) }), 400, 'webauthn_unknown_credential'],
      ['an assertion signed for another origin', () => verify({ response: soft.assert(options, { origin: 'https://evil.example', counter: 50 }) }), 400, 'webauthn_invalid'],
      ['an assertion for another RP ID', () => verify({ response: soft.assert(options, { rpId: 'evil.example', counter: 50 }) }), 400, 'webauthn_invalid'],
      ['an assertion without user verification', () => verify({ response: soft.assert(options, { flags: 0x01, counter: 50 }) }), 400, 'webauthn_invalid'],
      ['a counter that did not grow (cloned key)', () => verify({ response: soft.assert(options, { counter: 1 }) }), 401, 'webauthn_counter_refused'],
    ])('refuses %s with a clear 4xx, the session stays unsigned, nothing changes', async (_name, send, status, code) => {
      const before = await stateOf(userId);
      expectProblem(await send(), status, code);
      const after = await stateOf(userId);
      expect(after).toEqual(before);
      expect(after.sessions.map((s) => s.stage)).toEqual(['password']);
      expectProblem(await c.call('get', '/api/v1/auth/session'), 401);
    });

    it('refuses a body over 1 MB with 413', async () => {
      const before = await stateOf(userId);
      expectProblem(await verify({ response: { ...soft.assert(options, { counter: 50 }), clientExtensionResults: { pad: 'x'.repeat(1_100_000) } } }), 413, 'payload_too_large');
      expect(await stateOf(userId)).toEqual(before);
    });

    it('refuses an expired challenge, then signs in with fresh options', async () => {
      await expireChallenges(userId);
      const before = await stateOf(userId);
      expectProblem(await verify({ response: soft.assert(options, { counter: 60 }) }), 400, 'webauthn_challenge_expired');
      expect(await stateOf(userId)).toEqual(before);
      options = (await c.call('post', '/api/v1/auth/webauthn/options')).body;
      const ok = await verify({ response: soft.assert(options, { counter: 61 }) });
      expect(ok.status).toBe(200);
      expect((await stateOf(userId)).factors.find((f) => f.method === 'webauthn')?.sign_count).toBe(61);
    });
  });

  describe('TOTP, CSRF, oversized login and step-up', () => {
    let admin: Awaited<ReturnType<typeof enrolUser>>;

    beforeAll(async () => {
      admin = await enrolUser(sargs, { tenant: 'zzdats', username: 'bad-admin', roles: [{ role: 'platform-admin', tenant: '*' }] });
    });
    beforeEach(forgetFailures);

    it('refuses a replayed TOTP code over HTTP (RFC 6238 §5.2) and keeps the second session unsigned', async () => {
      const u = await enrolUser(sargs, { tenant: 'riga', username: 'bad-replay' });
      const code = await totpNow(u.secret);
      const first = httpClient(sargs.url);
      await first.call('post', '/api/v1/auth/login', { tenant: 'riga', username: u.username, password: TEST_PASSWORD });
      expect((await first.call('post', '/api/v1/auth/totp', { code })).status).toBe(200);
      const second = httpClient(sargs.url);
      await second.call('post', '/api/v1/auth/login', { tenant: 'riga', username: u.username, password: TEST_PASSWORD });
      const before = await stateOf(u.id);
      expectProblem(await second.call('post', '/api/v1/auth/totp', { code }), 401, 'replay_refused');
      expect((await stateOf(u.id)).factors).toEqual(before.factors);
      expectProblem(await second.call('get', '/api/v1/auth/session'), 401);
      expect((await first.call('get', '/api/v1/auth/session')).status).toBe(200);
    });

    it('refuses an oversized sign-in body with 413 problem+json', async () => {
      const c = httpClient(sargs.url);
      expectProblem(await c.call('post', '/api/v1/auth/login', { tenant: 'zzdats', username: admin.username, password: 'p'.repeat(1_100_000) }), 413, 'payload_too_large');
      expect(c.cookie).toBe('');
      expectProblem(await c.call('post', '/api/v1/auth/login', undefined, { raw: '{"tenant":' }), 400, 'invalid_body');
    });

    it('refuses a cookie POST without or with a wrong X-CSRF-Token, and changes nothing', async () => {
      const c = await signIn(sargs.url, admin);
      const body = { tenant: 'riga', username: 'csrf-victim', displayName: 'Should not exist' };
      expectProblem(await c.call('post', '/api/v1/users', body, { csrf: false }), 403, 'csrf_failed');
      const csrf = c.csrf;
      c.csrf = 'x'.repeat(csrf.length);
      expectProblem(await c.call('post', '/api/v1/users', body), 403, 'csrf_failed');
      expectProblem(await c.call('post', '/api/v1/auth/logout', undefined), 403, 'csrf_failed');
      expectProblem(await c.call('delete', `/api/v1/users/${admin.id}/roles/platform-admin/*`), 403, 'csrf_failed');
      c.csrf = csrf;
      expect((await sargs.runtime.sql.query(`SELECT 1 FROM users WHERE username = 'csrf-victim'`)).rows).toEqual([]);
      expect(await sargs.runtime.ctx.authz.rolesOf(`user:${admin.id}`)).toEqual([{ role: 'platform-admin', tenant: '*' }]);
      // The session survived the refused sign-out; with the token the same request works.
      expect((await c.call('get', '/api/v1/auth/session')).status).toBe(200);
      expect((await c.call('post', '/api/v1/users', body)).status).toBe(201);
    });

    it('answers 401 step_up_required on stepUp routes with a stale mfaAt, and works after a TOTP step-up', async () => {
      // Its own admin: the CSRF test above already used this time step of bad-admin's TOTP.
      const admin = await enrolUser(sargs, { tenant: 'zzdats', username: 'stepup-admin', roles: [{ role: 'platform-admin', tenant: '*' }] });
      const c = await signIn(sargs.url, admin, 0);
      const stale = new Date(Date.now() - (sargs.runtime.ctx.identity.policy.stepUpMinutes + 1) * 60_000);
      await sargs.runtime.sql.query('UPDATE sessions SET mfa_at = $2 WHERE user_id = $1', [admin.id, stale]);
      const body = { tenant: 'riga', username: 'stepup-user', displayName: 'After step-up' };
      for (const [method, path, b] of [
        ['post', '/api/v1/users', body],
        ['post', '/api/v1/tokens', { tenant: 'riga', source: 'stepup' }],
        ['post', `/api/v1/users/${admin.id}/roles`, { role: 'dpo', tenant: 'riga' }],
        ['get', '/api/v1/mfa/coverage.csv', undefined],
      ] as const) {
        const r = await c.call(method, path, b);
        expectProblem(r, 401, 'step_up_required');
      }
      expect((await sargs.runtime.sql.query(`SELECT 1 FROM users WHERE username = 'stepup-user'`)).rows).toEqual([]);
      expect(await sargs.runtime.ctx.authz.rolesOf(`user:${admin.id}`)).toEqual([{ role: 'platform-admin', tenant: '*' }]);
      // Non-sensitive routes still work with the stale mfaAt.
      expect((await c.call('get', '/api/v1/users')).status).toBe(200);

      const oldCookie = c.cookie;
      const wrong = await c.call('post', '/api/v1/auth/step-up/totp', { code: '000000' });
      expectProblem(wrong, 401, 'factor_failed');
      await forgetFailures();
      // The sign-in used the current step; the next step is within the ±1 window and not yet used.
      const up = await c.call('post', '/api/v1/auth/step-up/totp', { code: await totpNow(admin.secret, 1) });
      expect(up.status).toBe(200);
      expect(Date.now() - Date.parse(up.body.mfaAt)).toBeLessThan(60_000);
      expect(c.cookie).not.toBe(oldCookie); // session id rotated at step-up
      const created = await c.call('post', '/api/v1/users', body);
      expect(created.status).toBe(201);
      // The old session id is gone after rotation.
      const old = httpClient(sargs.url);
      old.cookie = oldCookie;
      expectProblem(await old.call('get', '/api/v1/auth/session'), 401);
    });
  });
});
