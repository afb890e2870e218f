/**
 * The person access report over the real app (startSargs): events shipped through the intake with clear person
 * codes (pseudonymised there), DPOs signed in with password + TOTP, reports produced over HTTP.
 * Embedded PGlite below; the same report from real Elasticsearch is compared at the end.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWith, TEST_ELASTICSEARCH_URL, uniqueName } from '../../core/testing/services';
import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { enrolUser, eventually, httpClient, signIn, type HttpClient } from '../testing/identity-fixture';
import type { PersonAccessReport } from './person-access.types';

jest.setTimeout(180_000);

const PERSON = '161175-19997';
const OTHER = '320000-00017';

/** VPS application audit records (collector/parsers/vps-audit.ts) about the person and one other. */
const records = () =>
  [
    { id: 'pa-1', ts: '2026-10-05T08:00:00Z', app: 'PERS', org: 'riga', user: 'riga.anna', role: 'PERS_LIETVEDIS', action: 'view', person: PERSON, subject_org: 'riga', category: 'residence' },
    { id: 'pa-2', ts: '2026-10-06T08:00:00Z', app: 'PERS', org: 'jelgava', user: 'jelgava.janis', action: 'view', person: PERSON, subject_org: 'riga', category: 'residence', purpose: 'JG-2026/4' },
    // jelgava's internal access: its log, its user, the subject's municipality not recorded.
    { id: 'pa-3', ts: '2026-10-07T08:00:00Z', app: 'NINO', org: 'jelgava', user: 'jelgava.liga', action: 'view', person: PERSON, category: 'tax' },
    { id: 'pa-4', ts: '2026-10-08T08:00:00Z', app: 'NINO', org: 'vid', user: 'vid.inspektors', action: 'view', person: PERSON, subject_org: 'riga', category: 'tax', purpose: 'VID-2026/118' },
    { id: 'pa-5', ts: '2026-10-09T08:00:00Z', app: 'PERS', org: 'riga', user: 'riga.anna', action: 'view', person: OTHER, subject_org: 'riga', category: 'residence' },
  ].map((r) => ({ ...r, outcome: 'success' }));

async function ship(sargs: RunningSargs): Promise<void> {
  const c = httpClient(sargs.url, { bearer: sargs.collectorToken });
  const r = await c.call('post', '/api/v1/ingest?parser=vps_audit', undefined, { raw: records().map((x) => JSON.stringify(x)).join('\n') + '\n', contentType: 'application/x-ndjson' });
  expect(r.status).toBe(200);
  expect(r.body.created + r.body.duplicates + r.body.spooled).toBe(5);
}

/** October 2026 in Riga time: the shipped events only. */
const PERIOD = { from: '2026-10-01', to: '2026-11-01' };
/** From October to tomorrow: the shipped events and the report accesses made by the tests. */
const TO_NOW = { from: '2026-10-01', to: new Date(Date.now() + 86_400_000).toISOString() };

