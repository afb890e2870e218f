/**
 * The watch-list routes (api/alerts/watchlist.routes.ts) against the real app (startSargs: embedded PGlite), users
 * signed in over HTTP with password + TOTP (cookie session and CSRF token), the platform token as Bearer: codes are
 * validated all first, stored and answered as pseudonyms only, tenant scope as for suppression rules, every change
 * audited without the code, and the stored pseudonym is the one the detection engine looks up.
 */
import { oldFormatPersonCode } from '../../cli/demo/person-code';
import { watchlistLookup } from '../../detection/watchlist-lookup';
import { enrolUser, httpClient, signIn, type HttpClient } from '../testing/identity-fixture';
import { startSargs, type RunningSargs } from '../testing/start-sargs';

jest.setTimeout(120_000);

const CODES = { a: oldFormatPersonCode('150383'), b: oldFormatPersonCode('020791'), c: '324518-20931', d: oldFormatPersonCode('300664') };
/** The last digit changed: the check digit no longer matches. */
const TYPO = CODES.b.slice(0, 11) + String((Number(CODES.b[11]) + 1) % 10);
/** Every form in which a code could be echoed: as written and without the hyphen. */
const forms = (code: string) => [code, code.replace('-', '')];

let sargs: RunningSargs;
let rigaOfficer: HttpClient;
let jelgavaOfficer: HttpClient;
let admin: HttpClient;

beforeAll(async () => {
  sargs = await startSargs();
  const riga = await enrolUser(sargs, { tenant: 'riga', username: 'wl-officer', roles: [{ role: 'security-officer', tenant: 'riga' }] });
  const jelgava = await enrolUser(sargs, { tenant: 'jelgava', username: 'wl-officer', roles: [{ role: 'security-officer', tenant: 'jelgava' }] });
  rigaOfficer = await signIn(sargs.url, riga);
  jelgavaOfficer = await signIn(sargs.url, jelgava);
  admin = httpClient(sargs.url, { bearer: sargs.adminToken });
});
afterAll(async () => {
  await sargs?.close();
});

const noCodeIn = (text: string, codes: string[] = Object.values(CODES).concat(TYPO)) => {
  for (const code of codes) for (const f of forms(code)) expect(text).not.toContain(f);
};

