import type { BaselineDelta } from '../../detection/anomaly/baseline';
import { baselineKey, type BaselineStore } from './baseline-store';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 2, 8);
const delta = (key: string, buckets: Array<[number, number]>, over: Partial<BaselineDelta> = {}): BaselineDelta => ({
  ruleId: 'rule-a', key, buckets, firstSeen: buckets[0]![0], lastSeen: buckets[buckets.length - 1]![0], alertedBucket: -1, ...over,
});

/**
 * One contract for every BaselineStore adapter (sql-baseline-store.int.test.ts runs it on PGlite and Postgres).
 * `make` may be called twice on one database: the second store is "another instance" or "after a restart".
 */
export function runBaselineStoreContract(make: () => Promise<{ store: BaselineStore; again: () => BaselineStore; cleanup: () => Promise<void> }>): void {
  let store: BaselineStore;
  let again: () => BaselineStore;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, again, cleanup } = await make());
  });
  afterAll(async () => cleanup?.());

  test('an unknown entity has no baseline', async () => {
    expect((await store.load('rule-a', ['nobody'])).size).toBe(0);
    expect((await store.load('rule-a', [])).size).toBe(0);
  });

  test('merged changes are stored, survive a restart and fold closed buckets into mean and variance', async () => {
    const merged = await store.merge([delta('riga\u001fanna', [[T0, 4], [T0 + H, 6], [T0 + 2 * H, 8], [T0 + 3 * H, 1]])]);
    const b = merged.get(baselineKey('rule-a', 'riga\u001fanna'))!;
    expect(b).toMatchObject({ n: 3, mean: 6, bucketStart: T0 + 3 * H, bucketCount: 1, firstSeen: T0, lastSeen: T0 + 3 * H, alertedBucket: -1 });
    expect(b.m2).toBeCloseTo(8);
    const reloaded = (await again().load('rule-a', ['riga\u001fanna', 'nobody'])).get('riga\u001fanna');
    expect(reloaded).toEqual(b);
  });

  test("two instances counting one entity's bucket add up; the later bucket and alert marks win", async () => {
    const key = 'riga\u001fjanis';
    const other = again();
    await Promise.all([
      store.merge([delta(key, [[T0, 3]])]),
      other.merge([delta(key, [[T0, 5]], { firstSeen: T0 - 1000 })]),
    ]);
    const b = (await store.load('rule-a', [key])).get(key)!;
    expect(b).toMatchObject({ bucketStart: T0, bucketCount: 8, n: 0, firstSeen: T0 - 1000 });
    await other.merge([delta(key, [[T0 + H, 2]], { alertedBucket: T0 + H })]);
    await store.merge([delta(key, [[T0, 1]])]); // a late event of the closed bucket is not counted
    const after = (await store.load('rule-a', [key])).get(key)!;
    expect(after).toMatchObject({ n: 1, mean: 8, bucketStart: T0 + H, bucketCount: 2, alertedBucket: T0 + H, lastSeen: T0 + H });
  });

  test('many entities in one merge, concurrently from several instances, lose no count', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `valmiera\u001fu${i}`);
    const stores = [store, again(), again()];
    await Promise.all(stores.flatMap((s) => [1, 2].map(() => s.merge(keys.map((k) => delta(k, [[T0, 1]]))))));
    const loaded = await store.load('rule-a', keys);
    expect(loaded.size).toBe(50);
    for (const b of loaded.values()) expect(b.bucketCount).toBe(6);
  });

  test('rules are kept apart and a rule can be forgotten', async () => {
    await store.merge([{ ...delta('x', [[T0, 2]]), ruleId: 'rule-b' }]);
    expect((await store.load('rule-b', ['x'])).get('x')?.bucketCount).toBe(2);
    expect((await store.load('rule-a', ['x'])).size).toBe(0);
    expect(await store.forget('rule-b')).toBe(1);
    expect((await store.load('rule-b', ['x'])).size).toBe(0);
  });
}
