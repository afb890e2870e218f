import type { EcsEvent } from '../types';
import type { EventStore } from './event-store';
import type { PersonAccessQuery } from './person-accesses';

/**
 * Events about person pk_report1 in 2024 (each adapter's contract run writes them into its own store):
 *   r1 riga's own access to its resident (31.01.2024 22:30 UTC = 01.02.2024 00:30 in Riga: February there)
 *   r2 riga's own access, another application
 *   r3 jelgava reading riga's resident (in jelgava's log)
 *   r4 jelgava's internal access: jelgava's log and user, the subject's municipality not recorded
 *   r5 a state institution (vid) reading riga's resident
 *   r6 a riga user acting in jelgava's log
 *   r7 ZZ Dats, no organisation, application or category recorded
 * and, not to be reported: r8 outside the period, r9 about another person.
 */
export function personAccessEvents(): EcsEvent[] {
  const ev = (
    n: number,
    ts: string,
    o: { tenant: string; org?: string; subject?: string; app?: string; cat?: string; user: string; action?: string; purpose?: string; person?: string; roles?: string[] },
  ): EcsEvent => ({
    '@timestamp': ts,
    event: { id: `r-${String(n).padStart(4, '0')}`, action: o.action ?? 'view', outcome: 'success', module: 'vps_audit', dataset: 'vps.audit', category: ['database'] },
    ...(o.app ? { service: { name: o.app } } : {}),
    ...(o.org ? { organization: { id: o.org } } : {}),
    user: { name: o.user, ...(o.roles ? { roles: o.roles } : {}) },
    vps: {
      tenant: o.tenant,
      subject: { person: o.person ?? 'pk_report1', ...(o.subject ? { organization: o.subject } : {}) },
      ...(o.cat ? { data_category: o.cat } : {}),
      ...(o.purpose ? { purpose: o.purpose } : {}),
    },
  });
  return [
    ev(1, '2024-01-31T22:30:00.000Z', { tenant: 'riga', org: 'riga', subject: 'riga', app: 'PERS', cat: 'residence', user: 'riga.anna' }),
    ev(2, '2024-02-10T09:00:00.000Z', { tenant: 'riga', org: 'riga', subject: 'riga', app: 'SOPA', cat: 'social_assistance', user: 'riga.anna' }),
    ev(3, '2024-03-05T09:00:00.000Z', { tenant: 'jelgava', org: 'jelgava', subject: 'riga', app: 'PERS', cat: 'residence', user: 'jelgava.janis' }),
    ev(4, '2024-03-06T09:00:00.000Z', { tenant: 'jelgava', org: 'jelgava', app: 'NINO', cat: 'tax', user: 'jelgava.janis' }),
    ev(5, '2024-04-01T09:00:00.000Z', {
      tenant: 'vid', org: 'vid', subject: 'riga', app: 'NINO', cat: 'tax', user: 'vid.v1', action: 'tax-viewed', purpose: 'VID-2024/17', roles: ['NINO_SKATITAJS'],
    }),
    ev(6, '2024-03-20T09:00:00.000Z', { tenant: 'jelgava', org: 'riga', app: 'JUPIS', user: 'riga.peteris' }),
    ev(7, '2024-05-15T09:00:00.000Z', { tenant: 'zzdats', user: 'zz.support' }),
    ev(8, '2024-07-01T09:00:00.000Z', { tenant: 'riga', org: 'riga', subject: 'riga', app: 'PERS', cat: 'residence', user: 'riga.anna' }),
    ev(9, '2024-02-11T09:00:00.000Z', { tenant: 'riga', org: 'riga', subject: 'riga', app: 'PERS', cat: 'residence', user: 'riga.anna', person: 'pk_report2' }),
  ];
}

export const PERSON_ACCESS_PERIOD = { from: '2024-01-01T00:00:00.000Z', to: '2024-06-01T00:00:00.000Z' };

/**
 * The person access query of every EventStore adapter (run from runEventStoreContract on PGlite, Postgres and
 * Elasticsearch): the same events give the same answer, to the order of the list and of the counts.
 */
