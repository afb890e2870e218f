import { randomUUID } from 'node:crypto';
import { adfsLine, windowsLogonLine } from '../../cli/demo/demo-formats';
import { parseWindows } from '../../collector/parsers/windows';
import type { ParsedEvent } from '../../collector/parsers/parser-types';
import type { SqlClient } from '../../core/sql/sql-client';
import { describeWith, openTestSql } from '../../core/testing/services';
import type { EcsEvent } from '../../core/types';
import { createUserStore } from '../auth/accounts/user.store';
import { startMfaApp } from './testing/mfa-test-app';

/** A Winlogbeat record parsed by the real Windows parser, stored as intake would (event.id, vps.tenant). */
function stored(tenant: string, raw: string): EcsEvent {
  const p = parseWindows({ raw }, JSON.parse(raw)) as ParsedEvent;
  return { ...p, '@timestamp': p['@timestamp']!, event: { ...p.event, id: randomUUID() }, vps: { ...p.vps, tenant } } as EcsEvent;
}
const adfs = (tenant: string, user: string, app: string, iso: string, mfaMethod: string | null) =>
  stored(tenant, adfsLine({ at: new Date(iso), success: true, user, domain: 'VPS', ip: '198.51.100.7', relyingParty: `urn:vps:${app.toLowerCase()}`, mfaMethod, recordId: 1, activityId: randomUUID() }));
const appEvent = (tenant: string, user: string, app: string, iso: string, role?: string): EcsEvent => ({
  '@timestamp': iso,
  event: { id: randomUUID(), action: 'view_person', outcome: 'success', dataset: 'vps.audit' },
  service: { name: app },
  user: { name: user, ...(role ? { roles: [role] } : {}) },
  vps: { tenant },
});

