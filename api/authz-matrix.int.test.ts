/**
 * The authorisation matrix (issue 3, "RBAC and tenancy"): every principal × every non-public route × own tenant
 * (riga) and foreign tenant (jelgava), against the real app (startSargs: embedded PGlite), users signed in over HTTP
 * with password + TOTP (cookie session, CSRF token, fresh mfaAt), tokens as Bearer. The expected outcomes are
 * written out below by hand, NOT derived from policies/roles.yaml: a change of a role file that widens or narrows
 * access must show up here as a failing cell.
 *
 * Cells: A = allowed (neither 401 nor 403), D = denied (403), H = hidden (404: a foreign object does not exist for
 * the caller), E = empty (400/403, or 2xx without a single foreign-tenant event or count).
 */
import { randomUUID } from 'node:crypto';
import { allRoutes } from './create-app';
import { createReportStore } from './reports/report.store';
import { startSargs, type RunningSargs } from './testing/start-sargs';
import { enrolUser, enrollingUser, eventually, httpClient, signIn, type EnrolledUser, type HttpAnswer, type HttpClient } from './testing/identity-fixture';

jest.setTimeout(180_000);

const PRINCIPALS = ['admin', 'soc', 'auditor', 'officer', 'dpo', 'reviewer', 'norole', 'tAdmin', 'tCollector', 'tVps'] as const;
type Who = (typeof PRINCIPALS)[number];
type Cell = 'A' | 'D' | 'H' | 'E';

/** Ids created before the matrix runs. */
interface Fix {
  rigaUser: string;
  jelgavaUser: string;
  enrolling: (tenant: string) => Promise<string>;
  sargs: RunningSargs;
  /** An incident owned by the tenant, classified a personal data breach, with two drafts of its notice to DVI. */
  incident: (tenant: string) => Promise<{ id: string; notice: string; draft: string }>;
}
interface Req {
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
}
interface Row {
  /** `method path` exactly as in allRoutes(). */
  route: string;
  tenant: 'own' | 'foreign' | '-';
  req: (f: Fix) => Req | Promise<Req>;
  /** One cell per principal, in the order of PRINCIPALS. */
  expect: string;
}

const rnd = () => randomUUID().slice(0, 8);
const incidents = new Map<string, Promise<{ id: string; notice: string; draft: string }>>();
/** The incident fixture of Fix.incident, made once per tenant through the service (issue 6). */
function incidentOf(sargs: RunningSargs, tenant: string) {
  if (!incidents.has(tenant))
    incidents.set(tenant, (async () => {
      const svc = sargs.runtime.ctx.incidents;
      const i = await svc.create({ title: `Matrix ${tenant}`, severity: 'medium', ownerTenant: tenant, awareAt: new Date().toISOString() }, 'matrix');
      const answers = { serviceDisruptionHours: 0, usersAffected: 1, financialLossEur: 0, maliciousAccess: false, recurrenceCount: 0, crossBorder: false, personalDataBreach: true, personalDataReasoning: 'matrix' };
      await svc.classify(i.id, { answers }, 'matrix');
      const notice = await svc.draft(i.id, 'gdpr-controller-to-dvi', 'lv', tenant, 'matrix');
      const draft = await svc.draft(i.id, 'gdpr-controller-to-dvi', 'lv', tenant, 'matrix');
      return { id: i.id, notice: notice.id, draft: draft.id };
    })());
  return incidents.get(tenant)!;
}
const inc = (tenant: string, method: 'get' | 'post', rest: (x: { id: string; notice: string; draft: string }) => string, body?: unknown) =>
  async (f: Fix) => ({ method, path: rest(await f.incident(tenant)), ...(body !== undefined ? { body } : {}) });
const get = (path: string) => () => ({ method: 'get', path });
const post = (path: string, body: unknown = {}) => () => ({ method: 'post', path, body });
/** A subject-request case of `tenant`, opened directly through the service (the rows then ask for it over HTTP). */
const matrixCase = async (f: Fix, tenant: string) =>
  (await f.sargs.runtime.ctx.cases.service.create({ tenant, right: 'access', receivedAt: new Date(), requester: { name: 'Matrix' } }, 'matrix')).id;
