import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SqlClient } from '../../core/sql/sql-client';
import { createAuditLog } from '../../core/stores/audit-log';
import type { AlertStore } from '../../core/stores/alert-store';
import { createSqlAlertStore } from '../../core/stores/sql-alert-store';
import { createSuppressionStore } from '../../core/stores/suppression-store';
import type { DetectionHit } from '../../detection/engine';
import { adminToken } from '../authz/authz.contract';
import { createAuthz } from '../authz/authz';
import type { Principal } from '../authz/principal';
import { problemHandler } from '../problem';
import { alertRoutes } from './alert.routes';
import { routeGuard, type GuardDeps } from '../route-guard';

/** The people of the triage tests, by the name a request gives in `x-test-user` or as its Bearer value. */
export const TEST_USERS: Record<string, Principal> = {
  soc: { kind: 'user', id: 'u-soc', name: 'soc.analyst', tenant: 'zzdats' },
  riga: { kind: 'user', id: 'u-riga', name: 'riga.officer', tenant: 'riga' },
  auditor: { kind: 'user', id: 'u-aud', name: 'auditor', tenant: 'zzdats' },
  dpo: { kind: 'user', id: 'u-dpo', name: 'riga.dpo', tenant: 'riga' },
};

/** A single-event DetectionHit as the engine gives it. */
export const testHit = (ruleId: string, level: DetectionHit['level'], eventId: string, timestamp: string, author?: string): DetectionHit => ({
  ruleId, title: `Rule ${ruleId}`, level, tags: ['attack.collection'], author, kind: 'rule', count: 1, eventIds: [eventId], timestamp,
});

/**
 * A real express app serving the triage routes (tests only, until the lead wires them into startSargs): real Authz
 * from policies/roles.yaml with the roles of TEST_USERS assigned, the real SQL AlertStore and suppression store on
 * `sql`, the app's own guard (api/route-guard.ts), the dashboard pages and chart.js.
 */
export async function startAlertsApp(sql: SqlClient) {
  const audit = createAuditLog(sql);
  const authz = await createAuthz(sql, audit);
  await authz.assignRole('user:u-soc', 'soc-analyst', '*', adminToken);
  await authz.assignRole('user:u-riga', 'security-officer', 'riga', adminToken);
  await authz.assignRole('user:u-aud', 'auditor', '*', adminToken);
  await authz.assignRole('user:u-dpo', 'dpo', 'riga', adminToken);
  const alerts: AlertStore = createSqlAlertStore(sql);
  await alerts.init();
  const ctx = { authz, audit, tenants: new Set(['zzdats', 'riga', 'ventspils']) };
  const app = express();
  app.use(express.json());
  // The app's own guard (api/route-guard.ts); the caller is named by `x-test-user` or a Bearer value.
  const guardDeps: GuardDeps = {
    authenticate: async (req) => TEST_USERS[String(req.headers['x-test-user'] ?? /^Bearer (\w+)$/.exec(req.headers.authorization ?? '')?.[1])],
    scope: (principal, permission) => authz.scope(principal, permission),
    stepUpMinutes: 15,
  };
  for (const r of alertRoutes(ctx, { alerts, suppressions: createSuppressionStore(sql) })) {
    app[r.method](r.path, routeGuard(r, guardDeps), async (req: Request, res: Response, next: NextFunction) => {
      try {
        await r.handler(req, res, res.locals.principal);
      } catch (err) {
        next(err);
      }
    });
  }
  app.get('/vendor/chart.umd.js', (_req, res) => res.sendFile(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js')));
  app.use(express.static(path.resolve(__dirname, '..', '..', 'dashboard', 'public')));
  app.use(problemHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, alerts, audit, close: () => new Promise<void>((r) => server.close(() => r())) };
}