function coverageSuite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startMfaApp>>;

  /** A user of `kind` with active (or pending) factors written as FACTORS stores them. */
  async function person(tenant: string, username: string, factors: Array<'totp' | 'webauthn' | 'pending-totp' | 'recovery'>, o: { kind?: 'staff' | 'vps-employee'; status?: 'active' | 'disabled' } = {}) {
    const users = createUserStore(sql);
    const u = await users.insert({ tenant, username, displayName: username, kind: o.kind ?? 'vps-employee', createdBy: 'test' });
    await users.setStatus(u.id, o.status ?? 'active');
    for (const f of factors)
      await sql.query('INSERT INTO user_factors (id, user_id, method, status) VALUES ($1, $2, $3, $4)', [randomUUID(), u.id, f === 'pending-totp' ? 'totp' : f, f === 'pending-totp' ? 'pending' : 'active']);
  }

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql(kind));
    app = await startMfaApp(sql);
    app.clock.ms = Date.parse('2026-07-10T12:00:00Z');
    await person('riga', 'anna.k', ['totp']);
    await person('riga', 'janis.b', ['webauthn', 'recovery']);
    await person('riga', 'liga.o', ['pending-totp', 'recovery']); // pending TOTP and recovery codes alone do not count
    await person('riga', 'maris.z', ['totp'], { kind: 'staff' }); // a Sargs user, not the VPS employee
    await person('riga', 'ilze.k', ['totp'], { status: 'disabled' });
    await person('adazu-novads', 'eva.b', ['totp', 'webauthn']);
    await app.events.bulk([
      adfs('riga', 'pw.user', 'LIETVARIS', '2026-07-02T08:00:00Z', null), // password only, after the deadline
      adfs('riga', 'pw.user', 'LIETVARIS', '2026-07-01T21:30:00Z', null), // 00:30 on 2 July in Riga: after
      adfs('riga', 'pw.user', 'LIETVARIS', '2026-07-01T20:30:00Z', null), // 23:30 on 1 July in Riga: before
      adfs('riga', 'anna.k', 'LIETVARIS', '2026-07-03T08:00:00Z', 'Smart-ID'), // with MFA
      adfs('adazu-novads', 'x.y', 'NINO', '2026-07-03T08:00:00Z', null), // other tenant
      stored('riga', windowsLogonLine({ at: new Date('2026-07-03T07:00:00Z'), success: true, user: 'anna.k', domain: 'VPS', ip: '10.0.0.1', workstation: 'WS1', dc: 'dc01', recordId: 9, logonType: '10', authPackage: 'NTLM' })),
      appEvent('riga', 'Anna.K', 'SOPA', '2026-07-05T09:00:00Z', 'SOPA_LIETVEDIS'),
      appEvent('riga', 'new.person', 'KADRI', '2026-07-05T10:00:00Z'),
      appEvent('riga', 'new.person', 'KADRI', '2026-07-06T10:00:00Z'),
      appEvent('riga', 'sargs.admin', 'SARGS', '2026-07-05T10:00:00Z'),
    ]);
    await app.events.refresh();
  });
  afterAll(async () => {
    await app.close();
    await drop();
  });

  it('imports accounts as JSON and as ;-separated CSV, audited, refusing bad rows and foreign tenants', async () => {
    const json = await app.call('POST', '/api/v1/mfa/accounts/import', {
      user: 'riga',
      body: [{ username: 'anna.k', application: 'SOPA' }, { username: 'janis.b', application: 'sopa' }, { tenant: 'riga', username: 'liga.o', application: 'SOPA', role: 'SOPA_LIETVEDIS' }],
    });
    expect(json.body).toEqual({ rows: 3, written: 3 });
    const csv = '\uFEFFtenant;username;application;role\r\nriga;maris.z;SOPA;\r\nriga;ilze.k;SOPA;\r\nriga;peteris.l;SOPA;"SOPA;VADĪTĀJS"\r\n';
    expect((await app.call('POST', '/api/v1/mfa/accounts/import', { user: 'riga', body: csv, contentType: 'text/csv' })).body).toEqual({ rows: 3, written: 3 });
    expect((await app.call('POST', '/api/v1/mfa/accounts/import', { user: 'adazu-novads', body: [{ username: 'eva.b', application: 'NINO' }] })).body.rows).toBe(1);

    const bad = await app.call('POST', '/api/v1/mfa/accounts/import', { user: 'riga', body: [{ username: 'a', application: 'SOPA' }, { username: 'b', application: 'FACEBOOK' }] });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'application', row: 2 });
    const foreign = await app.call('POST', '/api/v1/mfa/accounts/import', { user: 'riga', body: [{ tenant: 'adazu-novads', username: 'a', application: 'SOPA' }] });
    expect(foreign.status).toBe(403);
    const audited = await sql.query<{ actor: string; details: { rows: number } }>("SELECT actor, details FROM audit_log WHERE action = 'mfa.accounts.imported' ORDER BY id");
    expect(audited.rows.map((r) => [r.actor, r.details.rows])).toEqual([['officer@riga', 3], ['officer@riga', 3], ['officer@adazu-novads', 1]]);
  });

  it('learns (tenant, user, application) from events page by page, keeping imported rows authoritative', async () => {
    const { createVpsAccountStore } = await import('./vps-accounts.store');
    const store = createVpsAccountStore(sql);
    const r = await store.learnAccountsFromEvents(app.events, '2026-06-01T00:00:00Z', { pageSize: 3 }); // 4 pages
    expect(r.scanned).toBe(10);
    const rows = await store.list(['riga']);
    const anna = rows.find((x) => x.username === 'anna.k' && x.application === 'SOPA')!;
    expect(anna).toMatchObject({ source: 'import', role: 'SOPA_LIETVEDIS', lastSeenAt: '2026-07-05T09:00:00.000Z' });
    expect(rows.find((x) => x.username === 'new.person')).toMatchObject({ application: 'KADRI', source: 'events', lastSeenAt: '2026-07-06T10:00:00.000Z' });
    expect(rows.filter((x) => x.application === 'LIETVARIS').map((x) => x.username).sort()).toEqual(['anna.k', 'pw.user']); // AD FS relying party
    expect(rows.some((x) => x.application === 'SARGS')).toBe(false);
  });

  it('computes coverage per tenant and application, users without a factor, and password-only logins after the deadline', async () => {
    const r = await app.call('GET', '/api/v1/mfa/coverage?tenant=riga', { user: 'riga' });
    expect(r.status).toBe(200);
    const sopa = r.body.rows.find((x: { application: string }) => x.application === 'SOPA');
    // anna.k (TOTP) and janis.b (WebAuthn) covered; liga.o (pending TOTP + recovery), maris.z (staff), ilze.k (disabled), peteris.l (no user) not.
    expect(sopa).toMatchObject({ tenant: 'riga', tenantName: 'Rīgas valstspilsēta', accounts: 6, withFactor: 2, byMethod: { totp: 1, webauthn: 1 }, withoutFactor: 4, required: true, deadline: '2026-07-02' });
    expect(sopa.share).toBeCloseTo(2 / 6);
    const without = r.body.withoutFactor.filter((x: { application: string }) => x.application === 'SOPA');
    expect(without.map((x: { username: string; enrolled: boolean }) => [x.username, x.enrolled])).toEqual([
      ['ilze.k', false], ['liga.o', true], ['maris.z', false], ['peteris.l', false],
    ]);
    const lietvaris = r.body.rows.find((x: { application: string }) => x.application === 'LIETVARIS');
    expect(lietvaris).toMatchObject({ accounts: 2, withFactor: 1, passwordOnlyLogins: 2 });
    expect(r.body.passwordOnlyLogins.map((x: { at: string }) => x.at)).toEqual(['2026-07-02T08:00:00.000Z', '2026-07-01T21:30:00.000Z']);
    expect(r.body.passwordOnlyLogins[0]).toMatchObject({ tenant: 'riga', application: 'LIETVARIS', username: 'pw.user', sourceIp: '198.51.100.7', deadline: '2026-07-02' });
    expect(r.body.rows.every((x: { tenant: string }) => x.tenant === 'riga')).toBe(true);
    expect(r.body.truncated).toBe(false);
  });

  it('scopes coverage to the caller: own tenant only, a foreign tenant is refused, zzdats sees all', async () => {
    const own = await app.call('GET', '/api/v1/mfa/coverage', { user: 'adazu-novads' });
    expect(own.body.rows.map((x: { tenant: string; application: string }) => `${x.tenant}/${x.application}`)).toEqual(['adazu-novads/NINO']);
    // eva.b (imported, TOTP and WebAuthn) and x.y (learned from its AD FS logon, no user): half covered.
    expect(own.body.rows[0]).toMatchObject({ accounts: 2, withFactor: 1, share: 0.5, byMethod: { totp: 1, webauthn: 1 }, passwordOnlyLogins: 1 });
    expect((await app.call('GET', '/api/v1/mfa/coverage?tenant=riga', { user: 'adazu-novads' })).status).toBe(403);
    const all = await app.call('GET', '/api/v1/mfa/coverage?app=NINO', { user: 'zzdats' });
    expect(all.body.totals).toMatchObject({ accounts: 2, withFactor: 1, share: 0.5, passwordOnlyLogins: 1 });
    expect((await app.call('GET', '/api/v1/mfa/coverage?app=FACEBOOK', { user: 'zzdats' })).body.field).toBe('app');
  });

  it('exports CSV for Latvian Excel: BOM, ; separator, decimal comma, DD.MM.YYYY, attachment', async () => {
    const r = await app.call('GET', '/api/v1/mfa/coverage.csv?tenant=riga', { user: 'riga' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="mfa-coverage-summary-riga-2026-07-10.csv"');
    const lines = r.text.split('\r\n');
    expect(lines[0]).toBe('\uFEFFtenant;tenant_name;application;mfa_required;deadline;accounts;with_factor;share_percent;totp;webauthn;without_factor;password_only_logins_after_deadline');
    expect(lines).toContain('riga;Rīgas valstspilsēta;SOPA;jā;02.07.2026;6;2;33,3;1;1;4;0');
    const pw = await app.call('GET', '/api/v1/mfa/coverage.csv?tenant=riga&part=password-only', { user: 'riga' });
    expect(pw.text.split('\r\n')[1]).toMatch(/^02\.07\.2026 11:00:00;riga;LIETVARIS;pw\.user;198\.51\.100\.7;[0-9a-f-]+;02\.07\.2026$/);
    expect((await app.call('GET', '/api/v1/mfa/coverage.csv?part=all', { user: 'riga' })).status).toBe(400);
  });
}

describe('MFA coverage on PGlite', () => coverageSuite('pglite'));
describeWith('postgres')('MFA coverage on Postgres', () => coverageSuite('postgres'));