const NO_CASE = '00000000-0000-4000-8000-000000000000';
/** A stored person access report of `controller` (issue 5), saved directly (the rows then ask for it over HTTP). */
const matrixReport = async (f: Fix, controller: string) => {
  const id = randomUUID();
  const period = { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' };
  const summary = { total: 0, byOrganization: [], byApplication: [], byDataCategory: [], byMonth: [], external: 0 };
  await createReportStore(f.sargs.runtime.sql).save({ id, person: 'pk_matrix', personMasked: '320000-*****', controller, period, generatedAt: new Date().toISOString(), generatedBy: { user: 'matrix', organization: controller }, summary, accesses: [] });
  return id;
};
const REPORT_BODY = { personCode: '161175-19997', from: '2026-10-01', to: '2026-11-01' };

// prettier-ignore
const MATRIX: Row[] = [
  //                                                                                                           admin soc aud off dpo rev none tAdm tCol tVps
  { route: 'get /metrics', tenant: '-', req: get('/metrics'),                                                 expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/ingest', tenant: '-', req: () => ({ method: 'post', path: '/api/v1/ingest', raw: '[]', contentType: 'application/json' }),
                                                                                                              expect: 'A D D D D D D A A D' },
  { route: 'post /_bulk', tenant: '-', req: () => ({ method: 'post', path: '/_bulk', raw: '\n', contentType: 'application/x-ndjson' }),
                                                                                                              expect: 'A D D D D D D A A D' },
  { route: 'post /:index/_bulk', tenant: '-', req: () => ({ method: 'post', path: '/logs-matrix/_bulk', raw: '\n', contentType: 'application/x-ndjson' }),
                                                                                                              expect: 'A D D D D D D A A D' },
  { route: 'get /_cluster/health', tenant: '-', req: get('/_cluster/health'),                                 expect: 'A D D D D D D A A D' },
  { route: 'get /_es', tenant: '-', req: get('/_es'),                                                         expect: 'A D D D D D D A A D' },

  { route: 'get /api/v1/events', tenant: 'own', req: get('/api/v1/events?tenant=riga'),                       expect: 'A A D A A D D A D D' },
  { route: 'get /api/v1/events', tenant: 'foreign', req: get('/api/v1/events?tenant=jelgava'),                expect: 'A A D D D D D A D D' },
  { route: 'get /api/v1/events/count', tenant: 'own', req: get('/api/v1/events/count?tenant=riga'),           expect: 'A A D A A D D A D D' },
  { route: 'get /api/v1/events/count', tenant: 'foreign', req: get('/api/v1/events/count?tenant=jelgava'),    expect: 'A A D D D D D A D D' },
  { route: 'get /api/v1/stats/overview', tenant: '-', req: get('/api/v1/stats/overview'),                     expect: 'A A D A A D D A D D' },
  { route: 'get /api/v1/deadletter', tenant: '-', req: get('/api/v1/deadletter'),                             expect: 'A A D D D D D A D D' },
  // Platform PKI (issue 5): the certificate inventory for platform admins and auditors (ca.pem is public).
  { route: 'get /api/v1/pki/certificates', tenant: '-', req: get('/api/v1/pki/certificates'),                 expect: 'A D A D D D D A D D' },

  { route: 'post /api/v1/tokens', tenant: 'own', req: post('/api/v1/tokens', { tenant: 'riga', source: 'matrix' }),       expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/tokens', tenant: 'foreign', req: post('/api/v1/tokens', { tenant: 'jelgava', source: 'matrix' }), expect: 'A D D D D D D A D D' },
  { route: 'get /api/v1/tokens', tenant: '-', req: get('/api/v1/tokens'),                                     expect: 'A D D D D D D A D D' },
  { route: 'delete /api/v1/tokens/:id', tenant: '-', req: () => ({ method: 'delete', path: '/api/v1/tokens/no-such-token' }),
                                                                                                              expect: 'A D D D D D D A D D' },

  { route: 'post /api/v1/users', tenant: 'own', req: () => ({ method: 'post', path: '/api/v1/users', body: { tenant: 'riga', username: `m-${rnd()}`, displayName: 'Matrix' } }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/users', tenant: 'foreign', req: () => ({ method: 'post', path: '/api/v1/users', body: { tenant: 'jelgava', username: `m-${rnd()}`, displayName: 'Matrix' } }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'get /api/v1/users', tenant: '-', req: get('/api/v1/users'),                                       expect: 'A D D A A A D A D D' },
  { route: 'post /api/v1/users/:id/enrolment-link', tenant: 'own', req: async (f) => ({ method: 'post', path: `/api/v1/users/${await f.enrolling('riga')}/enrolment-link` }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/users/:id/enrolment-link', tenant: 'foreign', req: async (f) => ({ method: 'post', path: `/api/v1/users/${await f.enrolling('jelgava')}/enrolment-link` }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/users/:id/disable', tenant: 'own', req: async (f) => ({ method: 'post', path: `/api/v1/users/${await f.enrolling('riga')}/disable` }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/users/:id/disable', tenant: 'foreign', req: async (f) => ({ method: 'post', path: `/api/v1/users/${await f.enrolling('jelgava')}/disable` }),
                                                                                                              expect: 'A D D D D D D A D D' },

  { route: 'get /api/v1/roles', tenant: '-', req: get('/api/v1/roles'),                                       expect: 'A D A D D D D A D D' },
  { route: 'get /api/v1/users/:id/roles', tenant: 'own', req: (f) => ({ method: 'get', path: `/api/v1/users/${f.rigaUser}/roles` }),
                                                                                                              expect: 'A D D A A A D A D D' },
  { route: 'get /api/v1/users/:id/roles', tenant: 'foreign', req: (f) => ({ method: 'get', path: `/api/v1/users/${f.jelgavaUser}/roles` }),
                                                                                                              expect: 'A D D H H H D A D D' },
  { route: 'post /api/v1/users/:id/roles', tenant: 'own', req: (f) => ({ method: 'post', path: `/api/v1/users/${f.rigaUser}/roles`, body: { role: 'municipality-reviewer', tenant: 'riga' } }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/users/:id/roles', tenant: 'foreign', req: (f) => ({ method: 'post', path: `/api/v1/users/${f.jelgavaUser}/roles`, body: { role: 'municipality-reviewer', tenant: 'jelgava' } }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'delete /api/v1/users/:id/roles/:role/:tenant', tenant: 'own', req: (f) => ({ method: 'delete', path: `/api/v1/users/${f.rigaUser}/roles/dpo/riga` }),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'delete /api/v1/users/:id/roles/:role/:tenant', tenant: 'foreign', req: (f) => ({ method: 'delete', path: `/api/v1/users/${f.jelgavaUser}/roles/dpo/jelgava` }),
                                                                                                              expect: 'A D D D D D D A D D' },

  { route: 'post /api/v1/validate/check', tenant: 'own', req: post('/api/v1/validate/check', { tenant: 'riga', user: 'nobody', pass: '123456' }),
                                                                                                              expect: 'D D D D D D D D D A' },
  { route: 'post /api/v1/validate/check', tenant: 'foreign', req: post('/api/v1/validate/check', { tenant: 'jelgava', user: 'nobody', pass: '123456' }),
                                                                                                              expect: 'D D D D D D D D D D' },
  { route: 'post /api/v1/validate/webauthn/options', tenant: 'own', req: post('/api/v1/validate/webauthn/options', { tenant: 'riga', user: 'nobody' }),
                                                                                                              expect: 'D D D D D D D D D A' },
  { route: 'post /api/v1/validate/webauthn/options', tenant: 'foreign', req: post('/api/v1/validate/webauthn/options', { tenant: 'jelgava', user: 'nobody' }),
                                                                                                              expect: 'D D D D D D D D D D' },
  { route: 'post /api/v1/validate/webauthn/verify', tenant: 'own', req: post('/api/v1/validate/webauthn/verify', { tenant: 'riga', user: 'nobody', response: {} }),
                                                                                                              expect: 'D D D D D D D D D A' },
  { route: 'post /api/v1/validate/webauthn/verify', tenant: 'foreign', req: post('/api/v1/validate/webauthn/verify', { tenant: 'jelgava', user: 'nobody', response: {} }),
                                                                                                              expect: 'D D D D D D D D D D' },
  { route: 'post /api/v1/mfa/accounts/import', tenant: 'own', req: post('/api/v1/mfa/accounts/import', [{ tenant: 'riga', username: 'matrix.user', application: 'SOPA' }]),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'post /api/v1/mfa/accounts/import', tenant: 'foreign', req: post('/api/v1/mfa/accounts/import', [{ tenant: 'jelgava', username: 'matrix.user', application: 'SOPA' }]),
                                                                                                              expect: 'A D D D D D D A D D' },
  { route: 'get /api/v1/mfa/coverage', tenant: 'own', req: get('/api/v1/mfa/coverage?tenant=riga'),           expect: 'A A A A D A D A D D' },
  { route: 'get /api/v1/mfa/coverage', tenant: 'foreign', req: get('/api/v1/mfa/coverage?tenant=jelgava'),    expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/mfa/coverage.csv', tenant: 'own', req: get('/api/v1/mfa/coverage.csv?tenant=riga'),   expect: 'A A A A D A D A D D' },
  { route: 'get /api/v1/mfa/coverage.csv', tenant: 'foreign', req: get('/api/v1/mfa/coverage.csv?tenant=jelgava'), expect: 'A A A D D D D A D D' },
  // Alerts and triage (issue 4): soc-analyst and security officers triage, auditors read.
  { route: 'get /api/v1/alerts', tenant: 'own', req: get('/api/v1/alerts?tenant=riga'), expect: 'A A A A D D D A D D' },
  { route: 'get /api/v1/alerts', tenant: 'foreign', req: get('/api/v1/alerts?tenant=jelgava'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/alerts/stats', tenant: '-', req: get('/api/v1/alerts/stats'), expect: 'A A A A D D D A D D' },
  { route: 'get /api/v1/alerts/:id', tenant: '-', req: get('/api/v1/alerts/none'), expect: 'A A A A D D D A D D' },
  { route: 'post /api/v1/alerts/:id/assign', tenant: '-', req: post('/api/v1/alerts/none/assign', { assignee: null }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/alerts/:id/status', tenant: '-', req: post('/api/v1/alerts/none/status', { status: 'acknowledged' }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/alerts/:id/comments', tenant: '-', req: post('/api/v1/alerts/none/comments', { text: 'x' }), expect: 'A A D A D D D A D D' },
  { route: 'get /api/v1/alert-suppressions', tenant: '-', req: get('/api/v1/alert-suppressions'), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/alert-suppressions', tenant: 'own', req: () => ({ method: 'post', path: '/api/v1/alert-suppressions', body: { tenant: 'riga', ruleId: '*', entityPattern: 'x', reason: 'matrix test', expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/alert-suppressions', tenant: 'foreign', req: () => ({ method: 'post', path: '/api/v1/alert-suppressions', body: { tenant: 'jelgava', ruleId: '*', entityPattern: 'x', reason: 'matrix test', expiresAt: new Date(Date.now() + 86_400_000).toISOString() } }), expect: 'A A D D D D D A D D' },
  { route: 'delete /api/v1/alert-suppressions/:id', tenant: '-', req: () => ({ method: 'delete', path: '/api/v1/alert-suppressions/none' }), expect: 'A A D A D D D A D D' },
  // Watch list (issue 4, sargs.watchlist): managed like suppression rules; '*' and a foreign tenant are refused.
  { route: 'get /api/v1/watchlist', tenant: '-', req: get('/api/v1/watchlist'), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/watchlist', tenant: 'own', req: post('/api/v1/watchlist', { list: 'matrix', personCodes: ['161175-19997'], tenant: 'riga' }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/watchlist', tenant: 'foreign', req: post('/api/v1/watchlist', { list: 'matrix', personCodes: ['161175-19997'], tenant: 'jelgava' }), expect: 'A A D D D D D A D D' },
  { route: 'delete /api/v1/watchlist/:id', tenant: '-', req: () => ({ method: 'delete', path: '/api/v1/watchlist/none' }), expect: 'A A D A D D D A D D' },
  // Municipality view (issue 5): municipality:review in the municipality of the path; soc-analyst and auditor everywhere.
  { route: 'get /api/v1/municipality/:tenant/cross-access', tenant: 'own', req: get('/api/v1/municipality/riga/cross-access'), expect: 'A A A A A A D A D D' },
  { route: 'get /api/v1/municipality/:tenant/cross-access', tenant: 'foreign', req: get('/api/v1/municipality/jelgava/cross-access'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/municipality/:tenant/cross-access.csv', tenant: 'own', req: get('/api/v1/municipality/riga/cross-access.csv'), expect: 'A A A A A A D A D D' },
  { route: 'get /api/v1/municipality/:tenant/cross-access.csv', tenant: 'foreign', req: get('/api/v1/municipality/jelgava/cross-access.csv'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/municipality/:tenant/cross-access/events', tenant: 'own', req: get('/api/v1/municipality/riga/cross-access/events?organization=vid'), expect: 'A A A A A A D A D D' },
  { route: 'get /api/v1/municipality/:tenant/cross-access/events', tenant: 'foreign', req: get('/api/v1/municipality/jelgava/cross-access/events?organization=vid'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/municipality/:tenant/reports', tenant: 'own', req: get('/api/v1/municipality/riga/reports'), expect: 'A A A A A A D A D D' },
  { route: 'get /api/v1/municipality/:tenant/reports', tenant: 'foreign', req: get('/api/v1/municipality/jelgava/reports'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/municipality/:tenant/reports/:month', tenant: 'own', req: get('/api/v1/municipality/riga/reports/2026-10'), expect: 'A A A A A A D A D D' },
  { route: 'get /api/v1/municipality/:tenant/reports/:month', tenant: 'foreign', req: get('/api/v1/municipality/jelgava/reports/2026-10'), expect: 'A A A D D D D A D D' },
  // Subject-request cases (issue 5): the DPO reads and manages its tenant's cases, the auditor reads every tenant's.
  { route: 'get /api/v1/cases', tenant: 'own', req: get('/api/v1/cases?tenant=riga'), expect: 'A D A D A D D A D D' },
  { route: 'get /api/v1/cases', tenant: 'foreign', req: get('/api/v1/cases?tenant=jelgava'), expect: 'A D A D D D D A D D' },
  { route: 'post /api/v1/cases', tenant: 'own', req: post('/api/v1/cases', { tenant: 'riga', right: 'access', receivedAt: new Date().toISOString(), requester: { name: 'Matrix' } }), expect: 'A D D D A D D A D D' },
  { route: 'post /api/v1/cases', tenant: 'foreign', req: post('/api/v1/cases', { tenant: 'jelgava', right: 'access', receivedAt: new Date().toISOString(), requester: { name: 'Matrix' } }), expect: 'A D D D D D D A D D' },
  { route: 'get /api/v1/cases/register', tenant: '-', req: get('/api/v1/cases/register'), expect: 'A D A D A D D A D D' },
  { route: 'post /api/v1/cases/search', tenant: '-', req: post('/api/v1/cases/search', { personCode: '161175-19997' }), expect: 'A D A D A D D A D D' },
  { route: 'get /api/v1/cases/reminders', tenant: '-', req: get('/api/v1/cases/reminders'), expect: 'A D A D A D D A D D' },
  { route: 'get /api/v1/cases/:id', tenant: 'own', req: async (f) => ({ method: 'get', path: `/api/v1/cases/${await matrixCase(f, 'riga')}` }), expect: 'A D A D A D D A D D' },
  { route: 'get /api/v1/cases/:id', tenant: 'foreign', req: async (f) => ({ method: 'get', path: `/api/v1/cases/${await matrixCase(f, 'jelgava')}` }), expect: 'A D A D H D D A D D' },
  { route: 'post /api/v1/cases/:id', tenant: 'own', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'riga')}`, body: { summary: 'matrix' } }), expect: 'A D D D A D D A D D' },
  { route: 'post /api/v1/cases/:id', tenant: 'foreign', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'jelgava')}`, body: { summary: 'matrix' } }), expect: 'A D D D H D D A D D' },
  { route: 'post /api/v1/cases/:id/notes', tenant: 'foreign', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'jelgava')}/notes`, body: { text: 'matrix' } }), expect: 'A D D D H D D A D D' },
  { route: 'post /api/v1/cases/:id/decisions', tenant: 'own', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'riga')}/decisions`, body: { kind: 'grant', text: 'matrix' } }), expect: 'A D D D A D D A D D' },
  { route: 'post /api/v1/cases/:id/attachments', tenant: 'own', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'riga')}/attachments?name=m.txt`, raw: 'matrix', contentType: 'text/plain' }), expect: 'A D D D A D D A D D' },
  { route: 'get /api/v1/cases/:id/attachments/:attachmentId', tenant: '-', req: get(`/api/v1/cases/${NO_CASE}/attachments/${NO_CASE}`), expect: 'A D A D A D D A D D' },
  { route: 'post /api/v1/cases/:id/reports', tenant: 'foreign', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'jelgava')}/reports`, body: { reportId: NO_CASE } }), expect: 'A D D D H D D A D D' },
  { route: 'post /api/v1/cases/:id/extend', tenant: '-', req: post(`/api/v1/cases/${NO_CASE}/extend`, { months: 1, reason: 'matrix test reason', noticeAt: new Date().toISOString(), noticeMethod: 'e-mail' }), expect: 'A D D D A D D A D D' },
  { route: 'post /api/v1/cases/:id/processor-support', tenant: 'own', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'riga')}/processor-support`, body: { event: 'requested' } }), expect: 'A D D D A D D A D D' },
  { route: 'post /api/v1/cases/:id/close', tenant: 'foreign', req: async (f) => ({ method: 'post', path: `/api/v1/cases/${await matrixCase(f, 'jelgava')}/close`, body: { outcome: 'withdrawn' } }), expect: 'A D D D H D D A D D' },
  // Person access reports (issue 5): only a user holding dpo (step-up); a platform administrator or token is refused
  // (dpo_required), another controller's view is refused and its stored reports hidden.
  { route: 'post /api/v1/reports/person-access', tenant: 'own', req: post('/api/v1/reports/person-access', REPORT_BODY), expect: 'D D D D A D D D D D' },
  { route: 'post /api/v1/reports/person-access', tenant: 'foreign', req: post('/api/v1/reports/person-access', { ...REPORT_BODY, controller: 'jelgava' }), expect: 'D D D D D D D D D D' },
  { route: 'get /api/v1/reports', tenant: '-', req: get('/api/v1/reports'), expect: 'D D D D A D D D D D' },
  { route: 'get /api/v1/reports/:file', tenant: 'own', req: async (f) => ({ method: 'get', path: `/api/v1/reports/${await matrixReport(f, 'riga')}` }), expect: 'D D D D A D D D D D' },
  { route: 'get /api/v1/reports/:file', tenant: 'foreign', req: async (f) => ({ method: 'get', path: `/api/v1/reports/${await matrixReport(f, 'jelgava')}` }), expect: 'D D D D H D D D D D' },
  { route: 'get /api/v1/mfa/policy', tenant: '-', req: get('/api/v1/mfa/policy'),                             expect: 'A D A D D D D A D D' },
  // Incidents (issue 6): the SOC and tenant officers manage, dpo reads and handles its tenant's GDPR notices, auditors
  // read; a foreign tenant's case is hidden (404); notices are reviewed and sent by a person (a token gets 403).
  { route: 'get /api/v1/incidents', tenant: 'own', req: get('/api/v1/incidents?tenant=riga'), expect: 'A A A A A D D A D D' },
  { route: 'get /api/v1/incidents', tenant: 'foreign', req: get('/api/v1/incidents?tenant=jelgava'), expect: 'A A A D D D D A D D' },
  { route: 'post /api/v1/incidents', tenant: 'own', req: post('/api/v1/incidents', { title: 'matrix', severity: 'low', ownerTenant: 'riga', awareAt: '2026-11-30T08:00:00Z' }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents', tenant: 'foreign', req: post('/api/v1/incidents', { title: 'matrix', severity: 'low', ownerTenant: 'jelgava', awareAt: '2026-11-30T08:00:00Z' }), expect: 'A A D D D D D A D D' },
  { route: 'get /api/v1/incidents/:id', tenant: 'own', req: inc('riga', 'get', (x) => `/api/v1/incidents/${x.id}`), expect: 'A A A A A D D A D D' },
  { route: 'get /api/v1/incidents/:id', tenant: 'foreign', req: inc('jelgava', 'get', (x) => `/api/v1/incidents/${x.id}`), expect: 'A A A H H D D A D D' },
  { route: 'post /api/v1/incidents/:id', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}`, { severity: 'high' }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id', tenant: 'foreign', req: inc('jelgava', 'post', (x) => `/api/v1/incidents/${x.id}`, { severity: 'high' }), expect: 'A A D H D D D A D D' },
  { route: 'post /api/v1/incidents/:id/alerts', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/alerts`, { alertIds: ['none'] }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id/notes', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notes`, { text: 'matrix' }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id/notes', tenant: 'foreign', req: inc('jelgava', 'post', (x) => `/api/v1/incidents/${x.id}/notes`, { text: 'matrix' }), expect: 'A A D H D D D A D D' },
  { route: 'post /api/v1/incidents/:id/tasks', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/tasks`, { title: 'matrix' }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id/tasks/:taskId', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/tasks/${randomUUID()}`, { done: true }), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id/classification', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/classification`, {}), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id/notices', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notices`, { kind: 'gdpr-controller-to-dvi', audience: 'riga' }), expect: 'A A D A A D D A D D' },
  { route: 'post /api/v1/incidents/:id/notices', tenant: 'foreign', req: inc('jelgava', 'post', (x) => `/api/v1/incidents/${x.id}/notices`, { kind: 'gdpr-controller-to-dvi', audience: 'jelgava' }), expect: 'A A D H H D D A D D' },
  { route: 'post /api/v1/incidents/:id/notices/fan-out', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notices/fan-out`, {}), expect: 'A A D A D D D A D D' },
  { route: 'post /api/v1/incidents/:id/notices/:noticeId', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notices/${x.notice}`, { lang: 'lv' }), expect: 'A A D A A D D A D D' },
  { route: 'post /api/v1/incidents/:id/notices/:noticeId/review', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notices/${x.notice}/review`, { decision: 'approve' }), expect: 'A A D A A D D D D D' },
  { route: 'post /api/v1/incidents/:id/notices/:noticeId/review', tenant: 'foreign', req: inc('jelgava', 'post', (x) => `/api/v1/incidents/${x.id}/notices/${x.notice}/review`, { decision: 'approve' }), expect: 'A A D H H D D D D D' },
  { route: 'post /api/v1/incidents/:id/notices/:noticeId/send', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notices/${x.draft}/send`), expect: 'A A D A A D D D D D' },
  { route: 'post /api/v1/incidents/:id/notices/:noticeId/sent-elsewhere', tenant: 'own', req: inc('riga', 'post', (x) => `/api/v1/incidents/${x.id}/notices/${x.draft}/sent-elsewhere`, { sentAt: '2026-11-30T08:00:00Z', channel: 'dvi-eform', to: ['DVI'] }), expect: 'A A D A A D D D D D' },
  { route: 'get /api/v1/incidents/:id/notices/:noticeId/export', tenant: 'own', req: inc('riga', 'get', (x) => `/api/v1/incidents/${x.id}/notices/${x.notice}/export?format=json`), expect: 'A A A A A D D A D D' },
  { route: 'get /api/v1/incidents/:id/notices/:noticeId/export', tenant: 'foreign', req: inc('jelgava', 'get', (x) => `/api/v1/incidents/${x.id}/notices/${x.notice}/export?format=json`), expect: 'A A A H H D D A D D' },
  // Deliveries (issue 6): the record of e-mail and webhooks, read by ZZ Dats staff and auditors of every tenant.
  { route: 'get /api/v1/deliveries', tenant: 'own', req: get('/api/v1/deliveries?tenant=riga'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/deliveries', tenant: 'foreign', req: get('/api/v1/deliveries?tenant=jelgava'), expect: 'A A A D D D D A D D' },
  { route: 'get /api/v1/deliveries/:id', tenant: '-', req: get('/api/v1/deliveries/00000000-0000-4000-8000-000000000000'), expect: 'A A A D D D D A D D' },

  // `self`: every signed-in user, never a token. Bodies are malformed on purpose (400 after the guard, no factor
  // is tried, so nothing counts towards the throttle); sign-out runs last (it ends the session).
  { route: 'get /api/v1/auth/session', tenant: '-', req: get('/api/v1/auth/session'),                         expect: 'A A A A A A A D D D' },
  { route: 'post /api/v1/auth/step-up/totp', tenant: '-', req: post('/api/v1/auth/step-up/totp', {}),         expect: 'A A A A A A A D D D' },
  { route: 'post /api/v1/auth/step-up/webauthn/options', tenant: '-', req: post('/api/v1/auth/step-up/webauthn/options'), expect: 'A A A A A A A D D D' },
  { route: 'post /api/v1/auth/step-up/webauthn', tenant: '-', req: post('/api/v1/auth/step-up/webauthn', {}), expect: 'A A A A A A A D D D' },
  { route: 'post /api/v1/auth/step-up/recovery', tenant: '-', req: post('/api/v1/auth/step-up/recovery', {}), expect: 'A A A A A A A D D D' },
  { route: 'post /api/v1/auth/logout', tenant: '-', req: post('/api/v1/auth/logout'),                         expect: 'A A A A A A A D D D' },
];

/** Does the answer satisfy the cell? Returns a reason when not. */
function check(cell: Cell, r: HttpAnswer): string | undefined {
  const s = r.status;
  if (cell === 'A') return s !== 401 && s !== 403 && s < 500 ? undefined : `expected allowed, got ${s}`;
  if (cell === 'D') return s === 403 ? undefined : `expected 403, got ${s}`;
  if (cell === 'H') return s === 404 ? undefined : `expected 404 (hidden), got ${s}`;
  if (s === 400 || s === 403) return undefined;
  if (s !== 200) return `expected 400/403 or an empty 200, got ${s}`;
  if (r.text.includes('jelgava')) return 'a foreign-tenant (jelgava) value leaked';
  if (typeof r.body?.count === 'number' && r.body.count !== 0) return `foreign count ${r.body.count}, expected 0`;
  if (Array.isArray(r.body?.events) && r.body.events.length !== 0) return `${r.body.events.length} foreign events`;
  return undefined;
}

/** A vps_audit record of one tenant (the collector token fixes the tenant). */
const auditLine = (org: string, i: number) =>
  JSON.stringify({ ts: new Date(Date.now() - i * 60_000).toISOString(), app: 'SOPA', org, user: `${org}.user${i}`, action: 'view', outcome: 'success', id: `${org}-matrix-${i}` });

describe('authorisation matrix: role × route × own/foreign tenant (real app, PGlite)', () => {
  let sargs: RunningSargs;
  const clients = {} as Record<Who, HttpClient>;
  const users = {} as Record<string, EnrolledUser>;
  let fix: Fix;

  beforeAll(async () => {
    sargs = await startSargs();
    const platform = (role: 'platform-admin' | 'soc-analyst' | 'auditor') => [{ role, tenant: '*' }];
    const inRiga = (role: 'security-officer' | 'dpo' | 'municipality-reviewer') => [{ role, tenant: 'riga' }];
    const specs: Array<[Exclude<Who, `t${string}`>, string, Array<{ role: any; tenant: string }>]> = [
      ['admin', 'zzdats', platform('platform-admin')],
      ['soc', 'zzdats', platform('soc-analyst')],
      ['auditor', 'zzdats', platform('auditor')],
      ['officer', 'riga', inRiga('security-officer')],
      ['dpo', 'riga', inRiga('dpo')],
      ['reviewer', 'riga', inRiga('municipality-reviewer')],
      ['norole', 'riga', []],
    ];
    for (const [who, tenant, roles] of specs) users[who] = await enrolUser(sargs, { tenant, username: `matrix-${who}`, roles });
    for (const [who] of specs) clients[who] = await signIn(sargs.url, users[who]);
    const tokens = sargs.runtime.ctx.tokens;
    clients.tAdmin = httpClient(sargs.url, { bearer: sargs.adminToken });
    clients.tCollector = httpClient(sargs.url, { bearer: (await tokens.create({ kind: 'collector', tenant: 'riga', source: 'matrix' })).token });
    clients.tVps = httpClient(sargs.url, { bearer: (await tokens.create({ kind: 'vps-application', tenant: 'riga', source: 'SOPA' })).token });

    const rigaUser = await enrolUser(sargs, { tenant: 'riga', username: 'matrix-target' });
    const jelgavaUser = await enrolUser(sargs, { tenant: 'jelgava', username: 'matrix-target' });
    fix = { sargs, rigaUser: rigaUser.id, jelgavaUser: jelgavaUser.id, enrolling: async (t) => (await enrollingUser(sargs, t)).id, incident: (t) => incidentOf(sargs, t) };

    // Events of both tenants, shipped by each tenant's collector, before anyone reads.
    const jelgavaCollector = httpClient(sargs.url, { bearer: await sargs.tokenFor('jelgava', 'matrix') });
    for (const [c, org] of [[clients.tCollector, 'riga'], [jelgavaCollector, 'jelgava']] as const) {
      const r = await c.call('post', '/api/v1/ingest?parser=vps_audit', undefined, { raw: [0, 1, 2].map((i) => auditLine(org, i)).join('\n') + '\n', contentType: 'application/x-ndjson' });
      expect(r.status).toBe(200);
      expect(r.body.created + r.body.spooled).toBe(3);
    }
    await eventually(async () => {
      const r = await clients.tAdmin.call('get', '/api/v1/events/count?tenant=jelgava&app=SOPA');
      return r.body?.count === 3 && (await clients.tAdmin.call('get', '/api/v1/events/count?tenant=riga&app=SOPA')).body?.count === 3;
    });
  });
  afterAll(async () => {
    await sargs?.close();
  });

  it('has a row for every non-public route of allRoutes(), and only for those', () => {
    const routes = allRoutes(sargs.runtime.ctx).filter((r) => r.permission !== 'public').map((r) => `${r.method} ${r.path}`);
    const covered = new Set(MATRIX.map((r) => r.route));
    expect(routes.filter((r) => !covered.has(r))).toEqual([]);
    expect([...covered].filter((r) => !routes.includes(r))).toEqual([]);
    for (const r of MATRIX) expect(r.expect.split(/\s+/)).toHaveLength(PRINCIPALS.length);
  });

  it('answers every principal on every route as the table says', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const row of MATRIX) {
      const want = row.expect.split(/\s+/) as Cell[];
      for (const [i, who] of PRINCIPALS.entries()) {
        const req = await row.req(fix);
        const r = await clients[who].call(req.method, req.path, req.body, { raw: req.raw, contentType: req.contentType });
        cells += 1;
        const why = check(want[i], r);
        if (why) failures.push(`${who.padEnd(10)} ${row.route} [${row.tenant}] ${req.path}: ${why} ${r.status >= 400 ? (r.body?.code ?? '') : ''}`);
      }
    }
    expect(failures).toEqual([]);
    expect(cells).toBe(MATRIX.length * PRINCIPALS.length);
  });
});

describe('tenant isolation in results (real app, PGlite)', () => {
  let sargs: RunningSargs;
  let officer: HttpClient;
  let reviewer: HttpClient;
  let admin: HttpClient;

  beforeAll(async () => {
    sargs = await startSargs();
    const o = await enrolUser(sargs, { tenant: 'riga', username: 'iso-officer', roles: [{ role: 'security-officer', tenant: 'riga' }] });
    const rv = await enrolUser(sargs, { tenant: 'riga', username: 'iso-reviewer', roles: [{ role: 'municipality-reviewer', tenant: 'riga' }] });
    await enrolUser(sargs, { tenant: 'jelgava', username: 'iso-jelgava' });
    officer = await signIn(sargs.url, o);
    reviewer = await signIn(sargs.url, rv);
    admin = httpClient(sargs.url, { bearer: sargs.adminToken });
    for (const org of ['riga', 'jelgava']) {
      const c = httpClient(sargs.url, { bearer: await sargs.tokenFor(org, 'iso') });
      const r = await c.call('post', '/api/v1/ingest?parser=vps_audit', undefined, { raw: [0, 1, 2, 3].map((i) => auditLine(org, i)).join('\n') + '\n', contentType: 'application/x-ndjson' });
      expect(r.status).toBe(200);
    }
    await eventually(async () => (await admin.call('get', '/api/v1/events/count?app=SOPA')).body?.count === 8);
  });
  afterAll(async () => {
    await sargs?.close();
  });

  it('never gives a riga security officer jelgava events, whatever the query', async () => {
    // Naming the foreign tenant is refused outright (403 tenant_out_of_scope), as MFA coverage does.
    const foreign = await officer.call('get', '/api/v1/events?tenant=jelgava');
    expect(foreign.status).toBe(403);
    expect(foreign.body.code).toBe('tenant_out_of_scope');
    const count = await officer.call('get', '/api/v1/events/count?tenant=jelgava');
    expect(count.status).toBe(403);
    // A filter on the user name of a jelgava event finds nothing either.
    expect((await officer.call('get', '/api/v1/events?user=jelgava.user1')).body.events).toEqual([]);
  });

  it('answers /api/v1/events without a tenant with riga events only', async () => {
    const r = await officer.call('get', '/api/v1/events?size=1000');
    expect(r.status).toBe(200);
    const tenants = new Set(r.body.events.map((e: { vps?: { tenant?: string } }) => e.vps?.tenant));
    expect([...tenants]).toEqual(['riga']);
    expect(r.body.events.filter((e: { service?: { name?: string } }) => e.service?.name === 'SOPA')).toHaveLength(4);
    expect(r.text).not.toContain('jelgava');
    expect((await officer.call('get', '/api/v1/events/count?app=SOPA')).body.count).toBe(4);
    // The platform token sees both tenants: the isolation above is the scope, not missing data.
    expect((await admin.call('get', '/api/v1/events/count?tenant=jelgava&app=SOPA')).body.count).toBe(4);
  });

  it('limits the overview, users and MFA coverage of riga roles to riga', async () => {
    const o = await officer.call('get', '/api/v1/stats/overview');
    expect(o.status).toBe(200);
    expect(o.text).not.toContain('jelgava');
    const u = await reviewer.call('get', '/api/v1/users');
    expect(u.status).toBe(200);
    expect(u.body.items.length).toBeGreaterThan(0);
    expect(new Set(u.body.items.map((x: { tenant: string }) => x.tenant))).toEqual(new Set(['riga']));
    const c = await reviewer.call('get', '/api/v1/mfa/coverage');
    expect(c.status).toBe(200);
    expect(c.text).not.toContain('"jelgava"');
    expect((await reviewer.call('get', '/api/v1/mfa/coverage?tenant=jelgava')).status).toBe(403);
  });
});
