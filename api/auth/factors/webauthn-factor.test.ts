import { describeWith, openTestSql } from '../../../core/testing/services';
import type { SqlClient } from '../../../core/sql/sql-client';
import { createSoftAuthenticator, FLAGS } from './testing/soft-authenticator';
import { expectAppError, factorFixture, RP } from './testing/factor-fixture';

function webauthnSuite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ sql, drop } = await openTestSql(kind)));
  afterAll(() => drop());

  const credentialCount = async (userId: string) =>
    (await sql.query(`SELECT 1 FROM user_factors WHERE user_id = $1 AND method = 'webauthn'`, [userId])).rows.length;
  const signCount = async (factorId: string) =>
    Number((await sql.query<{ sign_count: string }>('SELECT sign_count FROM webauthn_credentials WHERE factor_id = $1', [factorId])).rows[0].sign_count);
  const challengeUsed = async (challenge: string) =>
    (await sql.query<{ used_at: unknown }>('SELECT used_at FROM webauthn_challenges WHERE challenge = $1', [challenge])).rows[0].used_at !== null;

  async function registered(synced = false) {
    const f = factorFixture(sql);
    const user = f.newUser();
    const auth = createSoftAuthenticator({ rpId: RP.id, origin: RP.origin, synced });
    const options = await f.service.registrationOptions(user);
    const { factorId } = await f.service.verifyRegistration(user.id, auth.register(options), 'laptop');
    return { ...f, user, auth, factorId };
  }

  it('offers UV-required, resident-key-preferred options and excludes registered credentials', async () => {
    const f = await registered();
    const options = await f.service.registrationOptions(f.user);
    expect(options.rp).toEqual({ id: RP.id, name: RP.name });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'required' });
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([f.auth.credentialId]);
    const auth = await f.service.authenticationOptions(f.user.id);
    expect(auth).toMatchObject({ rpId: RP.id, userVerification: 'required' });
    expect(auth.allowCredentials?.map((c) => c.id)).toEqual([f.auth.credentialId]);
    await expectAppError(f.service.authenticationOptions(f.newUser().id), 400, 'no_webauthn_factor');
  });

  it('registers and authenticates; the counter must grow', async () => {
    const f = await registered();
    const [info] = await f.service.list(f.user.id);
    expect(info).toMatchObject({ id: f.factorId, method: 'webauthn', status: 'active', label: 'laptop' });
    expect(info.webauthn).toMatchObject({ transports: ['internal'], backedUp: false, deviceType: 'singleDevice' });
    expect(await f.service.hasAny(f.user.id)).toBe(true);
    for (const n of [1, 2]) {
      const o = await f.service.authenticationOptions(f.user.id);
      expect(await f.service.verifyAuthentication(f.user.id, f.auth.assert(o))).toEqual({ factorId: f.factorId });
      expect(await signCount(f.factorId)).toBe(n);
    }
    // Equal (2) and lower (1) counters: a cloned authenticator. Refused; event; nothing changes.
    for (const counter of [2, 1]) {
      const o = await f.service.authenticationOptions(f.user.id);
      await expectAppError(f.service.verifyAuthentication(f.user.id, f.auth.assert(o, { counter })), 401, 'webauthn_counter_refused');
      expect(f.events.at(-1)).toMatchObject({ action: 'factor-failed', outcome: 'failure', method: 'webauthn' });
      expect(f.events.at(-1)?.reason).toMatch(/possible cloned authenticator/);
      expect(await signCount(f.factorId)).toBe(2);
      expect(await challengeUsed(o.challenge)).toBe(false);
    }
    expect(f.events.map((e) => e.action)).toEqual(['factor-enrolled', 'factor-used', 'factor-used', 'factor-failed', 'factor-failed']);
  });

  it('accepts counter 0/0 of a synced passkey and records the backup state', async () => {
    const f = await registered(true);
    expect((await f.service.list(f.user.id))[0].webauthn).toMatchObject({ backedUp: true, deviceType: 'multiDevice' });
    for (let i = 0; i < 2; i++) {
      const o = await f.service.authenticationOptions(f.user.id);
      await expect(f.service.verifyAuthentication(f.user.id, f.auth.assert(o))).resolves.toEqual({ factorId: f.factorId });
    }
    expect(await signCount(f.factorId)).toBe(0);
  });

  it('refuses wrong origin and wrong RP ID with 400 naming what was expected, changing nothing', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const auth = createSoftAuthenticator({ rpId: RP.id, origin: RP.origin });
    const o = await f.service.registrationOptions(user);
    let e = await expectAppError(f.service.verifyRegistration(user.id, auth.register(o, { origin: 'https://evil.test' })), 400, 'webauthn_invalid');
    expect(e.message).toContain(`expected "${RP.origin}"`);
    e = await expectAppError(f.service.verifyRegistration(user.id, auth.register(o, { rpId: 'evil.test' })), 400, 'webauthn_invalid');
    expect(e.message).toMatch(/RP ID/);
    expect(await credentialCount(user.id)).toBe(0);
    expect(await challengeUsed(o.challenge)).toBe(false);
    const { factorId } = await f.service.verifyRegistration(user.id, auth.register(o));
    const a = await f.service.authenticationOptions(user.id);
    e = await expectAppError(f.service.verifyAuthentication(user.id, auth.assert(a, { origin: 'http://sargs.test', counter: 5 })), 400, 'webauthn_invalid');
    expect(e.message).toContain('origin');
    await expectAppError(f.service.verifyAuthentication(user.id, auth.assert(a, { rpId: 'other.test', counter: 5 })), 400, 'webauthn_invalid');
    expect(await signCount(factorId)).toBe(0);
    expect(await challengeUsed(a.challenge)).toBe(false);
  });

  it('refuses expired, reused and unknown challenges', async () => {
    const f = await registered();
    let o = await f.service.authenticationOptions(f.user.id);
    f.clock.ms += 5 * 60_000 + 1;
    await expectAppError(f.service.verifyAuthentication(f.user.id, f.auth.assert(o)), 400, 'webauthn_challenge_expired');
    o = await f.service.authenticationOptions(f.user.id);
    const response = f.auth.assert(o);
    await f.service.verifyAuthentication(f.user.id, response);
    await expectAppError(f.service.verifyAuthentication(f.user.id, response), 400, 'webauthn_challenge_used');
    await expectAppError(
      f.service.verifyAuthentication(f.user.id, f.auth.assert(o, { challenge: 'bm90LWEtY2hhbGxlbmdlLWlzc3VlZA' })),
      400,
      'webauthn_challenge_unknown',
    );
    // A registration challenge does not answer an authentication, nor another user's challenge.
    const reg = await f.service.registrationOptions(f.user);
    await expectAppError(f.service.verifyAuthentication(f.user.id, f.auth.assert(reg)), 400, 'webauthn_challenge_unknown');
    const other = createSoftAuthenticator({ rpId: RP.id, origin: RP.origin });
    await expectAppError(f.service.verifyRegistration(f.newUser().id, other.register(reg)), 400, 'webauthn_challenge_unknown');
    const expiredReg = await f.service.registrationOptions(f.user);
    f.clock.ms += 6 * 60_000;
    await expectAppError(f.service.verifyRegistration(f.user.id, other.register(expiredReg)), 400, 'webauthn_challenge_expired');
  });

  it('refuses responses without user verification', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const auth = createSoftAuthenticator({ rpId: RP.id, origin: RP.origin });
    const o = await f.service.registrationOptions(user);
    const e = await expectAppError(f.service.verifyRegistration(user.id, auth.register(o, { flags: FLAGS.UP })), 400, 'webauthn_invalid');
    expect(e.message).toMatch(/verif/i);
    await f.service.verifyRegistration(user.id, auth.register(o));
    const a = await f.service.authenticationOptions(user.id);
    const e2 = await expectAppError(f.service.verifyAuthentication(user.id, auth.assert(a, { flags: FLAGS.UP, counter: 3 })), 400, 'webauthn_invalid');
    expect(e2.message).toMatch(/User verification required/);
  });

  it('refuses a second registration of one credential with 409', async () => {
    const f = await registered();
    const o = await f.service.registrationOptions(f.user);
    await expectAppError(f.service.verifyRegistration(f.user.id, f.auth.register(o)), 409, 'webauthn_credential_exists');
    expect(await credentialCount(f.user.id)).toBe(1);
  });

  it('answers garbage with 400, never 500, and changes nothing', async () => {
    const f = await registered();
    const o = await f.service.authenticationOptions(f.user.id);
    const good = f.auth.assert(o);
    const garbage: unknown[] = [
      null,
      'x',
      42,
      [],
      {},
      { ...good, id: 7 },
      { ...good, type: 'password' },
      { ...good, response: null },
      { ...good, response: { ...good.response, signature: 'not base64url!' } },
      { ...good, response: { ...good.response, clientDataJSON: Buffer.from('not json').toString('base64url') } },
      { ...good, response: { ...good.response, clientDataJSON: Buffer.from('{"type":"webauthn.get"}').toString('base64url') } },
      { ...good, response: { ...good.response, clientDataJSON: Buffer.from('{"type":"webauthn.create","challenge":"' + o.challenge + '"}').toString('base64url') } },
      { ...good, response: { ...good.response, authenticatorData: 'AAAA' } },
      { ...good, response: { ...good.response, signature: 'AAAA' } },
      { ...good, id: 'AAAAAAAAAAAAAAAAAAAAAA', rawId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      { ...good, rawId: 'AAAAAAAAAAAAAAAAAAAAAA' },
      { ...good, response: { ...good.response, clientDataJSON: 'A'.repeat(100_000) } },
    ];
    for (const g of garbage) {
      const err = await f.service.verifyAuthentication(f.user.id, g).then(
        () => undefined,
        (e: { status?: number; code?: string; message?: string }) => e,
      );
      expect({ g, status: err?.status }).toEqual({ g, status: 400 });
    }
    for (const g of [null, {}, { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'x', attestationObject: 'x' } }]) {
      await expectAppError(f.service.verifyRegistration(f.user.id, g), 400, 'webauthn_malformed');
    }
    expect(await signCount(f.factorId)).toBe(0);
    expect(await challengeUsed(o.challenge)).toBe(false);
    await expect(f.service.verifyAuthentication(f.user.id, good)).resolves.toEqual({ factorId: f.factorId }); // still usable
  });
}

describe('WebAuthn factors on PGlite', () => webauthnSuite('pglite'));
describeWith('postgres')('WebAuthn factors on Postgres', () => webauthnSuite('postgres'));
