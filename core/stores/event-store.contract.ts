import type { EcsEvent } from '../types';
import type { EventStore } from './event-store';
import { runPersonAccessContract } from './person-accesses.contract';

/** Builds a stored-shape event for tests. */
export function testEvent(n: number, over: Partial<{ tenant: string; app: string; user: string; person: string; action: string; outcome: 'success' | 'failure'; ts: string }> = {}): EcsEvent {
  const ts = over.ts ?? new Date(Date.UTC(2026, 10, 2, 8, 0, 0) + n * 60_000).toISOString();
  return {
    '@timestamp': ts,
    message: `event ${n}`,
    event: {
      id: `id-${String(n).padStart(6, '0')}`,
      action: over.action ?? 'person-viewed',
      outcome: over.outcome ?? 'success',
      module: 'vps_audit',
      dataset: 'vps.audit',
      category: ['database'],
    },
    service: { name: over.app ?? 'PERS' },
    organization: { id: over.tenant ?? 'riga' },
    user: { name: over.user ?? 'anna.berzina' },
    source: { ip: '10.1.2.3' },
    vps: { tenant: over.tenant ?? 'riga', subject: { person: over.person ?? 'pk_aaaa' }, data_category: 'residence' },
  };
}

/**
 * One contract for every EventStore adapter: run by sql-event-store.int.test.ts (PGlite and Postgres) and
 * elasticsearch-event-store.int.test.ts (a real Elasticsearch). The adapters must give the same answers.
 */
