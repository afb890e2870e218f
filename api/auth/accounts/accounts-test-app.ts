import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createSecretBox } from '../../../core/secret-box';
import type { SqlClient } from '../../../core/sql/sql-client';
import { createAuditLog } from '../../../core/stores/audit-log';
import { problemHandler } from '../../problem';
import { createFactorService } from '../factors/factor.service';
import { TOTP_DEFAULTS, totpCode } from '../factors/totp';
import { sessionAuthenticator } from '../sessions/session-authenticator';
import { routeGuard, type GuardDeps } from '../../route-guard';
import { homeTenantAuthz } from './user-admin.routes';
import { accountRoutes } from './account.routes';
import { createAccountService } from './account.service';
import { loadAuthPolicy, type AuthPolicy } from './auth-policy';
import type { AuthEvent } from './identity-types';

type Override = Parameters<typeof loadAuthPolicy>[1];

/**
 * A real express app serving the account routes behind the app's own guard (api/route-guard.ts) with the session
 * authenticator (tests only): 'public' passes, anything else needs a full session, CSRF and (stepUp) a fresh mfaAt.
 * The factor service's clock is `Date.now() + clock.offsetMs`, so that tests can move to the next TOTP step.
 */
export async function startAccountsApp(sql: SqlClient, override?: Override) {
  const policy: AuthPolicy = loadAuthPolicy(undefined, override);
  const events: AuthEvent[] = [];
  const clock = { offsetMs: 0 };
  const onEvent = (e: AuthEvent) => void events.push(e);
  const app = express();
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // Browsers refuse an IP address as WebAuthn RP ID: pages are opened at http://localhost:<port>.
  const pageUrl = `http://localhost:${port}`;
  const factors = createFactorService({ sql, secretBox: createSecretBox(randomBytes(32)), rp: { id: 'localhost', name: 'Sargs', origin: pageUrl }, onEvent, now: () => Date.now() + clock.offsetMs });
  const audit = createAuditLog(sql);
  const ctx = { config: { publicUrl: pageUrl }, audit, tenants: new Set(['zzdats', 'riga', 'adazu-novads']) };
  const bySession = sessionAuthenticator({ sql, policy });
  app.use(express.json({ limit: '64kb' }));
  // The lead's guard (api/route-guard.ts) with the session authenticator; user administration in the home tenant.
  const guardDeps: GuardDeps = { authenticate: bySession, scope: homeTenantAuthz.scope, stepUpMinutes: policy.stepUpMinutes, now: () => Date.now() };
  for (const r of accountRoutes(ctx, { sql, factors, onEvent, policy })) {
    app[r.method](r.path, routeGuard(r, guardDeps), async (req: Request, res: Response, next: NextFunction) => {
      try {
        await r.handler(req, res, res.locals.principal);
      } catch (err) {
        next(err);
      }
    });
  }
  // The dashboard pages and the WebAuthn browser bundle, as the lead serves them (/vendor/simplewebauthn-browser.js).
  app.get('/vendor/simplewebauthn-browser.js', (_req, res) => res.sendFile(path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js')));
  app.use(express.static(path.resolve(__dirname, '..', '..', '..', 'dashboard', 'public')));
  app.use(problemHandler());
  const accounts = createAccountService({ sql, factors, audit, onEvent, policy, publicUrl: pageUrl, tenants: ctx.tenants });
  // otplib (through FACTORS' totpCode, which gives otplib node:crypto plugins: its defaults are ESM-only under jest)
  const totp = (secret: string) => totpCode(secret, TOTP_DEFAULTS, Math.floor((Date.now() + clock.offsetMs) / 1000));
  return { url, pageUrl, events, clock, policy, accounts, factors, totp, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A fetch client with one cookie jar (the session cookie) and an optional CSRF token. */
export function client(base: string) {
  const c = { cookie: '', csrf: '', lastSetCookie: '' };
  async function call(method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}) {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (c.cookie) headers.cookie = c.cookie;
    if (opts.csrf !== false && c.csrf) headers['x-csrf-token'] = c.csrf;
    const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.getSetCookie();
    if (set.length) {
      c.lastSetCookie = set[set.length - 1];
      const v = /^sargs_session=([^;]*)/.exec(c.lastSetCookie)?.[1] ?? '';
      c.cookie = v ? `sargs_session=${v}` : '';
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as Record<string, any>) : {};
    if (typeof json.csrfToken === 'string') c.csrf = json.csrfToken;
    return { status: res.status, body: json, headers: res.headers };
  }
  return Object.assign(c, { call });
}
