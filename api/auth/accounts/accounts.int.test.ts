import { describeWith, openTestSql } from '../../../core/testing/services';
import type { SqlClient } from '../../../core/sql/sql-client';
import { client, startAccountsApp } from './accounts-test-app';

const GOOD_PASSWORD = 'violets under the Daugava bridge';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type App = Awaited<ReturnType<typeof startAccountsApp>>;

/** Creates a user, enrols password + TOTP over the API, completes; returns what the user knows. */
async function enrol(app: App, username: string, tenant = 'zzdats') {
  const { user, enrolment } = await app.accounts.createUser({ tenant, username, displayName: username }, { name: 'test' });
  const c = client(app.url);
  expect((await c.call('POST', `/api/v1/enrol/${enrolment.token}/password`, { password: GOOD_PASSWORD })).status).toBe(204);
  const start = await c.call('POST', `/api/v1/enrol/${enrolment.token}/totp`);
  app.clock.offsetMs += 30_000;
  expect((await c.call('POST', `/api/v1/enrol/${enrolment.token}/totp/confirm`, { factorId: start.body.factorId, code: await app.totp(start.body.secret) })).status).toBe(204);
  const done = await c.call('POST', `/api/v1/enrol/${enrolment.token}/complete`);
  expect(done.status).toBe(200);
  return { user, secret: start.body.secret as string, recoveryCodes: done.body.recoveryCodes as string[] };
}

/** Signs in with password and a fresh TOTP code; returns the client holding the full session. */
async function signIn(app: App, username: string, secret: string, tenant = 'zzdats') {
  const c = client(app.url);
  expect((await c.call('POST', '/api/v1/auth/login', { tenant, username, password: GOOD_PASSWORD })).status).toBe(200);
  app.clock.offsetMs += 30_000;
  const r = await c.call('POST', '/api/v1/auth/totp', { code: await app.totp(secret) });
  expect(r.status).toBe(200);
  return c;
}