export function runEventStoreContract(make: () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>): void {
  let store: EventStore;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ store, cleanup } = await make());
    await store.init();
  });
  afterAll(async () => cleanup?.());

  test('an empty store answers queries with nothing', async () => {
    expect(await store.count({ scope: '*' })).toBe(0);
    expect((await store.search({ scope: '*' })).events).toEqual([]);
  });

  test('bulk stores events once: re-delivery and in-batch repeats are duplicates', async () => {
    const batch = [testEvent(1), testEvent(2), testEvent(2)];
    expect((await store.bulk(batch)).map((r) => r.status)).toEqual(['created', 'created', 'duplicate']);
    expect((await store.bulk([testEvent(1), testEvent(3)])).map((r) => r.status)).toEqual(['duplicate', 'created']);
    await store.refresh();
    expect(await store.count({ scope: '*' })).toBe(3);
  });

  test('filters by tenant, app, user, person, action, outcome and time', async () => {
    await store.bulk([
      testEvent(10, { tenant: 'jelgava', app: 'NINO', user: 'janis', person: 'pk_bbbb', action: 'tax-viewed' }),
      testEvent(11, { tenant: 'jelgava', app: 'SOPA', user: 'janis', outcome: 'failure' }),
      testEvent(12, { tenant: 'valmiera', app: 'NINO', user: 'liga', person: 'pk_bbbb' }),
    ]);
    await store.refresh();
    const ids = async (q: Parameters<EventStore['search']>[0]) => (await store.search(q)).events.map((e) => e.event.id).sort();
    expect(await ids({ scope: '*', tenant: 'jelgava' })).toEqual(['id-000010', 'id-000011']);
    expect(await ids({ scope: '*', app: 'NINO' })).toEqual(['id-000010', 'id-000012']);
    expect(await ids({ scope: '*', user: 'liga' })).toEqual(['id-000012']);
    expect(await ids({ scope: '*', person: 'pk_bbbb' })).toEqual(['id-000010', 'id-000012']);
    expect(await ids({ scope: '*', action: 'tax-viewed' })).toEqual(['id-000010']);
    expect(await ids({ scope: '*', outcome: 'failure' })).toEqual(['id-000011']);
    const t10 = testEvent(10)['@timestamp'];
    const t12 = testEvent(12)['@timestamp'];
    expect(await ids({ scope: '*', from: t10, to: t12, tenant: 'jelgava' })).toEqual(['id-000010', 'id-000011']);
    expect(await store.count({ scope: '*', person: 'pk_bbbb' })).toBe(2);
  });

  test('the caller scope is a hard limit: a tenant filter outside it finds nothing', async () => {
    expect((await store.search({ scope: ['valmiera'] })).events.map((e) => e.vps.tenant)).toEqual(['valmiera']);
    expect(await store.count({ scope: ['valmiera'], tenant: 'jelgava' })).toBe(0);
    expect(await store.count({ scope: [] })).toBe(0);
  });

  test('deep paging walks every event once, newest first', async () => {
    const many = Array.from({ length: 250 }, (_, i) => testEvent(1000 + i, { tenant: 'liepaja' }));
    await store.bulk(many);
    await store.refresh();
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await store.search({ scope: ['liepaja'], size: 100, after });
      expect(page.total).toBe(250);
      seen.push(...page.events.map((e) => e.event.id));
      after = page.next;
      pages++;
    } while (after && pages < 10);
    expect(pages).toBe(3);
    expect(seen.length).toBe(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe('id-001249');
    expect(seen[249]).toBe('id-001000');
  });

  test('overview counts events per application per hour and lists sources with their last event', async () => {
    const o = await store.overview({ scope: ['jelgava', 'valmiera'], from: '2026-11-01T00:00:00Z', to: '2026-11-03T00:00:00Z' });
    const total = o.hourly.reduce((s, h) => s + h.count, 0);
    expect(total).toBe(3);
    expect(o.hourly.find((h) => h.app === 'NINO')).toMatchObject({ hour: '2026-11-02T08:00:00.000Z', count: 2 });
    const nino = o.sources.find((s) => s.tenant === 'jelgava' && s.app === 'NINO');
    expect(nino).toMatchObject({ dataset: 'vps.audit', events: 1, lastEventAt: testEvent(10)['@timestamp'] });
  });

  // The municipality view (issue 5): accesses to jurmala's residents by other organisations, October 2025.
  const crossEvent = (n: number, o: { org?: string; tenant: string; subject: string; app: string; cat?: string; person: string; user: string; day?: number }): EcsEvent => {
    const e = testEvent(5000 + n, { tenant: o.tenant, app: o.app, user: o.user, person: o.person, ts: new Date(Date.UTC(2025, 9, o.day ?? 10, 9, n)).toISOString() });
    if (o.org) e.organization = { id: o.org };
    else delete e.organization;
    e.vps = { tenant: o.tenant, subject: { person: o.person, organization: o.subject }, ...(o.cat ? { data_category: o.cat } : {}) };
    return e;
  };
  const october = { from: '2025-09-30T21:00:00.000Z', to: '2025-10-31T22:00:00.000Z' };

  test('crossAccess groups other organisations\' accesses to one municipality\'s residents, with distinct persons and users', async () => {
    await store.bulk([
      crossEvent(1, { org: 'riga', tenant: 'riga', subject: 'jurmala', app: 'PERS', cat: 'residence', person: 'pk_x1', user: 'riga.u1' }),
      crossEvent(2, { org: 'riga', tenant: 'riga', subject: 'jurmala', app: 'PERS', cat: 'residence', person: 'pk_x2', user: 'riga.u2' }),
      crossEvent(3, { org: 'riga', tenant: 'riga', subject: 'jurmala', app: 'PERS', cat: 'residence', person: 'pk_x1', user: 'riga.u1' }),
      crossEvent(4, { org: 'riga', tenant: 'riga', subject: 'jurmala', app: 'SOPA', cat: 'social_assistance', person: 'pk_x3', user: 'riga.u1' }),
      crossEvent(5, { org: 'vid', tenant: 'vid', subject: 'jurmala', app: 'NINO', cat: 'tax', person: 'pk_x1', user: 'vid.v1' }),
      crossEvent(6, { org: 'vid', tenant: 'vid', subject: 'jurmala', app: 'NINO', cat: 'tax', person: 'pk_x4', user: 'vid.v1' }),
      // Without the acting organisation or the data category: kept, under ''.
      crossEvent(7, { tenant: 'jurmala', subject: 'jurmala', app: 'JUPIS', person: 'pk_x5', user: 'x.u' }),
      // Not counted: the municipality's own staff, another municipality's residents, outside the period.
      crossEvent(8, { org: 'jurmala', tenant: 'jurmala', subject: 'jurmala', app: 'PERS', cat: 'residence', person: 'pk_x1', user: 'jurmala.u' }),
      crossEvent(9, { org: 'riga', tenant: 'riga', subject: 'riga', app: 'PERS', cat: 'residence', person: 'pk_x6', user: 'riga.u1' }),
      crossEvent(10, { org: 'riga', tenant: 'riga', subject: 'jurmala', app: 'PERS', cat: 'residence', person: 'pk_x1', user: 'riga.u1', day: 0 }),
    ]);
    await store.refresh();
    const rows = await store.crossAccess({ residentsOf: 'jurmala', scope: '*', ...october });
    expect(rows).toEqual([
      { organization: 'riga', application: 'PERS', dataCategory: 'residence', accesses: 3, distinctPersons: 2, distinctUsers: 2 },
      { organization: 'vid', application: 'NINO', dataCategory: 'tax', accesses: 2, distinctPersons: 2, distinctUsers: 1 },
      { organization: '', application: 'JUPIS', dataCategory: '', accesses: 1, distinctPersons: 1, distinctUsers: 1 },
      { organization: 'riga', application: 'SOPA', dataCategory: 'social_assistance', accesses: 1, distinctPersons: 1, distinctUsers: 1 },
    ]);
    // Distinct counts of a coarser grouping are counted again, not summed: pk_x1 read in PERS and SOPA is one person.
    expect(await store.crossAccess({ residentsOf: 'jurmala', scope: '*', ...october, by: ['organization'] })).toEqual([
      { organization: 'riga', accesses: 4, distinctPersons: 3, distinctUsers: 2 },
      { organization: 'vid', accesses: 2, distinctPersons: 2, distinctUsers: 1 },
      { organization: '', accesses: 1, distinctPersons: 1, distinctUsers: 1 },
    ]);
    expect(await store.crossAccess({ residentsOf: 'jurmala', scope: '*', ...october, by: ['organization', 'application'] })).toEqual([
      { organization: 'riga', application: 'PERS', accesses: 3, distinctPersons: 2, distinctUsers: 2 },
      { organization: 'vid', application: 'NINO', accesses: 2, distinctPersons: 2, distinctUsers: 1 },
      { organization: '', application: 'JUPIS', accesses: 1, distinctPersons: 1, distinctUsers: 1 },
      { organization: 'riga', application: 'SOPA', accesses: 1, distinctPersons: 1, distinctUsers: 1 },
    ]);
  });

  test('crossAccess reads only the logs in scope, and nothing for a municipality without accesses', async () => {
    expect(await store.crossAccess({ residentsOf: 'jurmala', scope: ['vid'], ...october, by: ['organization'] })).toEqual([
      { organization: 'vid', accesses: 2, distinctPersons: 2, distinctUsers: 1 },
    ]);
    expect(await store.crossAccess({ residentsOf: 'jurmala', scope: [], ...october })).toEqual([]);
    expect(await store.crossAccess({ residentsOf: 'cesu-novads', scope: '*', ...october })).toEqual([]);
  });

  test('events filter by acting organisation, subject municipality and data category (drill-down)', async () => {
    const ids = async (q: Parameters<EventStore['search']>[0]) => (await store.search(q)).events.map((e) => e.event.id).sort();
    expect(await ids({ scope: '*', ...october, subjectOrganization: 'jurmala', organization: 'riga', dataCategory: 'residence' })).toEqual([
      'id-005001',
      'id-005002',
      'id-005003',
    ]);
    expect(await ids({ scope: '*', ...october, subjectOrganization: 'jurmala', organization: 'vid', app: 'NINO' })).toEqual(['id-005005', 'id-005006']);
    expect(await store.count({ scope: '*', subjectOrganization: 'riga', ...october })).toBe(1);
  });

  // The person access report (issue 5), after every other test: core/stores/person-accesses.contract.ts.
  runPersonAccessContract(() => store);
}