describe('person access report (real app, PGlite)', () => {
  let sargs: RunningSargs;
  let rigaDpo: HttpClient;
  let jelgavaDpo: HttpClient;
  let zzDpo: HttpClient;
  let rigaDpoId: string;

  beforeAll(async () => {
    sargs = await startSargs();
    const rd = await enrolUser(sargs, { tenant: 'riga', username: 'riga-dpo', roles: [{ role: 'dpo', tenant: 'riga' }] });
    const jd = await enrolUser(sargs, { tenant: 'jelgava', username: 'jelgava-dpo', roles: [{ role: 'dpo', tenant: 'jelgava' }] });
    const zd = await enrolUser(sargs, { tenant: 'zzdats', username: 'zz-dpo', roles: [{ role: 'dpo', tenant: 'zzdats' }] });
    rigaDpoId = rd.id;
    [rigaDpo, jelgavaDpo, zzDpo] = [await signIn(sargs.url, rd), await signIn(sargs.url, jd), await signIn(sargs.url, zd)];
    await ship(sargs);
  });
  afterAll(async () => sargs?.close());

  const produce = async (c: HttpClient, body: Record<string, unknown> = {}) => c.call('post', '/api/v1/reports/person-access', { personCode: PERSON, ...TO_NOW, ...body });

  test("a riga DPO sees riga's log and every access to riga's resident, but not jelgava's internal access", async () => {
    const r = await produce(rigaDpo, { reference: 'DPO-2026/77' });
    expect(r.status).toBe(201);
    const report = r.body.report as PersonAccessReport;
    expect(r.headers.get('location')).toBe(`/api/v1/reports/${report.id}`);
    expect(report).toMatchObject({
      controller: 'riga',
      reference: 'DPO-2026/77',
      personMasked: '161175-*****',
      personMunicipality: 'riga',
      period: { from: '2026-09-30T21:00:00.000Z', to: TO_NOW.to },
      generatedBy: { user: 'riga-dpo', organization: 'riga' },
    });
    expect(report.person).toMatch(/^pk_[0-9a-f]{32}$/);
    expect(report.accesses.map((a) => a.user)).toEqual(['vid.inspektors', 'jelgava.janis', 'riga.anna']);
    expect(report.accesses.map((a) => a.organizationKind)).toEqual(['state-institution', 'other-municipality', 'own']);
    expect(report.accesses[0]).toMatchObject({ organization: 'vid', organizationName: 'Valsts ieņēmumu dienests', application: 'NINO', dataCategory: 'tax', purpose: 'VID-2026/118', tenant: 'vid' });
    expect(report.accesses[2].roles).toEqual(['PERS_LIETVEDIS']);
    expect(report.summary).toEqual({
      total: 3,
      byOrganization: [{ key: 'jelgava', count: 1 }, { key: 'riga', count: 1 }, { key: 'vid', count: 1 }],
      byApplication: [{ key: 'PERS', count: 2 }, { key: 'NINO', count: 1 }],
      byDataCategory: [{ key: 'residence', count: 2 }, { key: 'tax', count: 1 }],
      byMonth: [{ key: '2026-10', count: 3 }],
      external: 2,
    });
    expect(r.text).not.toContain('jelgava.liga');
    expect(r.body.downloads).toContainEqual({ format: 'pdf', lang: 'en', href: `/api/v1/reports/${report.id}.pdf?lang=en`, signature: `/api/v1/reports/${report.id}.pdf.p7s?lang=en` });
  });

  test("a jelgava DPO sees jelgava's log (its internal access included) and nothing of riga's", async () => {
    const r = await produce(jelgavaDpo);
    expect(r.status).toBe(201);
    const report = r.body.report as PersonAccessReport;
    expect(report.controller).toBe('jelgava');
    expect(report.accesses.map((a) => a.user)).toEqual(['jelgava.liga', 'jelgava.janis']);
    expect(r.text).not.toContain('riga.anna');
    expect(r.text).not.toContain('riga-dpo');
    // Asking for riga's view is refused, not answered with less.
    const other = await produce(jelgavaDpo, { controller: 'riga' });
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ code: 'controller_out_of_scope', field: 'controller' });
  });

  test('every report is itself an audited access: Sargs audit log, and an access event in the next report', async () => {
    const first = (await produce(rigaDpo, { reference: 'DPO-2026/78', caseId: 'case-1' })).body.report as PersonAccessReport;
    const audit = await sargs.runtime.sql.query<{ actor: string; details: any }>(
      `SELECT actor, details FROM audit_log WHERE action = 'report.person_access.produced' AND target = $1`,
      [first.id],
    );
    expect(audit.rows).toEqual([
      { actor: 'riga-dpo', details: { controller: 'riga', person: first.person, period: first.period, reference: 'DPO-2026/78', caseId: 'case-1', total: first.summary.total } },
    ]);
    const next = (await produce(rigaDpo)).body.report as PersonAccessReport;
    const sargsAccesses = next.accesses.filter((a) => a.application === 'SARGS');
    // The reports before this one, newest first: riga's two, and jelgava's DPO reading the access history of
    // riga's resident (an access to riga's resident by another municipality).
    expect(sargsAccesses.map((a) => [a.user, a.purpose, a.organizationKind])).toEqual([
      ['riga-dpo', 'DPO-2026/78', 'own'],
      ['jelgava-dpo', 'GDPR Art. 15', 'other-municipality'],
      ['riga-dpo', 'DPO-2026/77', 'own'],
    ]);
    expect(sargsAccesses[0]).toMatchObject({ user: 'riga-dpo', organization: 'riga', organizationKind: 'own', action: 'person-access-report', dataCategory: 'access_log', roles: ['dpo'], tenant: 'riga' });
    expect(next.summary.total).toBe(first.summary.total + 1);
    const events = await sargs.runtime.ctx.events.search({ scope: ['riga'], app: 'SARGS', user: 'riga-dpo', action: 'person-access-report' });
    expect(events.total).toBe(3);
    expect(events.events[0].user).toMatchObject({ id: rigaDpoId });
  });

  test('the ZZ Dats DPO sees every access, jelgava internal ones and all report accesses included', async () => {
    const r = await produce(zzDpo);
    expect(r.status).toBe(201);
    const report = r.body.report as PersonAccessReport;
    expect(report.controller).toBe('*');
    const vps = report.accesses.filter((a) => a.application !== 'SARGS');
    expect(vps.map((a) => a.user)).toEqual(['vid.inspektors', 'jelgava.liga', 'jelgava.janis', 'riga.anna']);
    expect(report.accesses.filter((a) => a.application === 'SARGS').map((a) => a.user).sort()).toEqual(['jelgava-dpo', 'riga-dpo', 'riga-dpo', 'riga-dpo']);
    // And any one controller's view when asked.
    expect(((await produce(zzDpo, { controller: 'riga' })).body.report as PersonAccessReport).controller).toBe('riga');
  });

  test('a wrong person code is refused with the reason, in field person, in both formats', async () => {
    for (const [code, reason] of [
      ['161175-19998', 'check digit'],
      ['311175-19997', 'date'],
      ['16117519', 'format'],
      ['33000000017', 'date'],
      [12345, 'format'],
    ] as const) {
      const r = await produce(rigaDpo, { personCode: code });
      expect(r.status).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(r.body).toMatchObject({ code: 'invalid_person_code', field: 'person' });
      expect(r.body.detail).toContain(reason);
      if (typeof code === 'string') expect(r.text).not.toContain(code);
    }
    expect((await produce(rigaDpo, { personCode: '32000000017' })).status).toBe(201);
    const period = await produce(rigaDpo, { from: '2026-11-01', to: '2026-10-01' });
    expect(period.body).toMatchObject({ status: 400, field: 'from' });
    expect((await produce(rigaDpo, { to: '2026-02-30' })).body).toMatchObject({ status: 400, field: 'to' });
    expect((await produce(rigaDpo, { format: 'docx' })).body).toMatchObject({ status: 400, field: 'format' });
    expect((await produce(rigaDpo, { persnCode: 'x' })).body).toMatchObject({ status: 400, field: 'persnCode' });
  });

  test('needs a fresh step-up, the dpo role, and a user (never a token)', async () => {
    const u = await enrolUser(sargs, { tenant: 'riga', username: 'stale-dpo', roles: [{ role: 'dpo', tenant: 'riga' }] });
    const c = await signIn(sargs.url, u);
    const stale = new Date(Date.now() - (sargs.runtime.ctx.identity.policy.stepUpMinutes + 1) * 60_000);
    await sargs.runtime.sql.query('UPDATE sessions SET mfa_at = $2 WHERE user_id = $1', [u.id, stale]);
    expect((await produce(c)).body).toMatchObject({ status: 401, code: 'step_up_required' });

    const officer = await signIn(sargs.url, await enrolUser(sargs, { tenant: 'riga', username: 'riga-officer', roles: [{ role: 'security-officer', tenant: 'riga' }] }));
    expect((await produce(officer)).status).toBe(403);
    // A platform administrator holds every permission but is not a DPO.
    const admin = await signIn(sargs.url, await enrolUser(sargs, { tenant: 'zzdats', username: 'pa-admin', roles: [{ role: 'platform-admin', tenant: '*' }] }));
    expect((await produce(admin)).body).toMatchObject({ status: 403, code: 'dpo_required' });
    expect((await produce(httpClient(sargs.url, { bearer: sargs.adminToken }))).body).toMatchObject({ status: 403, code: 'dpo_required' });
  });

  test('stored reports: listed and read by their controller only, without the clear person code anywhere', async () => {
    const list = await rigaDpo.call('get', '/api/v1/reports');
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThanOrEqual(3);
    expect(new Set(list.body.items.map((i: { controller: string }) => i.controller))).toEqual(new Set(['riga']));
    const id = list.body.items[0].id;
    const got = await rigaDpo.call('get', `/api/v1/reports/${id}`);
    expect(got.status).toBe(200);
    expect(got.body.report.id).toBe(id);
    expect((await jelgavaDpo.call('get', `/api/v1/reports/${id}`)).status).toBe(404);
    expect((await zzDpo.call('get', `/api/v1/reports/${id}`)).status).toBe(200);
    expect((await rigaDpo.call('get', '/api/v1/reports/not-a-report.pdf')).status).toBe(404);
    const stored = await sargs.runtime.sql.query<{ t: string }>(
      `SELECT (SELECT coalesce(string_agg(content::text, ''), '') FROM person_access_reports) || (SELECT coalesce(string_agg(details::text, ''), '') FROM audit_log) AS t`,
      [],
    );
    expect(stored.rows[0].t).not.toContain('16117519997');
    expect(stored.rows[0].t).not.toContain('161175-19997');
    expect(stored.rows[0].t).not.toContain('32000000017');
  });
  test('exports: signed files whose detached CMS signature openssl verifies, kept so a file and its .p7s match', async () => {
    const made = await rigaDpo.call('post', '/api/v1/reports/person-access', { personCode: PERSON, ...PERIOD, reference: 'DPO-2026/80' });
    const id = made.body.report.id as string;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-report-'));
    const ca = path.join(dir, 'ca.pem');
    fs.writeFileSync(ca, await sargs.runtime.ctx.pki.signer.caCertificate());
    const download = async (file: string) => {
      const res = await fetch(`${sargs.url}/api/v1/reports/${file}`, { headers: { cookie: rigaDpo.cookie } });
      return { status: res.status, type: res.headers.get('content-type') ?? '', link: res.headers.get('link'), bytes: Buffer.from(await res.arrayBuffer()) };
    };
    for (const [format, lang, type] of [['pdf', 'lv', 'application/pdf'], ['pdf', 'en', 'application/pdf'], ['csv', 'lv', 'text/csv'], ['json', 'lv', 'application/json'], ['letter.pdf', 'lv', 'application/pdf'], ['letter.pdf', 'en', 'application/pdf']] as const) {
      const file = await download(`${id}.${format}?lang=${lang}`);
      expect(file.status).toBe(200);
      expect(file.type).toContain(type);
      expect(file.link).toBe(`</api/v1/reports/${id}.${format}.p7s?lang=${lang}>; rel="signature"`);
      const sig = await download(`${id}.${format}.p7s?lang=${lang}`);
      expect(sig.type).toContain('application/pkcs7-signature');
      // The second download is the same file (kept at the first), so the signature fetched apart still fits it.
      expect((await download(`${id}.${format}?lang=${lang}`)).bytes.equals(file.bytes)).toBe(true);
      const content = path.join(dir, `r.${format}`);
      const p7s = path.join(dir, `r.${format}.p7s`);
      fs.writeFileSync(content, file.bytes);
      fs.writeFileSync(p7s, sig.bytes);
      const verify = () => execFileSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', p7s, '-content', content, '-CAfile', ca, '-out', '/dev/null'], { stdio: 'pipe' });
      expect(verify).not.toThrow();
      const changed = Buffer.from(file.bytes);
      changed[changed.length >> 1] ^= 1;
      fs.writeFileSync(content, changed);
      expect(verify).toThrow();
    }
    const pdf = await download(`${id}.pdf?lang=lv`);
    expect(pdf.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    // Each download is audited; another controller's DPO cannot fetch the files.
    const audited = await sargs.runtime.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_log WHERE target = $1 AND action LIKE 'report.person_access.%downloaded'`, [id]);
    expect(audited.rows[0].n).toBeGreaterThanOrEqual(16);
    // The answer letter to the access request: built from the report, in the controller's name.
    const { pdfText } = await import('./export/testing/pdf-text');
    const letter = pdfText((await download(`${id}.letter.pdf?lang=lv`)).bytes).text.replace(/\s+/g, ' ');
    expect(letter).toContain('Rīgas valstspilsētas pašvaldība');
    expect(letter).toContain('Datu valsts inspekcij');
    expect((await fetch(`${sargs.url}/api/v1/reports/${id}.pdf`, { headers: { cookie: jelgavaDpo.cookie } })).status).toBe(404);
    // format=csv on the request answers with the signed file itself.
    const direct = await fetch(`${sargs.url}/api/v1/reports/person-access`, {
      method: 'POST',
      headers: { cookie: rigaDpo.cookie, 'x-csrf-token': rigaDpo.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ personCode: PERSON, ...PERIOD, format: 'csv' }),
    });
    expect(direct.status).toBe(201);
    expect(direct.headers.get('content-type')).toContain('text/csv');
    expect(direct.headers.get('link')).toMatch(/^<\/api\/v1\/reports\/[0-9a-f-]{36}\.csv\.p7s\?lang=lv>; rel="signature"$/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describeWith('elasticsearch')('person access report: Elasticsearch and the embedded store agree', () => {
  const key = 'person-access-report-test-key-0123456789abcdef';
  let embedded: RunningSargs;
  let es: RunningSargs;
  let prefix: string;

  beforeAll(async () => {
    prefix = uniqueName('pa').toLowerCase().replace(/_/g, '-');
    embedded = await startSargs({ env: { SARGS_PSEUDONYM_KEY: key } });
    es = await startSargs({ env: { SARGS_PSEUDONYM_KEY: key, ELASTICSEARCH_URL: TEST_ELASTICSEARCH_URL, SARGS_ES_PREFIX: prefix } });
  });
  afterAll(async () => {
    await embedded?.close();
    await es?.close();
    const { Client } = await import('@elastic/elasticsearch');
    const c = new Client({ node: TEST_ELASTICSEARCH_URL });
    for (const name of [`${prefix}-events`, `${prefix}-alerts`]) await c.indices.deleteIndexTemplate({ name }).catch(() => undefined);
    await c.close();
  });

  test('the same events give the same report, for a municipality DPO and for ZZ Dats', async () => {
    const reports: Record<string, PersonAccessReport[]> = {};
    for (const [name, s] of [['embedded', embedded], ['es', es]] as const) {
      await ship(s);
      await s.runtime.ctx.events.refresh();
      reports[name] = [];
      for (const [tenant, user] of [['riga', `${name}-riga-dpo`], ['zzdats', `${name}-zz-dpo`]]) {
        const c = await signIn(s.url, await enrolUser(s, { tenant, username: user, roles: [{ role: 'dpo', tenant }] }));
        const r = await eventually(async () => {
          const x = await c.call('post', '/api/v1/reports/person-access', { personCode: PERSON, ...PERIOD });
          return x.status === 201 && x.body.report.summary.total >= (tenant === 'riga' ? 3 : 4) && x;
        });
        reports[name].push(r.body.report);
      }
    }
    const comparable = (r: PersonAccessReport) => {
      const { id: _id, generatedAt: _g, generatedBy: _b, ...rest } = r;
      return rest;
    };
    expect(reports.es.map(comparable)).toEqual(reports.embedded.map(comparable));
    expect(reports.es[0].summary.total).toBe(3);
    expect(reports.es[1].summary.total).toBe(4);
  });
});