for (const kind of ['pglite', 'postgres'] as const) {
  (kind === 'postgres' ? describeWith('postgres') : describe)(`accounts and sessions over HTTP (${kind})`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    let app: App;
    beforeAll(async () => {
      ({ sql, drop } = await openTestSql(kind));
      app = await startAccountsApp(sql);
    });
    afterAll(async () => {
      await app?.close();
      await drop?.();
    });

    it('enrols: reasons for refused passwords, TOTP, recovery codes once, then the link is used up', async () => {
      const { enrolment } = await app.accounts.createUser({ tenant: 'adazu-novads', username: 'ilze.ozola', displayName: 'Ilze Ozola', email: 'ilze@example.lv' }, { name: 'test' });
      expect(enrolment.url).toBe(`${app.pageUrl}/enrol.html#${enrolment.token}`);
      const c = client(app.url);
      const path = `/api/v1/enrol/${enrolment.token}`;
      const status = await c.call('GET', path);
      expect(status.body).toMatchObject({ user: { username: 'ilze.ozola', tenant: 'adazu-novads' }, needs: ['password', 'factor', 'recovery-codes'] });
      expect((await c.call('POST', `${path}/totp`)).body.code).toBe('password_required');
      const refused = async (password: string) => (await c.call('POST', `${path}/password`, { password })).body;
      expect(await refused('short')).toMatchObject({ status: 400, code: 'password_too_short', field: 'password' });
      expect(await refused('qwerty123456')).toMatchObject({ code: 'password_common' });
      expect(await refused('ilze.ozola is my name')).toMatchObject({ code: 'password_contains_username' });
      expect(await refused('adazu-novads office door')).toMatchObject({ code: 'password_contains_tenant' });
      expect((await c.call('POST', `${path}/password`, { password: GOOD_PASSWORD })).status).toBe(204);
      // Not usable before enrolment is complete
      const early = await client(app.url).call('POST', '/api/v1/auth/login', { tenant: 'adazu-novads', username: 'ilze.ozola', password: GOOD_PASSWORD });
      expect(early.body).toMatchObject({ status: 403, code: 'account_not_active' });
      expect((await c.call('POST', `${path}/complete`)).body.code).toBe('factor_required');
      const start = await c.call('POST', `${path}/totp`);
      expect(start.body.uri).toMatch(/^otpauth:\/\/totp\//);
      expect((await c.call('POST', `${path}/totp/confirm`, { factorId: start.body.factorId, code: '000000' })).status).toBeGreaterThanOrEqual(400);
      app.clock.offsetMs += 30_000;
      expect((await c.call('POST', `${path}/totp/confirm`, { factorId: start.body.factorId, code: await app.totp(start.body.secret) })).status).toBe(204);
      const done = await c.call('POST', `${path}/complete`);
      expect(done.status).toBe(200);
      expect(done.body.recoveryCodes).toHaveLength(10);
      expect((await c.call('GET', path)).body.code).toBe('enrolment_link_invalid');
      expect((await c.call('POST', `${path}/complete`)).status).toBe(404);
    });

    it('signs in with password + TOTP: cookie flags, CSRF, id rotation, session view, logout', async () => {
      const { secret, user } = await enrol(app, 'janis.berzins');
      const c = client(app.url);
      const first = await c.call('POST', '/api/v1/auth/login', { tenant: 'zzdats', username: 'Janis.Berzins', password: GOOD_PASSWORD });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ stage: 'second-factor', methods: ['totp', 'recovery'] });
      expect(c.lastSetCookie).toMatch(/^sargs_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict$/);
      const passwordCookie = c.cookie;
      // A password-stage session is no sign-in
      expect((await c.call('GET', '/api/v1/auth/session')).status).toBe(401);
      app.clock.offsetMs += 30_000;
      const code = await app.totp(secret);
      expect((await c.call('POST', '/api/v1/auth/totp', { code }, { csrf: false })).body.code).toBe('csrf_failed');
      const bad = await c.call('POST', '/api/v1/auth/totp', { code: code === '123456' ? '654321' : '123456' });
      expect(bad.body).toMatchObject({ status: 401, code: 'factor_failed' });
      const full = await c.call('POST', '/api/v1/auth/totp', { code });
      expect(full.status).toBe(200);
      expect(full.body).toMatchObject({ stage: 'full', tenant: 'zzdats', user: { id: user.id, username: 'janis.berzins' } });
      expect(c.cookie).not.toBe(passwordCookie); // rotated at login (session fixation)
      const stale = client(app.url);
      stale.cookie = passwordCookie;
      expect((await stale.call('GET', '/api/v1/auth/session')).status).toBe(401);

      const view = await c.call('GET', '/api/v1/auth/session');
      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({ stage: 'full', csrfToken: c.csrf, tenant: 'zzdats' });
      expect(Date.parse(view.body.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000);

      // Step-up: new id, later mfaAt; the old id stops working
      const before = c.cookie;
      app.clock.offsetMs += 30_000;
      const up = await c.call('POST', '/api/v1/auth/step-up/totp', { code: await app.totp(secret) });
      expect(up.status).toBe(200);
      expect(Date.parse(up.body.mfaAt)).toBeGreaterThanOrEqual(Date.parse(view.body.mfaAt));
      expect(c.cookie).not.toBe(before);
      stale.cookie = before;
      expect((await stale.call('GET', '/api/v1/auth/session')).status).toBe(401);

      // A user-management call: CSRF and tenant checked
      expect((await c.call('POST', '/api/v1/users', { tenant: 'zzdats', username: 'anna', displayName: 'Anna' }, { csrf: false })).body.code).toBe('csrf_failed');
      expect((await c.call('POST', '/api/v1/users', { tenant: 'riga', username: 'anna', displayName: 'Anna' })).status).toBe(403);
      const created = await c.call('POST', '/api/v1/users', { tenant: 'zzdats', username: 'anna', displayName: 'Anna' });
      expect(created.status).toBe(201);
      expect(created.body.enrolment.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      expect((await c.call('POST', '/api/v1/auth/logout', undefined, { csrf: false })).body.code).toBe('csrf_failed');
      expect((await c.call('POST', '/api/v1/auth/logout')).status).toBe(204);
      expect(c.cookie).toBe('');
      stale.cookie = `sargs_session=${/sargs_session=(.*)/.exec(before)![1]}`;
      expect((await c.call('GET', '/api/v1/auth/session')).status).toBe(401);
      expect(app.events.map((e) => e.action)).toEqual(expect.arrayContaining(['login-succeeded', 'step-up', 'logout', 'login-failed']));
    });

    it('answers an unknown user exactly like a wrong password, and signs in with a recovery code once', async () => {
      const { recoveryCodes } = await enrol(app, 'peteris');
      const wrong = await client(app.url).call('POST', '/api/v1/auth/login', { tenant: 'zzdats', username: 'peteris', password: 'not the password at all' });
      const unknown = await client(app.url).call('POST', '/api/v1/auth/login', { tenant: 'zzdats', username: 'nobody-here', password: 'not the password at all' });
      expect(wrong.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      const c = client(app.url);
      await c.call('POST', '/api/v1/auth/login', { tenant: 'zzdats', username: 'peteris', password: GOOD_PASSWORD });
      expect((await c.call('POST', '/api/v1/auth/recovery', { code: recoveryCodes[0] })).body.stage).toBe('full');
      const again = client(app.url);
      await again.call('POST', '/api/v1/auth/login', { tenant: 'zzdats', username: 'peteris', password: GOOD_PASSWORD });
      expect((await again.call('POST', '/api/v1/auth/recovery', { code: recoveryCodes[0] })).body.code).toBe('factor_failed');
    });

    it('throttles with growing Retry-After, then locks the account and says so in an event', async () => {
      const fast = await startAccountsApp(sql, { throttle: { account: { delayAfter: 2, baseDelaySeconds: 1, maxDelaySeconds: 60, lockAfter: 4, lockMinutes: 0.05, resetAfterMinutes: 60 } } });
      try {
        await enrol(fast, 'liga');
        const c = client(fast.url);
        const attempt = (password: string) => c.call('POST', '/api/v1/auth/login', { tenant: 'zzdats', username: 'liga', password });
        expect((await attempt('wrong password one')).status).toBe(401);
        expect((await attempt('wrong password two')).status).toBe(401);
        let r = await attempt('wrong password three');
        expect(r.status).toBe(429);
        expect(r.body.code).toBe('too_many_attempts');
        expect(r.headers.get('retry-after')).toBe('1');
        await sleep(1100);
        expect((await attempt('wrong password three')).status).toBe(401);
        r = await attempt(GOOD_PASSWORD); // even the right password waits
        expect(r.status).toBe(429);
        expect(r.headers.get('retry-after')).toBe('2');
        await sleep(2100);
        expect((await attempt('wrong password four')).status).toBe(401);
        r = await attempt(GOOD_PASSWORD);
        expect(r.body.code).toBe('account_locked');
        expect(Number(r.headers.get('retry-after'))).toBe(3);
        expect(fast.events.filter((e) => e.action === 'account-locked')).toEqual([expect.objectContaining({ username: 'liga', outcome: 'failure' })]);
        expect(fast.events.filter((e) => e.action === 'login-failed' && e.username === 'liga')).toHaveLength(4);
        // The lock (3 s) and the delay of the 4th failure (2^(4-2) = 4 s) have both run out
        await sleep(4100);
        expect((await attempt(GOOD_PASSWORD)).status).toBe(200);
      } finally {
        await fast.close();
      }
    }, 20_000);

    it('ends sessions at the idle and the absolute timeout', async () => {
      const short = await startAccountsApp(sql, { session: { idleMinutes: 0.02, absoluteHours: 0.001, passwordStageMinutes: 5 } });
      try {
        const { secret } = await enrol(short, 'idle.user');
        const idle = await signIn(short, 'idle.user', secret);
        expect((await idle.call('GET', '/api/v1/auth/session')).status).toBe(200);
        await sleep(1500); // idle 1.2 s
        expect((await idle.call('GET', '/api/v1/auth/session')).status).toBe(401);

        const busy = await signIn(short, 'idle.user', secret);
        const started = Date.now();
        while (Date.now() - started < 3000) {
          expect((await busy.call('GET', '/api/v1/auth/session')).status).toBe(200);
          await sleep(500);
        }
        await sleep(Math.max(0, 3700 - (Date.now() - started))); // absolute 3.6 s, although never idle
        expect((await busy.call('GET', '/api/v1/auth/session')).status).toBe(401);
      } finally {
        await short.close();
      }
    }, 20_000);
  });
}
