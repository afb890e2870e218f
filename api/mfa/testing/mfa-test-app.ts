import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppError } from '../../../core/errors';
import { createSecretBox } from '../../../core/secret-box';
import type { SqlClient } from '../../../core/sql/sql-client';
import { createAuditLog } from '../../../core/stores/audit-log';
import { createSqlEventStore } from '../../../core/stores/sql-event-store';
import { createLoginThrottle } from '../../auth/accounts/login-throttle';
import { loadAuthPolicy } from '../../auth/accounts/auth-policy';
import { createFactorService } from '../../auth/factors/factor.service';
import type { AuthEvent } from '../../auth/factors/factor.types';
import type { Principal } from '../../authz/principal';
import { problemHandler } from '../../problem';
import { createTokenStore } from '../../tokens/token.store';
import { parseMfaPolicy } from '../mfa-policy';
import { mfaRoutes } from '../mfa.routes';
import type { ValidateEvent } from '../validate.service';

export const TEST_TENANTS = new Set(['riga', 'adazu-novads', 'zzdats']);
export const RP = { id: 'sargs.test', name: 'Sargs', origin: 'https://sargs.test' };

/** The MFA policy of the tests: SOPA without recovery codes, everything else TOTP, WebAuthn and recovery. */
export const testPolicy = () =>
  parseMfaPolicy(
    {
      rules: [
        { tenant: '*', application: '*', role: '*', required: true, methods: ['totp', 'webauthn', 'recovery'] },
        { tenant: '*', application: 'SOPA', role: '*', required: true, methods: ['totp', 'webauthn'] },
      ],
    },
    { file: 'test-mfa.yaml', tenants: TEST_TENANTS },
  );

/**
 * A real express app serving mfaRoutes over HTTP, with a test guard in place of the lead's: `Authorization:
 * Bearer <token>` is checked against the real token store (a vps-application token may only `mfa:validate`);
 * `X-Test-User: <tenant>` stands for a signed-in officer of that tenant (zzdats: every tenant), who may do
 * everything else. Clock: `clock.ms` drives the factor service and the throttle.
 */
export async function startMfaApp(sql: SqlClient) {
  const authEvents: AuthEvent[] = [];
  const validateEvents: ValidateEvent[] = [];
  const clock = { ms: Date.now() };
  const tokens = createTokenStore(sql);
  const events = createSqlEventStore(sql);
  const audit = createAuditLog(sql);
  const factors = createFactorService({ sql, secretBox: createSecretBox(randomBytes(32)), rp: RP, onEvent: (e) => void authEvents.push(e), now: () => clock.ms });
  const throttle = createLoginThrottle(sql, loadAuthPolicy().throttle);
  const routes = mfaRoutes({
    sql,
    events,
    factors,
    policy: testPolicy(),
    audit,
    tenants: TEST_TENANTS,
    tenantName: (id) => ({ riga: 'Rīgas valstspilsēta', 'adazu-novads': 'Ādažu novads' })[id],
    scopeOf: (p) => (p.tenant === 'zzdats' ? '*' : [p.tenant]),
    onEvent: (e) => void validateEvents.push(e),
    throttle,
    now: () => clock.ms,
  });

  async function principalOf(req: Request): Promise<Principal> {
    const bearer = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (bearer) {
      const r = await tokens.verify(bearer);
      if (!r.ok) throw new AppError(401, 'unauthorized', r.reason);
      return { kind: 'token', id: r.info.id, name: `token:${r.info.id}`, tenant: r.info.tenant, tokenKind: r.info.kind, source: r.info.source };
    }
    const tenant = req.get('x-test-user');
    if (tenant) return { kind: 'user', id: `officer-${tenant}`, name: `officer@${tenant}`, tenant, mfaAt: clock.ms };
    throw new AppError(401, 'unauthorized', 'no credentials');
  }

  const app = express();
  for (const r of routes) {
    const body = r.body === 'raw' ? express.raw({ type: () => true, limit: '1mb' }) : (_q: Request, _s: Response, n: NextFunction) => n();
    app[r.method](r.path, body, async (req: Request, res: Response, next: NextFunction) => {
      try {
        const p = await principalOf(req);
        const isApp = p.kind === 'token' && p.tokenKind === 'vps-application';
        if (isApp !== (r.permission === 'mfa:validate')) throw new AppError(403, 'forbidden', `not permitted: ${r.permission}`);
        await r.handler(req, res, p);
      } catch (err) {
        next(err);
      }
    });
  }
  app.use(problemHandler());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** A request; JSON bodies by default, a string body as is with `contentType`. */
  async function call(method: string, path: string, o: { token?: string; user?: string; body?: unknown; contentType?: string } = {}) {
    const headers: Record<string, string> = {};
    if (o.token) headers.authorization = `Bearer ${o.token}`;
    if (o.user) headers['x-test-user'] = o.user;
    let body: string | undefined;
    if (o.body !== undefined) {
      headers['content-type'] = o.contentType ?? 'application/json';
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    }
    const res = await fetch(url + path, { method, headers, body });
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer()); // keeps a BOM to be checked
    const json = (res.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : undefined;
    return { status: res.status, body: json as Record<string, any>, text, headers: res.headers };
  }

  return { url, call, clock, tokens, events, factors, audit, authEvents, validateEvents, close: () => new Promise<void>((r) => server.close(() => r())) };
}
