import path from 'node:path';
import fs from 'node:fs';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { AppContext } from './app-context';
import { createTokenAuthenticator } from './auth/authenticate';
import { deadLetterRoutes } from './deadletter/deadletter.routes';
import { eventRoutes } from './events/events.routes';
import { healthRoutes } from './health/health.routes';
import { bulkRoutes } from './ingest/bulk.routes';
import { ingestRoutes } from './ingest/ingest.routes';
import { buildOpenApi } from './openapi/openapi';
import { problemHandler, sendProblem } from './problem';
import type { RouteDef } from './route';
import { tokenRoutes } from './tokens/token.routes';
import { accountRoutes } from './auth/accounts/account.routes';
import { mfaRoutes } from './mfa/mfa.routes';
import { roleRoutes } from './roles/role.routes';
import { alertRoutes } from './alerts/alert.routes';
import { watchlistRoutes } from './alerts/watchlist.routes';
import { incidentRoutes } from './incidents/incident.routes';
import { deliveryRoutes } from './deliveries/delivery.routes';
import { personAccessRoutes } from './reports/person-access.routes';
import { pkiRoutes } from '../pki/pki.routes';
import { caseRoutes } from './cases/case.routes';
import { municipalityRoutes } from './municipality/municipality.routes';
import { sessionAuthenticator } from './auth/sessions/session-authenticator';
import { routeGuard, type GuardDeps } from './route-guard';

/** Every route of the API, in one table (api/routes.test.ts checks each has a permission and an OpenAPI entry). */
export function allRoutes(ctx: AppContext): RouteDef[] {
  const routes: RouteDef[] = [
    ...healthRoutes(ctx),
    ...ingestRoutes(ctx),
    ...eventRoutes(ctx),
    ...deadLetterRoutes(ctx),
    ...tokenRoutes(ctx),
    ...bulkRoutes(ctx),
    ...accountRoutes(ctx, { sql: ctx.identity.sql, factors: ctx.identity.factors, onEvent: ctx.identity.writeAuthEvent, policy: ctx.identity.policy, authz: ctx.authz }),
    ...mfaRoutes(ctx.mfa.deps, ctx.mfa.services),
    ...roleRoutes(ctx),
    ...alertRoutes(ctx, { alerts: ctx.detection.alerts, suppressions: ctx.detection.suppressions }),
    ...watchlistRoutes(ctx, { watchlist: ctx.detection.watchlist }),
    ...incidentRoutes(ctx, { service: ctx.incidents, alerts: ctx.detection.alerts }),
    ...deliveryRoutes(ctx, { outbox: ctx.delivery.outbox }),
    ...caseRoutes(ctx, { cases: ctx.cases.service, tenantsById: ctx.cases.tenantsById }),
    ...municipalityRoutes(ctx),
    ...personAccessRoutes(ctx),
    ...pkiRoutes(ctx),
  ];
  routes.push({
    method: 'get',
    path: '/api/v1/openapi.json',
    permission: 'public',
    summary: 'This OpenAPI document',
    tags: ['system'],
    handler: (_req, res) => void res.json(buildOpenApi(routes, ctx.config.version)),
  });
  return routes;
}

function dashboardDir(): string | undefined {
  return [path.resolve(__dirname, '..', 'dashboard', 'public'), path.resolve(__dirname, '..', '..', 'dashboard', 'public')].find((d) =>
    fs.existsSync(path.join(d, 'index.html')),
  );
}

function chartJsFile(): string {
  // chart.js does not export its UMD build's path; it sits beside the CommonJS entry in dist/.
  return path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.js');
}

/** The express app: security headers, routes with their permission checks, dashboard, problem+json errors. */
export function createApp(ctx: AppContext): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // Security headers (helmet): a strict CSP for the dashboard (no inline script or style), no framing, no referrer.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          styleSrc: ["'self'"],
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // HSTS only makes sense behind https (SARGS_PUBLIC_URL); browsers ignore it on http.
      strictTransportSecurity: ctx.config.publicUrl.startsWith('https:'),
    }),
  );

  const tokenAuth = createTokenAuthenticator(ctx.tokens);
  const bySession = sessionAuthenticator({ sql: ctx.identity.sql, policy: ctx.identity.policy });
  const guardDeps: GuardDeps = {
    authenticate: async (req) => (await bySession(req)) ?? (await tokenAuth(req)),
    scope: (principal, permission) => ctx.authz.scope(principal, permission),
    stepUpMinutes: ctx.identity.policy.stepUpMinutes,
  };
  const raw = express.raw({ type: () => true, limit: ctx.config.maxBodyBytes, inflate: true });
  const json = express.json({ limit: '1mb', strict: true });

  // GET / is the dashboard for browsers and Elasticsearch's product information for shippers (Filebeat, Logstash).
  app.get('/', (req: Request, _res: Response, next: NextFunction) => {
    if (req.accepts(['html', 'json']) !== 'html') req.url = '/_es';
    next();
  });

  // Every route behind one guard (api/route-guard.ts): principal, CSRF, step-up, the permission held somewhere.
  for (const r of allRoutes(ctx)) {
    const guard = routeGuard(r, guardDeps);
    const body = r.body === 'raw' ? raw : r.method === 'post' ? json : (_q: Request, _s: Response, n: NextFunction) => n();
    app[r.method](r.path, guard, body, async (req: Request, res: Response, next: NextFunction) => {
      try {
        await r.handler(req, res, res.locals.principal);
      } catch (err) {
        next(err);
      }
    });
  }

  const dir = dashboardDir();
  app.get('/vendor/chart.umd.js', (_req, res) => res.sendFile(chartJsFile()));
  // @simplewebauthn/browser's exports do not list its UMD bundle; it sits in dist/bundle beside the entry.
  const webauthnBrowser = path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js');
  app.get('/vendor/simplewebauthn-browser.js', (_req, res) => res.sendFile(webauthnBrowser));
  if (dir) app.use(express.static(dir, { index: 'index.html', maxAge: '5m' }));
  app.use((req, res) => sendProblem(res, 404, 'not_found', `no route ${req.method} ${req.path}`));
  app.use(problemHandler(ctx.logger));
  return app;
}
