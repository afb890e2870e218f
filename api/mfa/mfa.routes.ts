import type { Request, Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../core/errors';
import type { SqlClient } from '../../core/sql/sql-client';
import type { AuditLog } from '../../core/stores/audit-log';
import type { EventStore } from '../../core/stores/event-store';
import type { LoginThrottle } from '../auth/accounts/login-throttle';
import type { FactorService } from '../auth/factors/factor.types';
import type { Permission } from '../authz/permissions';
import type { Principal } from '../authz/principal';
import { fromZod } from '../problem';
import type { RouteDef } from '../route';
import { parseAccountsCsv, validateAccountRows } from './account-import';
import { COVERAGE_CSV_PARTS, coverageCsv, type CoverageCsvPart } from './coverage-csv';
import { createMfaCoverageService } from './mfa-coverage.service';
import type { MfaPolicy } from './mfa-policy';
import { createValidateService, type ValidateCaller, type ValidateEvent } from './validate.service';
import { createVpsAccountStore } from './vps-accounts.store';
import { VPS_APPLICATIONS, vpsApplicationOf } from './vps-applications';

/** api/route.ts's RouteDef with the issue 3 Principal and permissions, and `stepUp` (like ACCOUNTS' routes). */
export type MfaRouteDef = Omit<RouteDef, 'permission' | 'handler'> & {
  permission: Permission;
  stepUp?: boolean;
  handler: (req: Request, res: Response, principal: Principal | undefined) => Promise<void> | void;
};

export interface MfaDeps {
  sql: SqlClient;
  events: EventStore;
  factors: FactorService;
  policy: MfaPolicy;
  audit: Pick<AuditLog, 'record'>;
  /** Known tenant ids (core/tenants.ts loadTenants().ids). */
  tenants: ReadonlySet<string>;
  /** Tenant display names for reports (loadTenants().byId.get(id)?.name). */
  tenantName?: (id: string) => string | undefined;
  /** The tenants where the principal holds the permission, or '*': bind to RBAC's Authz.scope. */
  scopeOf: (p: Principal, permission: Permission) => Promise<string[] | '*'> | string[] | '*';
  /** Every validation check, as an auth event (runtime: writeAuthEvent with service.name = application). */
  onEvent: (e: ValidateEvent) => void | Promise<void>;
  /** ACCOUNTS' createLoginThrottle(sql, authPolicy.throttle); without it the validation API is not throttled. */
  throttle?: LoginThrottle;
  now?: () => number;
}

/** The services behind the routes; the runtime may also schedule accounts.learnAccountsFromEvents. */
export function createMfaServices(deps: MfaDeps) {
  return {
    validate: createValidateService(deps),
    coverage: createMfaCoverageService({ sql: deps.sql, events: deps.events, policy: deps.policy, tenantName: deps.tenantName }),
    accounts: createVpsAccountStore(deps.sql),
  };
}
export type MfaServices = ReturnType<typeof createMfaServices>;

const VALIDATE_MAX_BYTES = 32 * 1024;

/**
 * The request body as an object: JSON, or application/x-www-form-urlencoded as privacyIDEA clients (ADFS
 * provider, PAM, RADIUS) send it. Routes use `body: 'raw'`, so this is the only parser they see.
 */
function bodyObject(req: Request, maxBytes: number): Record<string, unknown> {
  const b: unknown = req.body;
  if (b && typeof b === 'object' && !Buffer.isBuffer(b)) return b as Record<string, unknown>;
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : '');
  if (buf.length > maxBytes) throw new AppError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes`, { field: 'body' });
  const text = buf.toString('utf8');
  if ((req.get('content-type') ?? '').includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const v = text.trim() ? JSON.parse(text) : {};
    if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    /* below */
  }
  throw new AppError(400, 'invalid_body', 'body: expected a JSON object or form fields', { field: 'body' });
}

const userField = z.string().trim().min(1, 'user is empty').max(256);
const checkBody = z.object({ tenant: z.string().optional(), realm: z.string().optional(), user: userField, pass: z.string().min(1, 'pass is empty').max(64) }).passthrough();
const optionsBody = z.object({ tenant: z.string().optional(), realm: z.string().optional(), user: userField }).passthrough();
const verifyBody = z.object({ tenant: z.string().optional(), realm: z.string().optional(), user: userField, response: z.unknown() }).passthrough();

function parse<T extends z.ZodTypeAny>(schema: T, v: unknown): z.infer<T> {
  const r = schema.safeParse(v);
  if (!r.success) throw fromZod(r.error, 'body');
  return r.data;
}

/** The calling application from its vps-application token; a body tenant (or privacyIDEA realm) must match it. */
function callerOf(req: Request, p: Principal | undefined, body: { tenant?: string; realm?: string }): ValidateCaller {
  if (!p || p.kind !== 'token' || p.tokenKind !== 'vps-application' || p.tenant === '*' || !vpsApplicationOf(p.source))
    throw new AppError(403, 'forbidden', 'the validation API needs a vps-application token scoped to one tenant and one VPS application');
  const asked = body.tenant ?? body.realm;
  if (asked !== undefined && asked !== p.tenant)
    throw new AppError(403, 'tenant_mismatch', `this token is for tenant ${p.tenant}, not ${asked}`, { field: 'tenant' });
  return { tenant: p.tenant, application: vpsApplicationOf(p.source)!, tokenId: p.id, ip: req.ip ?? req.socket.remoteAddress };
}

const validateDoc = (summary: string, properties: Record<string, unknown>, required: string[]) => ({
  requestBody: {
    required: true,
    content: {
      'application/json': { schema: { type: 'object', required, properties } },
      'application/x-www-form-urlencoded': { schema: { type: 'object', required, properties } },
    },
  },
  responses: {
    '200': { description: `${summary}: { result: { status: true, value }, detail: { message, method?, factorId?, options? } } (privacyIDEA style)` },
    '400': { description: 'Malformed body' },
    '403': { description: 'Not a vps-application token, or tenant differs from the token\'s' },
  },
});

const tenantProps = { tenant: { type: 'string', description: "Optional; must equal the token's tenant" }, realm: { type: 'string', description: 'privacyIDEA alias of tenant' } };

/** The tenant and application filter of a coverage request, checked against the caller's scope. */
async function coverageQuery(deps: MfaDeps, req: Request, p: Principal | undefined) {
  const q = parse(z.object({ tenant: z.string().max(64).optional(), app: z.string().max(32).optional(), part: z.string().optional() }).strict(), req.query);
  const scope = await deps.scopeOf(p!, 'mfa-coverage:read');
  if (scope !== '*' && scope.length === 0) throw new AppError(403, 'forbidden', 'no tenant where you may read MFA coverage');
  if (q.tenant && scope !== '*' && !scope.includes(q.tenant)) throw new AppError(403, 'tenant_out_of_scope', `you may not read MFA coverage of tenant ${q.tenant}`, { field: 'tenant' });
  const application = q.app === undefined ? undefined : vpsApplicationOf(q.app);
  if (q.app !== undefined && !application) throw new AppError(400, 'invalid_query', `app: unknown application "${q.app}" (VPS applications: ${VPS_APPLICATIONS.join(', ')})`, { field: 'app' });
  return { scope, tenant: q.tenant, application, part: q.part };
}

const coverageParams = [
  { name: 'tenant', in: 'query', required: false, schema: { type: 'string' }, description: 'One tenant within your scope' },
  { name: 'app', in: 'query', required: false, schema: { type: 'string', enum: [...VPS_APPLICATIONS] } },
];

/**
 * Routes of the MFA capability: the validation API for VPS applications (privacyIDEA /validate/check style),
 * VPS account import, and the MFA coverage report (JSON and CSV).
 */
export function mfaRoutes(deps: MfaDeps, services: MfaServices = createMfaServices(deps)): MfaRouteDef[] {
  const { validate, coverage, accounts } = services;
  return [
    {
      method: 'post',
      path: '/api/v1/validate/check',
      permission: 'mfa:validate',
      body: 'raw',
      summary: "Check a VPS employee's TOTP or recovery code (privacyIDEA /validate/check)",
      tags: ['mfa'],
      openapi: validateDoc('Outcome', { ...tenantProps, user: { type: 'string' }, pass: { type: 'string', description: 'TOTP code or recovery code' } }, ['user', 'pass']),
      async handler(req, res, p) {
        const b = parse(checkBody, bodyObject(req, VALIDATE_MAX_BYTES));
        res.json(await validate.check(callerOf(req, p, b), { user: b.user, pass: b.pass }));
      },
    },
    {
      method: 'post',
      path: '/api/v1/validate/webauthn/options',
      permission: 'mfa:validate',
      body: 'raw',
      summary: 'WebAuthn assertion options for a VPS employee (challenge valid 5 minutes, once)',
      tags: ['mfa'],
      openapi: validateDoc('detail.options: PublicKeyCredentialRequestOptionsJSON', { ...tenantProps, user: { type: 'string' } }, ['user']),
      async handler(req, res, p) {
        const b = parse(optionsBody, bodyObject(req, VALIDATE_MAX_BYTES));
        res.json(await validate.webauthnOptions(callerOf(req, p, b), { user: b.user }));
      },
    },
    {
      method: 'post',
      path: '/api/v1/validate/webauthn/verify',
      permission: 'mfa:validate',
      body: 'raw',
      summary: "Verify a VPS employee's WebAuthn assertion",
      tags: ['mfa'],
      openapi: validateDoc('Outcome', { ...tenantProps, user: { type: 'string' }, response: { type: 'object', description: 'PublicKeyCredential.toJSON()' } }, ['user', 'response']),
      async handler(req, res, p) {
        const b = parse(verifyBody, bodyObject(req, VALIDATE_MAX_BYTES));
        res.json(await validate.webauthnVerify(callerOf(req, p, b), { user: b.user, response: b.response }));
      },
    },
    {
      method: 'post',
      path: '/api/v1/mfa/accounts/import',
      permission: 'users:manage',
      stepUp: true, // changes who is counted as an account holder: a change of rights data
      body: 'raw',
      summary: 'Import which VPS employees hold accounts in which application (JSON array or CSV)',
      tags: ['mfa'],
      openapi: {
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'array', items: { type: 'object', required: ['username', 'application'], properties: { tenant: { type: 'string' }, username: { type: 'string' }, application: { type: 'string', enum: [...VPS_APPLICATIONS] }, role: { type: 'string' } } } } },
            'text/csv': { schema: { type: 'string', description: 'Header row tenant;username;application;role (tenant and role optional); ; or , separated, UTF-8' } },
          },
        },
        responses: { '200': { description: '{ rows, written }' }, '400': { description: 'Bad row (row number and field named)' }, '403': { description: 'A tenant outside your scope' } },
      },
      async handler(req, res, p) {
        const type = req.get('content-type') ?? '';
        const buf = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null));
        let items: unknown;
        if (/text\/csv|text\/plain/.test(type)) items = parseAccountsCsv(buf.toString('utf8'));
        else {
          try {
            items = JSON.parse(buf.toString('utf8'));
          } catch {
            throw new AppError(400, 'invalid_body', 'body: not valid JSON (send a JSON array, or CSV as text/csv)', { field: 'body' });
          }
        }
        const rows = validateAccountRows(items, { defaultTenant: p!.tenant, tenants: deps.tenants });
        const scope = await deps.scopeOf(p!, 'users:manage');
        const outside = rows.find((r) => scope !== '*' && !scope.includes(r.tenant));
        if (outside) throw new AppError(403, 'tenant_out_of_scope', `you may not manage accounts of tenant ${outside.tenant}`, { field: 'tenant' });
        const written = await accounts.importAccounts(rows);
        const tenants = [...new Set(rows.map((r) => r.tenant))];
        await deps.audit.record(p!.name, 'mfa.accounts.imported', `tenants:${tenants.join(',')}`, { rows: rows.length, written, format: type.includes('csv') ? 'csv' : 'json' });
        res.json({ rows: rows.length, written });
      },
    },
    {
      method: 'get',
      path: '/api/v1/mfa/coverage',
      permission: 'mfa-coverage:read',
      summary: 'MFA coverage by tenant and application, accounts without a factor, password-only logins after the deadline',
      tags: ['mfa'],
      openapi: { parameters: coverageParams, responses: { '200': { description: 'MfaCoverage' }, '403': { description: 'Tenant outside your scope' } } },
      async handler(req, res, p) {
        const q = await coverageQuery(deps, req, p);
        if (q.part !== undefined) throw new AppError(400, 'invalid_query', 'part: only for coverage.csv', { field: 'part' });
        res.json(await coverage.coverage({ scope: q.scope, tenant: q.tenant, application: q.application, now: deps.now?.() }));
      },
    },
    {
      method: 'get',
      path: '/api/v1/mfa/coverage.csv',
      permission: 'mfa-coverage:read',
      stepUp: true,
      summary: 'MFA coverage as CSV for Latvian Excel (UTF-8 with BOM, ; separated, decimal comma, DD.MM.YYYY)',
      tags: ['mfa'],
      openapi: {
        parameters: [...coverageParams, { name: 'part', in: 'query', required: false, schema: { type: 'string', enum: [...COVERAGE_CSV_PARTS], default: 'summary' } }],
        responses: { '200': { description: 'text/csv' } },
      },
      async handler(req, res, p) {
        const q = await coverageQuery(deps, req, p);
        const part = (q.part ?? 'summary') as CoverageCsvPart;
        if (!COVERAGE_CSV_PARTS.includes(part)) throw new AppError(400, 'invalid_query', `part: one of ${COVERAGE_CSV_PARTS.join(', ')}`, { field: 'part' });
        const c = await coverage.coverage({ scope: q.scope, tenant: q.tenant, application: q.application, now: deps.now?.() });
        const day = c.generatedAt.slice(0, 10);
        res.setHeader('Content-Type', 'text/csv; charset=utf-8; header=present');
        res.setHeader('Content-Disposition', `attachment; filename="mfa-coverage-${part}${q.tenant ? `-${q.tenant}` : ''}-${day}.csv"`);
        res.send(coverageCsv(c, part));
      },
    },
    {
      method: 'get',
      path: '/api/v1/mfa/policy',
      permission: 'policies:read',
      summary: 'The MFA policy rules (policies/mfa.yaml) as loaded',
      tags: ['mfa'],
      openapi: { responses: { '200': { description: '{ rules }' } } },
      handler(_req, res) {
        res.json({ rules: deps.policy.rules.map((r, i) => ({ index: i, ...r })) });
      },
    },
  ];
}
