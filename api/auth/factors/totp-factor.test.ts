import { describeWith, openTestSql } from '../../../core/testing/services';
import type { SqlClient } from '../../../core/sql/sql-client';
import { expectAppError, factorFixture } from './testing/factor-fixture';
import { totpCode, TOTP_DEFAULTS, type TotpAlgorithm } from './totp';

function totpSuite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ sql, drop } = await openTestSql(kind)));
  afterAll(() => drop());

  /** A user with a confirmed TOTP factor; the confirming code used step `s` of the fixture clock. */
  async function enrolled(algorithm: TotpAlgorithm = 'SHA1') {
    const f = factorFixture(sql);
    const user = f.newUser();
    const { factorId, secret, uri } = await f.service.startTotp(user, { algorithm });
    const p = { ...TOTP_DEFAULTS, algorithm };
    const s = Math.floor(f.clock.ms / 30_000);
    const codeAt = (step: number) => totpCode(secret, p, step * 30);
    await f.service.confirmTotp(user.id, factorId, await codeAt(s));
    return { ...f, user, factorId, secret, uri, s, codeAt };
  }

  it('enrols: pending until a current code confirms it; the secret is stored sealed', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const { factorId, secret, uri } = await f.service.startTotp(user);
    expect(uri).toContain('issuer=Sargs');
    expect((await f.service.list(user.id)).map((x) => [x.method, x.status])).toEqual([['totp', 'pending']]);
    expect(await f.service.hasAny(user.id)).toBe(false);
    const code = await totpCode(secret, TOTP_DEFAULTS, f.clock.ms / 1000);
    await expectAppError(f.service.verifyTotp(user.id, code), 401, 'factor_failed'); // pending factors do not sign in
    const wrong = code === '000000' ? '111111' : '000000';
    await expectAppError(f.service.confirmTotp(user.id, factorId, wrong), 400, 'totp_code_invalid');
    await f.service.confirmTotp(user.id, factorId, code);
    await expectAppError(f.service.confirmTotp(user.id, factorId, code), 409, 'factor_already_confirmed');
    const [info] = await f.service.list(user.id);
    expect(info).toMatchObject({ id: factorId, method: 'totp', status: 'active', totp: { algorithm: 'SHA1', digits: 6, period: 30 } });
    expect(await f.service.hasAny(user.id)).toBe(true);
    const row = await sql.query<{ secret_sealed: string }>('SELECT secret_sealed FROM totp_factors WHERE factor_id = $1', [factorId]);
    expect(row.rows[0].secret_sealed).toMatch(/^v1\./);
    expect(row.rows[0].secret_sealed).not.toContain(secret);
    expect(f.events.map((e) => [e.action, e.method])).toEqual([
      ['factor-failed', 'totp'],
      ['factor-failed', 'totp'],
      ['factor-enrolled', 'totp'],
    ]);
    expect(f.events[2]).toMatchObject({ userId: user.id, tenant: 'riga', username: user.username, outcome: 'success' });
    expect(JSON.stringify(f.events)).not.toContain(secret);
    expect(JSON.stringify(f.events)).not.toContain(code);
  });

  it('accepts a code one step behind or ahead, refuses two steps (RFC 6238 §5.2)', async () => {
    const f = await enrolled();
    f.clock.ms = (f.s + 2) * 30_000 + 10_000; // now at step s+2
    await expectAppError(f.service.verifyTotp(f.user.id, await f.codeAt(f.s + 4)), 401, 'factor_failed'); // +2
    await expectAppError(f.service.verifyTotp(f.user.id, await f.codeAt(f.s)), 401, 'factor_failed'); // -2
    expect(await f.service.verifyTotp(f.user.id, await f.codeAt(f.s + 1))).toEqual({ factorId: f.factorId }); // -1
    expect(await f.service.verifyTotp(f.user.id, await f.codeAt(f.s + 3))).toEqual({ factorId: f.factorId }); // +1
  });

  it('refuses a replayed code, and an older step after a newer one was used', async () => {
    const f = await enrolled();
    // The code that confirmed the factor cannot sign in.
    await expectAppError(f.service.verifyTotp(f.user.id, await f.codeAt(f.s)), 401, 'replay_refused');
    f.clock.ms += 30_000;
    const code = await f.codeAt(f.s + 1);
    await f.service.verifyTotp(f.user.id, code);
    await expectAppError(f.service.verifyTotp(f.user.id, code), 401, 'replay_refused');
    // Step s is still inside the window (one behind) but older than the used step s+1.
    await expectAppError(f.service.verifyTotp(f.user.id, await f.codeAt(f.s)), 401, 'replay_refused');
    expect(f.events.filter((e) => e.action === 'replay-refused')).toHaveLength(3);
    expect(f.events.at(-1)).toMatchObject({ action: 'replay-refused', outcome: 'failure', method: 'totp', reason: 'time step already used' });
    const step = await sql.query<{ last_used_step: string }>('SELECT last_used_step FROM totp_factors WHERE factor_id = $1', [f.factorId]);
    expect(Number(step.rows[0].last_used_step)).toBe(f.s + 1);
  });

  it('lets exactly one of two concurrent uses of one code pass', async () => {
    const f = await enrolled();
    f.clock.ms += 30_000;
    const code = await f.codeAt(f.s + 1);
    const results = await Promise.allSettled([1, 2, 3].map(() => f.service.verifyTotp(f.user.id, code)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => (r.reason as { code: string }).code)).toEqual(['replay_refused', 'replay_refused']);
  });

  it.each(['SHA256', 'SHA512'] as const)('works with %s factors', async (algorithm) => {
    const f = await enrolled(algorithm);
    expect(f.uri).toContain(`algorithm=${algorithm}`);
    f.clock.ms += 30_000;
    await expect(f.service.verifyTotp(f.user.id, await f.codeAt(f.s + 1))).resolves.toEqual({ factorId: f.factorId });
  });

  it('refuses garbage codes and users without TOTP as factor_failed', async () => {
    const f = await enrolled();
    for (const bad of ['', 'abcdef', '1234567', '12 34', 'x'.repeat(10000)])
      await expectAppError(f.service.verifyTotp(f.user.id, bad), 401, 'factor_failed');
    await expectAppError(f.service.verifyTotp(f.newUser().id, '123456'), 401, 'factor_failed');
    expect(f.events.at(-1)).toMatchObject({ action: 'factor-failed', reason: 'no active TOTP factor' });
    await expectAppError(f.service.startTotp(f.user, { algorithm: 'MD5' as TotpAlgorithm }), 400, 'invalid_algorithm');
  });

  it('removes a factor of its owner only', async () => {
    const f = await enrolled();
    const other = f.newUser();
    await expectAppError(f.service.remove(other.id, f.factorId), 404, 'factor_not_found');
    await f.service.remove(f.user.id, f.factorId);
    expect(await f.service.list(f.user.id)).toEqual([]);
    expect(f.events.at(-1)).toMatchObject({ action: 'factor-removed', method: 'totp', userId: f.user.id });
    const left = await sql.query('SELECT 1 FROM totp_factors WHERE factor_id = $1', [f.factorId]);
    expect(left.rows).toHaveLength(0);
  });
}

describe('TOTP factors on PGlite', () => totpSuite('pglite'));
describeWith('postgres')('TOTP factors on Postgres', () => totpSuite('postgres'));
