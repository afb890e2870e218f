import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { createAccountService, type AccountService } from '../auth/accounts/account.service';
import { TOTP_DEFAULTS, totpCode } from '../auth/factors/totp';
import type { Principal } from '../authz/principal';
import type { Role } from '../authz/roles';
import type { RunningSargs } from './start-sargs';

/** A password the policy accepts (long, not common, without username or tenant). */
export const TEST_PASSWORD = 'seven green herons over Gauja';

/** The actor of test set-up: a platform-admin token principal (as `sargs init` acts). */
export const SETUP_ACTOR: Principal = { kind: 'token', id: 'test-setup', name: 'test:setup', tenant: '*', tokenKind: 'platform-admin' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The TOTP code of `secret` for the time step `offsetSteps` away from now (RFC 6238 §5.2: the server accepts one
 * step back and one ahead). Waits out the last 2 s of a step first, so that the server sees the same step.
 */
export async function totpNow(secret: string, offsetSteps = 0): Promise<string> {
  const intoStep = Date.now() % 30_000;
  if (intoStep > 28_000) await sleep(30_000 - intoStep + 50);
  return totpCode(secret, TOTP_DEFAULTS, Math.floor(Date.now() / 1000) + offsetSteps * 30);
}

/** The account service of a running Sargs, built from its runtime as `sargs init` builds it. */
export function accountsOf(sargs: RunningSargs, publicUrl = sargs.runtime.ctx.config.publicUrl): AccountService {
  const { ctx, sql } = sargs.runtime;
  return createAccountService({ sql, factors: ctx.identity.factors, audit: ctx.audit, onEvent: ctx.identity.writeAuthEvent, policy: ctx.identity.policy, publicUrl, tenants: ctx.tenants });
}

export interface EnrolledUser {
  id: string;
  tenant: string;
  username: string;
  /** Base32 TOTP secret. */
  secret: string;
  recoveryCodes: string[];
}

/**
 * Creates an active user through the services the enrolment routes use: user + link, password, TOTP confirmed
 * with the code of the previous time step (so the current step is still free for the first sign-in), recovery
 * codes; then the roles, each assigned by a platform-admin actor.
 */
export async function enrolUser(
  sargs: RunningSargs,
  u: { tenant: string; username?: string; roles?: Array<{ role: Role; tenant: string }>; kind?: 'staff' | 'vps-employee' },
): Promise<EnrolledUser> {
  const accounts = accountsOf(sargs);
  const username = u.username ?? `u-${randomUUID().slice(0, 8)}`;
  const { user, enrolment } = await accounts.createUser({ tenant: u.tenant, username, displayName: username, kind: u.kind ?? 'staff' }, SETUP_ACTOR);
  await accounts.setEnrolmentPassword(enrolment.token, TEST_PASSWORD);
  const { factorId, secret } = await accounts.startTotp(enrolment.token);
  await accounts.confirmTotp(enrolment.token, factorId, await totpNow(secret, -1));
  const { recoveryCodes } = await accounts.completeEnrolment(enrolment.token);
  for (const r of u.roles ?? []) await sargs.runtime.ctx.authz.assignRole(`user:${user.id}`, r.role, r.tenant, SETUP_ACTOR);
  return { id: user.id, tenant: u.tenant, username, secret, recoveryCodes };
}

/** Creates a user still enrolling (an open enrolment link). */
export async function enrollingUser(sargs: RunningSargs, tenant: string): Promise<{ id: string; token: string; url: string }> {
  const username = `e-${randomUUID().slice(0, 8)}`;
  const { user, enrolment } = await accountsOf(sargs).createUser({ tenant, username, displayName: username }, SETUP_ACTOR);
  return { id: user.id, token: enrolment.token, url: enrolment.url };
}

export interface HttpAnswer {
  status: number;
  /** Parsed JSON (problem+json too), or undefined for other bodies. */
  body: any;
  text: string;
  headers: Headers;
}

/**
 * A fetch client with one cookie jar (`sargs_session`) and the session's CSRF token, sent on every request unless
 * `csrf: false`; or a Bearer token. Unlike accounts-test-app's client, it accepts non-JSON answers (CSV, metrics).
 */
export function httpClient(base: string, auth: { bearer?: string } = {}) {
  const c = { cookie: '', csrf: '' };
  async function call(method: string, path: string, body?: unknown, opts: { csrf?: boolean; raw?: string; contentType?: string } = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (auth.bearer) headers.authorization = `Bearer ${auth.bearer}`;
    if (body !== undefined || opts.raw !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
    if (c.cookie) headers.cookie = c.cookie;
    if (opts.csrf !== false && c.csrf) headers['x-csrf-token'] = c.csrf;
    const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body));
    const res = await fetch(base + path, { method: method.toUpperCase(), headers, body: payload });
    const set = res.headers.getSetCookie().filter((s) => s.startsWith('sargs_session='));
    if (set.length) {
      const v = /^sargs_session=([^;]*)/.exec(set[set.length - 1])?.[1] ?? '';
      c.cookie = v ? `sargs_session=${v}` : '';
    }
    const text = await res.text();
    let json: any;
    if (/json/.test(res.headers.get('content-type') ?? '') && text) json = JSON.parse(text);
    if (typeof json?.csrfToken === 'string') c.csrf = json.csrfToken;
    return { status: res.status, body: json, text, headers: res.headers };
  }
  return Object.assign(c, { call });
}
export type HttpClient = ReturnType<typeof httpClient>;

/** Signs a user in over HTTP: password, then a TOTP code of the current step (or `offsetSteps` away). */
export async function signIn(base: string, u: Pick<EnrolledUser, 'tenant' | 'username' | 'secret'>, offsetSteps = 0): Promise<HttpClient> {
  const c = httpClient(base);
  const first = await c.call('POST', '/api/v1/auth/login', { tenant: u.tenant, username: u.username, password: TEST_PASSWORD });
  if (first.status !== 200) throw new Error(`login of ${u.username}: ${first.status} ${first.text}`);
  const second = await c.call('POST', '/api/v1/auth/totp', { code: await totpNow(u.secret, offsetSteps) });
  if (second.status !== 200) throw new Error(`TOTP of ${u.username}: ${second.status} ${second.text}`);
  return c;
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(200);
  }
}

/** A TCP port free on loopback now (for startSargs({ env: { PORT } }) when the public URL must name it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(p));
    });
  });
}
