import { describeWith, openTestSql } from '../testing/services';
import type { SqlClient } from '../sql/sql-client';
import { createSqlWatchlistStore } from './watchlist-store';

const P1 = 'pk_fa13bce2cf53abefd32697c4f3729316';
const P2 = 'pk_01aa461baad8b8bc23a0865f84fde499';

function suite(kind: 'pglite' | 'postgres'): void {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => ({ sql, drop } = await openTestSql(kind)));
  afterAll(async () => drop?.());

  test('adds pseudonyms once per list and user, lists and removes within the tenant scope', async () => {
    const store = createSqlWatchlistStore(sql);
    const a = await store.add({ list: 'vip', person: P1, tenant: '*', note: 'council', createdBy: 'soc' });
    expect(a.created).toBe(true);
    expect((await store.add({ list: 'vip', person: P1, tenant: '*', note: 'again', createdBy: 'soc' })).entry.id).toBe(a.entry.id);
    const fam = await store.add({ list: 'family', person: P2, user: 'LBerzina', tenant: 'riga', note: '', createdBy: 'riga-so' });
    expect(fam.entry).toMatchObject({ list: 'family', user: 'lberzina', tenant: 'riga' });
    expect((await store.list('*')).map((e) => e.list)).toEqual(['vip', 'family']);
    expect((await store.list(['riga'])).map((e) => e.id)).toEqual([fam.entry.id]);
    expect(await store.remove(a.entry.id, ['riga'])).toBeUndefined(); // not in the caller's scope
    expect((await store.remove(a.entry.id, '*'))?.id).toBe(a.entry.id);
    expect((await store.list('*')).map((e) => e.id)).toEqual([fam.entry.id]);
  });

  test('refuses anything but a pseudonym, in the store and in the database itself', async () => {
    const store = createSqlWatchlistStore(sql);
    await expect(store.add({ list: 'vip', person: '161175-19997', tenant: '*', note: '', createdBy: 'soc' })).rejects.toMatchObject({ status: 400, details: { field: 'person' } });
    await expect(store.add({ list: 'VIP list', person: P1, tenant: '*', note: '', createdBy: 'soc' })).rejects.toMatchObject({ status: 400, details: { field: 'list' } });
    await expect(sql.query(`INSERT INTO watchlist_entries (id, list, person, tenant, created_by) VALUES ('x', 'vip', '16117519997', '*', 'db')`)).rejects.toThrow(/check/i);
  });
}

describe('watch-list store on PGlite', () => suite('pglite'));
describeWith('postgres')('watch-list store on Postgres', () => suite('postgres'));