export function runPersonAccessContract(getStore: () => EventStore): void {
  const q = (over: Partial<PersonAccessQuery> = {}): PersonAccessQuery => ({ person: 'pk_report1', controllers: '*', ...PERSON_ACCESS_PERIOD, ...over });
  const ids = (r: { accesses: Array<{ id: string }> }) => r.accesses.map((a) => a.id);

  test('personAccesses lists every access to one person in the period, newest first, with the summary', async () => {
    const store = getStore();
    await store.bulk(personAccessEvents());
    await store.refresh();
    const r = await store.personAccesses(q());
    expect(r.total).toBe(7);
    expect(r.truncated).toBe(false);
    expect(ids(r)).toEqual(['r-0007', 'r-0005', 'r-0006', 'r-0004', 'r-0003', 'r-0002', 'r-0001']);
    expect(r.byOrganization).toEqual([
      { key: 'riga', count: 3 },
      { key: 'jelgava', count: 2 },
      { key: '', count: 1 },
      { key: 'vid', count: 1 },
    ]);
    expect(r.byApplication).toEqual([
      { key: 'NINO', count: 2 },
      { key: 'PERS', count: 2 },
      { key: '', count: 1 },
      { key: 'JUPIS', count: 1 },
      { key: 'SOPA', count: 1 },
    ]);
    expect(r.byDataCategory).toEqual([
      { key: '', count: 2 },
      { key: 'residence', count: 2 },
      { key: 'tax', count: 2 },
      { key: 'social_assistance', count: 1 },
    ]);
    // Months in Riga time: 31.01.2024 22:30 UTC is already February there.
    expect(r.byMonth).toEqual([
      { key: '2024-02', count: 2 },
      { key: '2024-03', count: 3 },
      { key: '2024-04', count: 1 },
      { key: '2024-05', count: 1 },
    ]);
    expect(r.accesses[1]).toEqual({
      id: 'r-0005',
      at: '2024-04-01T09:00:00.000Z',
      tenant: 'vid',
      organization: 'vid',
      subjectOrganization: 'riga',
      application: 'NINO',
      user: 'vid.v1',
      roles: ['NINO_SKATITAJS'],
      action: 'tax-viewed',
      dataCategory: 'tax',
      purpose: 'VID-2024/17',
      outcome: 'success',
    });
    expect(r.accesses[0]).toEqual({ id: 'r-0007', at: '2024-05-15T09:00:00.000Z', tenant: 'zzdats', user: 'zz.support', action: 'view', outcome: 'success' });
  });

  test("personAccesses shows a controller its log, its users and its residents, never another municipality's internal accesses", async () => {
    const store = getStore();
    // riga: its own accesses (r1, r2), jelgava and vid reading its resident (r3, r5), its user in jelgava's log (r6).
    const riga = await store.personAccesses(q({ controllers: ['riga'] }));
    expect(ids(riga)).toEqual(['r-0005', 'r-0006', 'r-0003', 'r-0002', 'r-0001']);
    expect(riga.total).toBe(5);
    expect(riga.byOrganization).toEqual([
      { key: 'riga', count: 3 },
      { key: 'jelgava', count: 1 },
      { key: 'vid', count: 1 },
    ]);
    // jelgava's internal access r4 is not riga's; it is jelgava's, with everything else in jelgava's log.
    expect(ids(await store.personAccesses(q({ controllers: ['jelgava'] })))).toEqual(['r-0006', 'r-0004', 'r-0003']);
    expect(ids(await store.personAccesses(q({ controllers: ['vid'] })))).toEqual(['r-0005']);
    expect(ids(await store.personAccesses(q({ controllers: ['riga', 'vid'] })))).toHaveLength(5);
    const none = await store.personAccesses(q({ controllers: [] }));
    expect(none).toEqual({ total: 0, accesses: [], truncated: false, byOrganization: [], byApplication: [], byDataCategory: [], byMonth: [] });
  });

  test('personAccesses keeps to the period and the person, and caps the list but not the counts', async () => {
    const store = getStore();
    const all = await store.personAccesses(q({ from: '2024-01-01T00:00:00.000Z', to: '2025-01-01T00:00:00.000Z' }));
    expect(all.total).toBe(8);
    expect(ids(all)[0]).toBe('r-0008');
    expect(ids(await store.personAccesses(q({ person: 'pk_report2' })))).toEqual(['r-0009']);
    expect((await store.personAccesses(q({ person: 'pk_nobody' }))).total).toBe(0);
    // to is exclusive, from inclusive.
    expect(ids(await store.personAccesses(q({ from: '2024-04-01T09:00:00.000Z', to: '2024-05-15T09:00:00.000Z' })))).toEqual(['r-0005']);
    const capped = await store.personAccesses(q({ limit: 2 }));
    expect(ids(capped)).toEqual(['r-0007', 'r-0005']);
    expect(capped).toMatchObject({ total: 7, truncated: true });
    expect(capped.byOrganization.reduce((s, c) => s + c.count, 0)).toBe(7);
  });
}
