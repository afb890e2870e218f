import { generate } from '@otplib/totp';
import type { SqlClient } from '../../core/sql/sql-client';
import { describeWith, openTestSql } from '../../core/testing/services';
import { createUserStore } from '../auth/accounts/user.store';
import { base32Plugin, nodeCryptoPlugin } from '../auth/factors/otp-plugins';
import { createSoftAuthenticator } from '../auth/factors/testing/soft-authenticator';
import { RP, startMfaApp } from './testing/mfa-test-app';

/** The current TOTP code with otplib (RFC 6238, SHA-1, 6 digits, 30 s), node:crypto plugins as under jest. */
const totp = (secret: string, ms: number) =>
  generate({ secret, crypto: nodeCryptoPlugin, base32: base32Plugin, algorithm: 'sha1', digits: 6, period: 30, epoch: Math.floor(ms / 1000) });

function validateSuite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startMfaApp>>;
  let sopaRiga: string; // vps-application token riga / SOPA
  let sopaAdazi: string; // vps-application token adazu-novads / SOPA
  let nomaRiga: string; // vps-application token riga / NOMA
  let collector: string;

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql(kind));
    app = await startMfaApp(sql);
    sopaRiga = (await app.tokens.create({ kind: 'vps-application', tenant: 'riga', source: 'SOPA' })).token;
    sopaAdazi = (await app.tokens.create({ kind: 'vps-application', tenant: 'adazu-novads', source: 'SOPA' })).token;
    nomaRiga = (await app.tokens.create({ kind: 'vps-application', tenant: 'riga', source: 'NOMA' })).token;
    collector = (await app.tokens.create({ kind: 'collector', tenant: 'riga', source: 'dc01' })).token;
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  /** A VPS employee of riga with a confirmed TOTP factor (and recovery codes); the clock moves one step. */
  async function employee(username: string, tenant = 'riga') {
    const users = createUserStore(sql);
    const u = await users.insert({ tenant, username, displayName: username, kind: 'vps-employee', createdBy: 'test' });
    await users.setStatus(u.id, 'active');
    const { factorId, secret } = await app.factors.startTotp(u);
    await app.factors.confirmTotp(u.id, factorId, await totp(secret, app.clock.ms));
    app.clock.ms += 30_000;
    const recovery = await app.factors.createRecoveryCodes(u.id);
    return { user: u, secret, recovery };
  }
  const check = (token: string, body: unknown, contentType?: string) => app.call('POST', '/api/v1/validate/check', { token, body, contentType });

  it('accepts a current TOTP code, refuses its replay and a wrong code; every check is an event', async () => {
    const { user, secret } = await employee('anna.k');
    const code = await totp(secret, app.clock.ms);
    const ok = await check(sopaRiga, { user: 'anna.k', pass: code });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ result: { status: true, value: true }, detail: { message: 'matching 1 tokens', method: 'totp', factorId: expect.any(String) } });

    const replay = await check(sopaRiga, { user: 'anna.k', pass: code });
    expect(replay.body).toEqual({ result: { status: true, value: false }, detail: { message: 'wrong otp value. previous otp used again', method: 'totp' } });

    const wrong = await check(sopaRiga, { user: 'anna.k', pass: code === '000000' ? '111111' : '000000' });
    expect(wrong.body).toEqual({ result: { status: true, value: false }, detail: { message: 'wrong otp value', method: 'totp' } });

    const mine = app.validateEvents.filter((e) => e.userId === user.id);
    expect(mine.map((e) => [e.action, e.outcome])).toEqual([['factor-used', 'success'], ['replay-refused', 'failure'], ['factor-failed', 'failure']]);
    expect(mine[0]).toMatchObject({ tenant: 'riga', username: 'anna.k', application: 'SOPA', via: 'validate-api', method: 'totp' });
  });

  it('answers an unknown user exactly like a wrong code (value false, same message), and emits the check', async () => {
    const r = await check(sopaRiga, { user: 'nobody.here', pass: '123456' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ result: { status: true, value: false }, detail: { message: 'wrong otp value', method: 'totp' } });
    expect(app.validateEvents.at(-1)).toMatchObject({ action: 'factor-failed', userId: '', username: 'nobody.here', reason: 'unknown user' });
  });

  it("refuses a body tenant other than the token's, finds no user of another tenant, and refuses other tokens", async () => {
    const code = await totp((await employee('liga.o')).secret, app.clock.ms);
    const mismatch = await check(sopaAdazi, { tenant: 'riga', user: 'liga.o', pass: code });
    expect(mismatch.status).toBe(403);
    expect(mismatch.body).toMatchObject({ code: 'tenant_mismatch', field: 'tenant' });
    const realm = await check(sopaAdazi, { realm: 'riga', user: 'liga.o', pass: code });
    expect(realm.body.code).toBe('tenant_mismatch');
    expect((await check(sopaRiga, { tenant: 'riga', user: 'liga.o', pass: code })).body.result.value).toBe(true); // nothing consumed above
    // The adazu-novads token looks in adazu-novads only: riga's employee is not found there.
    const { secret } = await employee('maris.z');
    const other = await check(sopaAdazi, { user: 'maris.z', pass: await totp(secret, app.clock.ms) });
    expect(other.body.result).toEqual({ status: true, value: false });
    expect((await check(collector, { user: 'maris.z', pass: '123456' })).status).toBe(403);
  });

  it('takes form-encoded bodies like privacyIDEA clients, and strips a DOMAIN\\ prefix', async () => {
    const { secret } = await employee('peteris.l');
    const form = new URLSearchParams({ user: 'VPS\\peteris.l', realm: 'riga', pass: await totp(secret, app.clock.ms) }).toString();
    const r = await check(sopaRiga, form, 'application/x-www-form-urlencoded');
    expect(r.body.result).toEqual({ status: true, value: true });
  });

  it('enforces the MFA policy per application: recovery codes work for NOMA, not for SOPA', async () => {
    const { recovery } = await employee('eva.b');
    const sopa = await check(sopaRiga, { user: 'eva.b', pass: recovery[0] });
    expect(sopa.body).toEqual({ result: { status: true, value: false }, detail: { message: 'recovery is not allowed for SOPA by the MFA policy', method: 'recovery' } });
    const noma = await check(nomaRiga, { user: 'eva.b', pass: recovery[0] });
    expect(noma.body.result).toEqual({ status: true, value: true });
    expect(noma.body.detail.method).toBe('recovery');
    expect((await check(nomaRiga, { user: 'eva.b', pass: recovery[0] })).body.result.value).toBe(false); // single use
  });

  it('throttles after repeated failures (policies/auth.yaml account rule), even a correct code', async () => {
    const { secret } = await employee('juris.t');
    for (let i = 0; i < 3; i++) expect((await check(sopaRiga, { user: 'juris.t', pass: '000001' })).body.result.value).toBe(false);
    const held = await check(sopaRiga, { user: 'juris.t', pass: await totp(secret, app.clock.ms) });
    expect(held.body.result.value).toBe(false);
    expect(held.body.detail.message).toMatch(/^too many failed attempts; try again in \d+ s$/);
    app.clock.ms += 30_000;
    expect((await check(sopaRiga, { user: 'juris.t', pass: await totp(secret, app.clock.ms) })).body.result.value).toBe(true);
  });

  it('refuses malformed bodies with a clear 400', async () => {
    expect((await check(sopaRiga, { user: 'anna.k' })).body).toMatchObject({ status: 400, field: 'pass' });
    expect((await check(sopaRiga, '{not json')).body).toMatchObject({ status: 400, field: 'body' });
  });

  it('runs a WebAuthn assertion: options, verify, counter; malformed responses are 400', async () => {
    const { user } = await employee('ilze.k');
    const auth = createSoftAuthenticator({ rpId: RP.id, origin: RP.origin });
    await app.factors.verifyRegistration(user.id, auth.register(await app.factors.registrationOptions(user)));

    const opts = await app.call('POST', '/api/v1/validate/webauthn/options', { token: sopaRiga, body: { user: 'ilze.k' } });
    expect(opts.body.result).toEqual({ status: true, value: false });
    expect(opts.body.detail.options.allowCredentials.map((c: { id: string }) => c.id)).toEqual([auth.credentialId]);
    const verify = (response: unknown) => app.call('POST', '/api/v1/validate/webauthn/verify', { token: sopaRiga, body: { user: 'ilze.k', response } });
    const assertion = auth.assert(opts.body.detail.options);
    expect((await verify(assertion)).body).toMatchObject({ result: { status: true, value: true }, detail: { method: 'webauthn' } });
    expect((await verify(assertion)).body.result.value).toBe(false); // the challenge was used
    expect((await verify({ id: 'x' })).status).toBe(400);

    const none = await app.call('POST', '/api/v1/validate/webauthn/options', { token: sopaRiga, body: { user: 'no.such.user' } });
    expect(none.body).toEqual({ result: { status: true, value: false }, detail: { message: 'no passkey or security key is registered for this user', method: 'webauthn' } });
  });
}

describe('validation API on PGlite', () => validateSuite('pglite'));
describeWith('postgres')('validation API on Postgres', () => validateSuite('postgres'));
