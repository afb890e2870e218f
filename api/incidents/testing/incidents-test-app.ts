import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../../core/errors';
import type { SqlClient } from '../../../core/sql/sql-client';
import { createAuditLog } from '../../../core/stores/audit-log';
import { createSqlAlertStore } from '../../../core/stores/sql-alert-store';
import { createOutbox, type DeliveryOutbox, type DeliveryWorker } from '../../../core/delivery/outbox';
import { createSmtpTransport } from '../../../core/delivery/smtp-transport';
import { TEST_POLICY } from '../../../core/delivery/testing/delivery-setups';
import { freePort, startSmtpTestServer, type SmtpTestServer, type SmtpTestServerOptions } from '../../../core/delivery/testing/smtp-test-server';
import { SqlJobQueue } from '../../../core/jobs/sql-queue';
import { uniqueName } from '../../../core/testing/services';
import { loadTenants } from '../../../core/tenants';
import { adminToken } from '../../authz/authz.contract';
import { createAuthz } from '../../authz/authz';
import type { Principal } from '../../authz/principal';
import { problemHandler } from '../../problem';
import { routeGuard } from '../../route-guard';
import { createIncidentService, type IncidentService } from '../incident.service';
import { createIncidentStore } from '../incident.store';
import { incidentRoutes } from '../incident.routes';
import { loadIncidentPolicy } from '../incident-policy';

/**
 * The people of the incident tests, by the name a request gives in `x-test-user` or as its Bearer value. Users
 * passed a second factor just now (step-up is fresh) unless their name ends in `-stale`.
 */
export const INCIDENT_USERS: Record<string, Principal> = {
  soc: { kind: 'user', id: 'u-soc', name: 'soc.analyst', tenant: 'zzdats' },
  riga: { kind: 'user', id: 'u-riga', name: 'riga.officer', tenant: 'riga' },
  rigaDpo: { kind: 'user', id: 'u-rdpo', name: 'riga.dpo', tenant: 'riga' },
  jelgava: { kind: 'user', id: 'u-jelg', name: 'jelgava.officer', tenant: 'jelgava' },
  auditor: { kind: 'user', id: 'u-aud', name: 'auditor', tenant: 'zzdats' },
  'soc-stale': { kind: 'user', id: 'u-soc', name: 'soc.analyst', tenant: 'zzdats' },
  token: { kind: 'token', id: 'tok', name: 'token:tok', tenant: '*', tokenKind: 'platform-admin' },
};

/**
 * A real express app serving the incident routes on the real stores (tests): Authz from policies/roles.yaml with
 * the roles of INCIDENT_USERS, the SQL alert and incident stores, the real outbox (core/delivery) on the embedded
 * job runner sending to a real SMTP server (smtp-server) on a free port, the project's route guard (step-up
 * included), the dashboard pages. `clock.offsetMs` moves the service's time (escalation tests).
 */
export async function startIncidentsApp(sql: SqlClient, opts: { withOutbox?: boolean; smtpOnData?: SmtpTestServerOptions['onDataPhase'] } = {}) {
  const audit = createAuditLog(sql);
  const authz = await createAuthz(sql, audit);
  await authz.assignRole('user:u-soc', 'soc-analyst', '*', adminToken);
  await authz.assignRole('user:u-riga', 'security-officer', 'riga', adminToken);
  await authz.assignRole('user:u-rdpo', 'dpo', 'riga', adminToken);
  await authz.assignRole('user:u-jelg', 'security-officer', 'jelgava', adminToken);
  await authz.assignRole('user:u-aud', 'auditor', '*', adminToken);
  const alerts = createSqlAlertStore(sql);
  await alerts.init();
  const tenants = loadTenants();
  const clock = { offsetMs: 0 };
  const service: IncidentService = createIncidentService({
    store: createIncidentStore(sql),
    audit,
    policy: loadIncidentPolicy(),
    alerts,
    tenantName: (id) => tenants.byId.get(id)?.name ?? id,
    now: () => Date.now() + clock.offsetMs,
  });

  let smtp: SmtpTestServer | undefined;
  let outbox: DeliveryOutbox | undefined;
  let worker: DeliveryWorker | undefined;
  const jobs = new SqlJobQueue({ sql, pollIntervalMs: 50, leaseMs: 2000 });
  if (opts.withOutbox !== false) {
    const port = await freePort();
    smtp = await startSmtpTestServer({ port, ...(opts.smtpOnData ? { onDataPhase: opts.smtpOnData } : {}) });
    outbox = createOutbox({
      sql, jobs, queue: uniqueName('delivery'), policy: TEST_POLICY, alerts,
      transports: { email: createSmtpTransport({ url: `smtp://127.0.0.1:${port}`, from: 'Sargs <sargs@zzdats.example>', timeoutMs: TEST_POLICY.smtpTimeoutMs }) },
    });
    service.attachOutbox(outbox);
    worker = outbox.startWorker();
  }

  const app = express();
  const stale = new Set(['soc-stale']);
  for (const r of incidentRoutes({ authz, tenants: tenants.ids }, { service, alerts })) {
    const guard = routeGuard(r, {
      authenticate: async (req) => {
        const who = String(req.headers['x-test-user'] ?? /^Bearer ([\w-]+)$/.exec(req.headers.authorization ?? '')?.[1]);
        const p = INCIDENT_USERS[who];
        return p && { ...p, ...(p.kind === 'user' ? { mfaAt: stale.has(who) ? 0 : Date.now() } : {}) };
      },
      scope: (p, perm) => authz.scope(p, perm),
      stepUpMinutes: 15,
    });
    app[r.method](r.path, guard, express.json({ limit: '1mb' }), async (req: Request, res: Response, next: NextFunction) => {
      try {
        await r.handler(req, res, res.locals.principal);
      } catch (err) {
        next(err);
      }
    });
  }
  app.use(express.static(path.resolve(__dirname, '..', '..', '..', 'dashboard', 'public')));
  app.use((req, _res, next) => next(new AppError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(problemHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A JSON call as `who`. */
  async function call(who: string, method: 'GET' | 'POST', p: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers; bytes: Buffer }> {
    const res = await fetch(url + p, { method, headers: { 'x-test-user': who, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body) });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    return { status: res.status, headers: res.headers, bytes, body: type.includes('json') ? JSON.parse(bytes.toString('utf8') || 'null') : undefined };
  }

  return {
    url, service, alerts, audit, outbox, smtp, clock, call,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await worker?.close({ force: true });
      await jobs.close({ force: true });
      await smtp?.close();
    },
  };
}
