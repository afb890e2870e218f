import { describeWith, openTestSql } from '../../../core/testing/services';
import type { SqlClient } from '../../../core/sql/sql-client';
import { createSecretBox } from '../../../core/secret-box';
import type { AuthEvent } from './factor.types';
import { createFactorService } from './factor.service';
import { hashRecoveryCode, normaliseRecoveryCode, RECOVERY_ALPHABET } from './recovery-code';
import { expectAppError, factorFixture } from './testing/factor-fixture';

describe('recovery code format', () => {
  it('normalises case, spaces and dashes; refuses look-alikes and wrong lengths', () => {
    expect(normaliseRecoveryCode('AB2CD-EF3GH')).toBe('ab2cdef3gh');
    expect(normaliseRecoveryCode(' ab2cd ef3gh ')).toBe('ab2cdef3gh');
    for (const bad of ['ab2cd-ef3g', 'ab2cd-ef3gh2', 'ab0cd-ef3gh', 'abicd-ef3gh', 'ab1cd-ef3gh', 'abocd-ef3gh', 'ablcd-ef3gh', ''])
      expect(normaliseRecoveryCode(bad)).toBeNull();
    expect(RECOVERY_ALPHABET).not.toMatch(/[01ilo]/);
    expect(hashRecoveryCode('ab2cdef3gh')).toMatch(/^[0-9a-f]{64}$/);
  });
});

function recoverySuite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ sql, drop } = await openTestSql(kind)));
  afterAll(() => drop());

  it('creates 10 distinct grouped codes, stored only as SHA-256 hashes', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const codes = await f.service.createRecoveryCodes(user.id);
    const re = new RegExp(`^[${RECOVERY_ALPHABET}]{5}-[${RECOVERY_ALPHABET}]{5}$`);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(re);
    const stored = await sql.query<{ code_hash: string }>(
      `SELECT c.code_hash FROM recovery_codes c JOIN user_factors f ON f.id = c.factor_id WHERE f.user_id = $1`,
      [user.id],
    );
    expect(stored.rows.map((r) => r.code_hash).sort()).toEqual(codes.map((c) => hashRecoveryCode(normaliseRecoveryCode(c)!)).sort());
    expect((await f.service.list(user.id))[0]).toMatchObject({ method: 'recovery', recovery: { remaining: 10 } });
    // A fallback, not a second factor on its own.
    expect(await f.service.hasAny(user.id)).toBe(false);
    expect(f.events).toEqual([expect.objectContaining({ action: 'factor-enrolled', method: 'recovery', userId: user.id, tenant: 'riga' })]);
    expect(JSON.stringify(f.events)).not.toMatch(new RegExp(codes.join('|')));
  });

  it('accepts each code once, as typed in any case and grouping', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const codes = await f.service.createRecoveryCodes(user.id);
    const used = await f.service.useRecoveryCode(user.id, codes[3].toUpperCase().replace('-', ' '));
    expect(used.remaining).toBe(9);
    await expectAppError(f.service.useRecoveryCode(user.id, codes[3]), 401, 'factor_failed');
    expect((await f.service.list(user.id))[0].recovery).toEqual({ remaining: 9 });
    expect(f.events.map((e) => [e.action, e.reason])).toEqual([
      ['factor-enrolled', 'new set'],
      ['factor-used', '9 codes left'],
      ['factor-failed', 'unknown or used code'],
    ]);
  });

  it('refuses wrong codes, and codes of another user', async () => {
    const f = factorFixture(sql);
    const [a, b] = [f.newUser(), f.newUser()];
    const codes = await f.service.createRecoveryCodes(a.id);
    await f.service.createRecoveryCodes(b.id);
    await expectAppError(f.service.useRecoveryCode(a.id, 'aaaaa-aaaaa'), 401, 'factor_failed');
    await expectAppError(f.service.useRecoveryCode(a.id, 'not a code'), 401, 'factor_failed');
    await expectAppError(f.service.useRecoveryCode(b.id, codes[0]), 401, 'factor_failed');
    await expect(f.service.useRecoveryCode(a.id, codes[0])).resolves.toMatchObject({ remaining: 9 });
  });

  it('a new set invalidates the old one', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const old = await f.service.createRecoveryCodes(user.id);
    const fresh = await f.service.createRecoveryCodes(user.id);
    await expectAppError(f.service.useRecoveryCode(user.id, old[0]), 401, 'factor_failed');
    await expect(f.service.useRecoveryCode(user.id, fresh[0])).resolves.toMatchObject({ remaining: 9 });
    expect((await f.service.list(user.id)).filter((x) => x.method === 'recovery')).toHaveLength(1);
    expect(f.events[1]).toMatchObject({ action: 'factor-enrolled', reason: 'new set; previous codes invalidated' });
  });

  it('lets exactly one of concurrent uses of one code pass', async () => {
    const f = factorFixture(sql);
    const user = f.newUser();
    const [code] = await f.service.createRecoveryCodes(user.id);
    const results = await Promise.allSettled([1, 2, 3].map(() => f.service.useRecoveryCode(user.id, code)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('without findUser, names users from the users table (0030) and still emits for unknown ones', async () => {
    const events: AuthEvent[] = [];
    const service = createFactorService({
      sql,
      secretBox: createSecretBox(Buffer.alloc(32, 1)),
      rp: { id: 'sargs.test', name: 'Sargs', origin: 'https://sargs.test' },
      onEvent: (e) => void events.push(e),
    });
    await service.createRecoveryCodes('no-such-user');
    expect(events).toEqual([expect.objectContaining({ userId: 'no-such-user', username: 'no-such-user', tenant: 'unknown' })]);
  });
}

describe('recovery codes on PGlite', () => recoverySuite('pglite'));
describeWith('postgres')('recovery codes on Postgres', () => recoverySuite('postgres'));
