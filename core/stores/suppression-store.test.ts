import { openTestSql } from '../testing/services';
import { createSuppressionStore, entityMatcher } from './suppression-store';

describe('suppression store (PGlite)', () => {
  let drop: () => Promise<void>;
  let store: ReturnType<typeof createSuppressionStore>;
  const future = new Date(Date.now() + 86_400_000).toISOString();
  beforeAll(async () => {
    const t = await openTestSql('pglite');
    drop = t.drop;
    store = createSuppressionStore(t.sql, { cacheMs: 0 });
  });
  afterAll(async () => drop?.());

  test('entity patterns are anchored, case-insensitive wildcards', () => {
    expect(entityMatcher('svc_*').test('SVC_backup')).toBe(true);
    expect(entityMatcher('svc_*').test('x_svc_backup')).toBe(false);
    expect(entityMatcher('10.0.0.?').test('10.0.0.7')).toBe(true);
    expect(entityMatcher('a.b').test('axb')).toBe(false);
  });

  test('requires a reason and a future expiry', async () => {
    const base = { tenant: 'riga', ruleId: '*', entityPattern: '*', createdBy: 'soc' };
    await expect(store.add({ ...base, reason: ' ', expiresAt: future })).rejects.toMatchObject({ code: 'reason_required' });
    await expect(store.add({ ...base, reason: 'x', expiresAt: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({ code: 'invalid_expiry' });
  });

  test('matches by tenant, rule and entity; expired and removed rules no longer match', async () => {
    const s = await store.add({ tenant: 'riga', ruleId: 'r1', entityPattern: 'scanner-*', reason: 'vulnerability scanner', createdBy: 'soc', expiresAt: future });
    expect((await store.match({ tenant: 'riga', ruleId: 'r1', entity: 'scanner-01' }))?.id).toBe(s.id);
    expect(await store.match({ tenant: 'jelgava', ruleId: 'r1', entity: 'scanner-01' })).toBeUndefined();
    expect(await store.match({ tenant: 'riga', ruleId: 'r2', entity: 'scanner-01' })).toBeUndefined();
    expect(await store.match({ tenant: 'riga', ruleId: 'r1', entity: 'anna' })).toBeUndefined();
    expect(await store.match({ tenant: 'riga', ruleId: 'r1', entity: 'scanner-01' }, new Date(Date.now() + 2 * 86_400_000))).toBeUndefined();
    expect((await store.list(['riga'])).map((x) => x.id)).toEqual([s.id]);
    expect(await store.list(['jelgava'])).toEqual([]);
    expect(await store.remove(s.id, ['jelgava'])).toBe(false);
    expect(await store.remove(s.id, ['riga'])).toBe(true);
    expect(await store.match({ tenant: 'riga', ruleId: 'r1', entity: 'scanner-01' })).toBeUndefined();
  });
});
