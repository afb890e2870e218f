import type { SqlClient } from '../../core/sql/sql-client';
import { createAuditLog } from '../../core/stores/audit-log';
import type { AlertStore } from '../../core/stores/alert-store';
import { openTestSql } from '../../core/testing/services';
import { startAlertsApp, testHit } from './alerts-test-app';

// The triage routes over HTTP with real Authz (policies/roles.yaml) and the real SQL stores on PGlite
// (alerts-test-app.ts); the caller is chosen per request by a test header, behind the lead's guard.
let sql: SqlClient;
let drop: () => Promise<void>;
let store: AlertStore;
let url: string;
let close: () => Promise<void>;

async function call(who: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, { method, headers: { 'x-test-user': who, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  ({ sql, drop } = await openTestSql('pglite'));
  const app = await startAlertsApp(sql);
  store = app.alerts;
  url = app.url;
  close = app.close;
  await store.record(
    [
      { hit: testHit('r-export', 'high', 'e1', '2026-11-30T21:00:00Z', 'Sigma author'), tenant: 'riga', entity: 'janis.berzins' },
      { hit: testHit('r-export', 'high', 'e2', '2026-11-30T21:01:00Z', 'Sigma author'), tenant: 'riga', entity: 'janis.berzins' },
      { hit: testHit('r-brute', 'medium', 'e3', '2026-11-30T21:02:00Z'), tenant: 'ventspils', entity: '10.0.0.9' },
    ],
    15 * 60_000,
  );
});
afterAll(async () => {
  await close?.();
  await drop?.();
});

test('a storm is one alert; the SOC analyst sees all tenants, the Riga officer only Riga', async () => {
  const all = await call('soc', 'GET', '/api/v1/alerts');
  expect(all.status).toBe(200);
  expect(all.body.total).toBe(2);
  const riga = await call('riga', 'GET', '/api/v1/alerts');
  expect(riga.body.alerts.map((a: { tenant: string }) => a.tenant)).toEqual(['riga']);
  expect(riga.body.alerts[0]).toMatchObject({ count: 2, author: 'Sigma author', evidence: ['e1', 'e2'] });
  expect((await call('riga', 'GET', '/api/v1/alerts?tenant=ventspils')).status).toBe(403);
  const foreign = all.body.alerts.find((a: { tenant: string }) => a.tenant === 'ventspils');
  expect((await call('riga', 'GET', `/api/v1/alerts/${foreign.id}`)).status).toBe(404);
  expect((await call('riga', 'POST', `/api/v1/alerts/${foreign.id}/status`, { status: 'acknowledged' })).status).toBe(404);
});

test('filters and sort are validated; unknown parameters refused with the field named', async () => {
  expect((await call('soc', 'GET', '/api/v1/alerts?level=high')).body.total).toBe(1);
  expect((await call('soc', 'GET', '/api/v1/alerts?sort=count&size=1')).body.alerts[0].ruleId).toBe('r-export');
  const bad = await call('soc', 'GET', '/api/v1/alerts?levle=high');
  expect(bad.status).toBe(400);
  expect(JSON.stringify(bad.body)).toContain('levle');
  expect((await call('soc', 'GET', '/api/v1/alerts?status=closed')).status).toBe(400);
});

test('stats count by rule, tenant and level within the caller\'s scope', async () => {
  const s = await call('riga', 'GET', '/api/v1/alerts/stats');
  expect(s.status).toBe(200);
  expect(s.body.byTenant).toEqual([{ key: 'riga', count: 1 }]);
  expect(s.body.byLevel).toEqual([{ key: 'high', count: 1 }]);
});

test('triage: assign, status, comment — kept in history with who and when, and audited', async () => {
  const id = (await call('riga', 'GET', '/api/v1/alerts')).body.alerts[0].id;
  expect((await call('riga', 'POST', `/api/v1/alerts/${id}/assign`, { assignee: 'riga.officer' })).body.assignee).toBe('riga.officer');
  expect((await call('riga', 'POST', `/api/v1/alerts/${id}/status`, { status: 'in_progress' })).body.status).toBe('in_progress');
  const c = await call('riga', 'POST', `/api/v1/alerts/${id}/comments`, { text: 'Asked the department head' });
  expect(c.body.comments).toEqual([expect.objectContaining({ by: 'riga.officer', text: 'Asked the department head' })]);
  const mine = c.body.history.filter((h: { by: string }) => h.by === 'riga.officer');
  expect(mine).toHaveLength(3);
  for (const h of mine) expect(Date.parse(h.at)).toBeGreaterThan(Date.now() - 60_000);
  expect((await call('riga', 'POST', `/api/v1/alerts/${id}/status`, { status: 'done' })).status).toBe(400);
  expect((await call('riga', 'POST', `/api/v1/alerts/${id}/comments`, { text: '  ' })).status).toBe(400);
  const log = await createAuditLog(sql).list(10);
  expect(log.filter((e) => e.target === id).map((e) => e.action).sort()).toEqual(['alert.assigned', 'alert.commented', 'alert.status_changed']);
  expect(log.find((e) => e.action === 'alert.status_changed')).toMatchObject({ actor: 'riga.officer', details: { from: 'open', to: 'in_progress' } });
});

test('the auditor reads but may not triage; a DPO neither', async () => {
  const id = (await call('auditor', 'GET', '/api/v1/alerts')).body.alerts[0].id;
  expect((await call('auditor', 'GET', `/api/v1/alerts/${id}`)).status).toBe(200);
  expect((await call('auditor', 'POST', `/api/v1/alerts/${id}/status`, { status: 'closed_benign' })).status).toBe(403);
  expect((await call('dpo', 'GET', '/api/v1/alerts')).status).toBe(403);
});

test('suppressions: reason and a bounded future expiry required; own tenants only; audited', async () => {
  const in30d = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const rule = { tenant: 'riga', ruleId: 'r-export', entityPattern: 'janis.*', reason: 'Year-end export agreed with the DPO', expiresAt: in30d };
  expect((await call('riga', 'POST', '/api/v1/alert-suppressions', { ...rule, reason: '' })).status).toBe(400);
  expect((await call('riga', 'POST', '/api/v1/alert-suppressions', { ...rule, expiresAt: '2020-01-01T00:00:00Z' })).status).toBe(400);
  expect((await call('riga', 'POST', '/api/v1/alert-suppressions', { ...rule, expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() })).status).toBe(400);
  const { expiresAt: _e, ...noExpiry } = rule;
  expect((await call('riga', 'POST', '/api/v1/alert-suppressions', noExpiry)).status).toBe(400);
  expect((await call('riga', 'POST', '/api/v1/alert-suppressions', { ...rule, tenant: 'ventspils' })).status).toBe(403);
  expect((await call('riga', 'POST', '/api/v1/alert-suppressions', { ...rule, tenant: '*' })).status).toBe(403);
  expect((await call('auditor', 'GET', '/api/v1/alert-suppressions')).status).toBe(403);
  const added = await call('riga', 'POST', '/api/v1/alert-suppressions', rule);
  expect(added).toMatchObject({ status: 201, body: { ...rule, createdBy: 'riga.officer' } });
  const soc = await call('soc', 'POST', '/api/v1/alert-suppressions', { ...rule, tenant: 'ventspils' });
  expect(soc.status).toBe(201);
  expect((await call('riga', 'GET', '/api/v1/alert-suppressions')).body.suppressions.map((s: { id: string }) => s.id)).toEqual([added.body.id]);
  expect((await call('riga', 'DELETE', `/api/v1/alert-suppressions/${soc.body.id}`)).status).toBe(404);
  expect((await call('riga', 'DELETE', `/api/v1/alert-suppressions/${added.body.id}`)).status).toBe(204);
  expect((await call('riga', 'DELETE', `/api/v1/alert-suppressions/${added.body.id}`)).status).toBe(404);
  const log = await createAuditLog(sql).list(20);
  expect(log.filter((e) => e.target === added.body.id).map((e) => `${e.actor} ${e.action}`).sort()).toEqual([
    'riga.officer alert_suppression.added',
    'riga.officer alert_suppression.removed',
  ]);
});