describe('watch list over HTTP', () => {
  let rigaIds: string[] = [];

  test('the test codes are valid and the typo is not (so the cases below test what they say)', () => {
    expect(() => sargs.runtime.ctx.pseudonymiser.person(CODES.a)).not.toThrow();
    expect(() => sargs.runtime.ctx.pseudonymiser.person(CODES.b)).not.toThrow();
    expect(() => sargs.runtime.ctx.pseudonymiser.person(CODES.d)).not.toThrow();
    expect(() => sargs.runtime.ctx.pseudonymiser.person(TYPO)).toThrow(/check digit/);
  });

  test('a Riga officer adds codes for Riga: pseudonyms only, the ones detection looks up, note scrubbed, audited without the code', async () => {
    const r = await rigaOfficer.call('POST', '/api/v1/watchlist', {
      list: 'vip', tenant: 'riga', personCodes: [CODES.a, CODES.c, CODES.a], note: `council; was ${CODES.d}`,
    });
    expect(r.status).toBe(201);
    noCodeIn(r.text);
    expect(r.body).toMatchObject({ added: 2, alreadyListed: 0 });
    const { pseudonymiser } = sargs.runtime.ctx;
    expect(r.body.entries.map((e: { person: string }) => e.person)).toEqual([pseudonymiser.person(CODES.a), pseudonymiser.person(CODES.c)]);
    for (const e of r.body.entries) {
      expect(e).toMatchObject({ list: 'vip', tenant: 'riga', createdBy: expect.stringContaining('wl-officer'), note: `council; was ${pseudonymiser.person(CODES.d)}` });
      expect(e.person).toMatch(/^pk_[0-9a-f]{32}$/);
    }
    rigaIds = r.body.entries.map((e: { id: string }) => e.id);

    // The engine's lookup (detection/alerting.ts re-reads the store every 30 s) finds the person by its pseudonym.
    const lookup = watchlistLookup(await sargs.runtime.ctx.detection.watchlist.list('*'))!;
    expect(lookup(pseudonymiser.person(CODES.a), 'anyone', 'riga')).toEqual(['vip']);
    expect(lookup(pseudonymiser.person(CODES.b), 'anyone', 'riga')).toBeUndefined();
    // Riga's entry applies to Riga's events only: a Jelgava officer's alerts never reveal whom Riga watches
    expect(lookup(pseudonymiser.person(CODES.a), 'anyone', 'jelgava')).toBeUndefined();

    const audit = (await sargs.runtime.ctx.audit.list(20)).filter((a) => a.action === 'watchlist.added');
    expect(audit.map((a) => a.target).sort()).toEqual(rigaIds.map((id) => `watchlist:${id}`).sort());
    for (const a of audit) expect(a.details).toEqual({ list: 'vip', tenant: 'riga', user: null });
    noCodeIn(JSON.stringify(await sargs.runtime.ctx.audit.list(100)));

    const again = await rigaOfficer.call('POST', '/api/v1/watchlist', { list: 'vip', tenant: 'riga', personCodes: [CODES.a] });
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ added: 0, alreadyListed: 1, entries: [] });
  });

  test('the list shows pseudonyms, never a code; the tenants the caller may add for', async () => {
    const r = await rigaOfficer.call('GET', '/api/v1/watchlist');
    expect(r.status).toBe(200);
    noCodeIn(r.text);
    expect(r.body.entries.map((e: { id: string }) => e.id)).toEqual(rigaIds);
    expect(r.body.tenants).toEqual(['riga']);
    const all = await admin.call('GET', '/api/v1/watchlist');
    expect(all.body.tenants[0]).toBe('*');
    expect(all.body.tenants).toContain('jelgava');
  });

  test('one invalid code: 400 naming personCodes[1] and the reason (never the code), nothing added', async () => {
    const before = await sargs.runtime.ctx.detection.watchlist.list('*');
    const r = await rigaOfficer.call('POST', '/api/v1/watchlist', { list: 'staff', tenant: 'riga', personCodes: [CODES.b, TYPO, CODES.d] });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ code: 'invalid_person_code', field: 'personCodes[1]' });
    expect(r.body.detail).toMatch(/^personCodes\[1\]: person code is not valid: check digit/);
    expect(r.body.issues).toEqual([{ field: 'personCodes[1]', reason: expect.stringContaining('check digit') }]);
    noCodeIn(r.text);
    expect(await sargs.runtime.ctx.detection.watchlist.list('*')).toEqual(before);
    const bad = await rigaOfficer.call('POST', '/api/v1/watchlist', { list: 'staff', tenant: 'riga', personCodes: ['not a code', '123'] });
    expect(bad.body).toMatchObject({ field: 'personCodes[0]', issues: [{ field: 'personCodes[0]' }, { field: 'personCodes[1]' }] });
  });

  test('body checks: unknown tenant, empty and oversized lists, unknown keys, a code in the list or user field', async () => {
    const post = (body: unknown) => admin.call('POST', '/api/v1/watchlist', body);
    const unknown = await post({ list: 'vip', tenant: 'atlantis', personCodes: [CODES.b] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe('tenant');
    expect((await post({ list: 'vip', personCodes: [] })).body.field).toBe('personCodes');
    expect((await post({ list: 'vip', personCodes: Array(501).fill(CODES.b) })).body.field).toBe('personCodes');
    expect((await post({ list: 'vip', personCodes: [CODES.b], personCode: CODES.b })).body.field).toBe('personCode');
    expect((await post({ list: 'Not A List', personCodes: [CODES.b] })).body.field).toBe('list');
    const codeAsList = await post({ list: CODES.b, personCodes: [CODES.b] });
    expect(codeAsList.body.field).toBe('list');
    noCodeIn(codeAsList.text);
    const codeAsUser = await post({ list: 'vip', user: CODES.b, personCodes: [CODES.b] });
    expect(codeAsUser.body.field).toBe('user');
    noCodeIn(codeAsUser.text);
    const codeAsTenant = await post({ list: 'vip', tenant: CODES.b, personCodes: [CODES.b] });
    expect(codeAsTenant.status).toBe(400);
    noCodeIn(codeAsTenant.text);
    expect(await sargs.runtime.ctx.detection.watchlist.list('*')).toHaveLength(2);
  });

  test("a tenant's officer cannot add for '*' or another tenant, and does not see other tenants' entries", async () => {
    for (const tenant of ['*', 'jelgava']) {
      const r = await rigaOfficer.call('POST', '/api/v1/watchlist', { list: 'vip', tenant, personCodes: [CODES.b] });
      expect({ tenant, status: r.status, code: r.body.code, field: r.body.field }).toEqual({ tenant, status: 403, code: 'tenant_out_of_scope', field: 'tenant' });
    }
    // tenant defaults to '*': refused as well
    expect((await rigaOfficer.call('POST', '/api/v1/watchlist', { list: 'vip', personCodes: [CODES.b] })).status).toBe(403);

    const j = await jelgavaOfficer.call('POST', '/api/v1/watchlist', { list: 'family', tenant: 'jelgava', user: 'Ilze.Kalnina', personCodes: [CODES.b] });
    expect(j.status).toBe(201);
    expect(j.body.entries[0]).toMatchObject({ tenant: 'jelgava', user: 'ilze.kalnina' });
    // Jelgava may watch a person Riga watches on a list of the same name, and is not told that Riga does
    const same = await jelgavaOfficer.call('POST', '/api/v1/watchlist', { list: 'vip', tenant: 'jelgava', personCodes: [CODES.a] });
    expect(same.body).toMatchObject({ added: 1, alreadyListed: 0 });
    const soc = await admin.call('POST', '/api/v1/watchlist', { list: 'protected', personCodes: [CODES.d] });
    expect(soc.status).toBe(201);
    expect(soc.body.entries[0].tenant).toBe('*');

    const rigaView = await rigaOfficer.call('GET', '/api/v1/watchlist');
    expect(rigaView.body.entries.map((e: { tenant: string }) => e.tenant)).toEqual(['riga', 'riga']);
    expect(rigaView.text).not.toContain('jelgava');
    const jelgavaView = await jelgavaOfficer.call('GET', '/api/v1/watchlist');
    expect(jelgavaView.body.entries.map((e: { list: string }) => e.list)).toEqual(['family', 'vip']);
    expect((await admin.call('GET', '/api/v1/watchlist')).body.entries).toHaveLength(5);

    // Another tenant's entry (and a deployment-wide one) is not there for the Riga officer to remove.
    expect((await rigaOfficer.call('DELETE', `/api/v1/watchlist/${j.body.entries[0].id}`)).status).toBe(404);
    expect((await rigaOfficer.call('DELETE', `/api/v1/watchlist/${soc.body.entries[0].id}`)).status).toBe(404);
  });

  test('a body that is not JSON is refused with a fixed reason that does not quote it', async () => {
    const r = await fetch(`${sargs.url}/api/v1/watchlist`, {
      method: 'POST', headers: { authorization: `Bearer ${sargs.adminToken}`, 'content-type': 'application/json' },
      body: `{"list":"vip","personCodes":[""${CODES.a}""]}`,
    });
    const text = await r.text();
    expect(r.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ code: 'invalid_body', detail: 'request body is not valid JSON', field: 'body' });
    noCodeIn(text);
  });

  test('a change needs the CSRF token of the session', async () => {
    const r = await rigaOfficer.call('DELETE', `/api/v1/watchlist/${rigaIds[0]}`, undefined, { csrf: false });
    expect(r.status).toBe(403);
    expect((await rigaOfficer.call('GET', '/api/v1/watchlist')).body.entries).toHaveLength(2);
  });

  test('remove: 204, then 404; audited', async () => {
    const id = rigaIds[0]!;
    const r = await rigaOfficer.call('DELETE', `/api/v1/watchlist/${id}`);
    expect(r.status).toBe(204);
    const again = await rigaOfficer.call('DELETE', `/api/v1/watchlist/${id}`);
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(again.body.field).toBe('id');
    const removed = (await sargs.runtime.ctx.audit.list(20)).find((a) => a.action === 'watchlist.removed');
    expect(removed).toMatchObject({ target: `watchlist:${id}`, details: { list: 'vip', tenant: 'riga', user: null }, actor: expect.stringContaining('wl-officer') });
    expect((await rigaOfficer.call('GET', '/api/v1/watchlist')).body.entries.map((e: { id: string }) => e.id)).toEqual([rigaIds[1]]);
    noCodeIn(JSON.stringify(await sargs.runtime.ctx.audit.list(200)));
  });
});
