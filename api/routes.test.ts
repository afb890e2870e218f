import type { Permission } from './auth/permissions';
import { PERMISSIONS } from './authz/permissions';
import { allRoutes } from './create-app';
import { eventFilterNames } from './events/events.routes';
import { openApiPath } from './openapi/openapi';
import type { RouteDef } from './route';
import { startSargs, type RunningSargs } from './testing/start-sargs';
import type { TokenKind } from './tokens/token.store';

/**
 * Keeps the HTTP API honest: every route declares a permission, the served OpenAPI document lists exactly the
 * routes that exist, and each token kind gets exactly the routes its permissions allow.
 */


/**
 * Reachable without credentials: liveness, the API description, sign-in (password, then the second factor with
 * the password-stage session) and enrolment by one-time link. Nothing else.
 */
const PUBLIC = [
  'get /healthz',
  'get /api/v1/openapi.json',
  'get /api/v1/pki/ca.pem', // the CA certificate, so anyone can verify a signed export (issue 5)
  'post /api/v1/auth/login',
  'post /api/v1/auth/totp',
  'post /api/v1/auth/recovery',
  'post /api/v1/auth/webauthn/options',
  'post /api/v1/auth/webauthn/verify',
  'get /api/v1/enrol/:token',
  'post /api/v1/enrol/:token/password',
  'post /api/v1/enrol/:token/totp',
  'post /api/v1/enrol/:token/totp/confirm',
  'post /api/v1/enrol/:token/webauthn/options',
  'post /api/v1/enrol/:token/webauthn/verify',
  'post /api/v1/enrol/:token/complete',
];

/**
 * What each token kind may do (their implicit roles in policies/roles.yaml): stated here on its own, so that
 * widening a role shows up as a failing test.
 */
const ALLOWED: Record<TokenKind | 'none', ReadonlySet<Permission>> = {
  'platform-admin': new Set(PERMISSIONS.filter((p) => p !== 'self')),
  collector: new Set<Permission>(['events:ingest']),
  'vps-application': new Set<Permission>(['mfa:validate']),
  none: new Set(),
};

/**
 * Routes whose handler serves people only, whatever a token's permissions: a person access report is produced and
 * read by a signed-in DPO with a fresh second factor (api/reports/report-authz.ts), so every token gets 403.
 */
const PEOPLE_ONLY: ReadonlySet<string> = new Set([
  'post /api/v1/reports/person-access', 'get /api/v1/reports', 'get /api/v1/reports/:file',
  // Incident notices are reviewed and sent by a person (api/incidents/incident.routes.ts)
  'post /api/v1/incidents/:id/notices/:noticeId/review', 'post /api/v1/incidents/:id/notices/:noticeId/send', 'post /api/v1/incidents/:id/notices/:noticeId/sent-elsewhere',
]);

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const key = (method: string, path: string) => `${method} ${path}`;
const pathParams = (expressPath: string) => [...expressPath.matchAll(/:(\w+)/g)].map((m) => m[1]);

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: unknown;
}
interface Operation {
  operationId: string;
  summary?: string;
  tags?: string[];
  'x-permission': string;
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, unknown> };
  responses: Record<string, { description?: string }>;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  components?: { securitySchemes?: Record<string, { type: string }> };
  security?: Array<Record<string, unknown>>;
  paths: Record<string, Record<string, Operation>>;
}

let s: RunningSargs;
let routes: RouteDef[];
let doc: OpenApiDoc;
let tokens: Record<TokenKind | 'none', string | undefined>;

beforeAll(async () => {
  s = await startSargs();
  routes = allRoutes(s.runtime.ctx);
  const res = await fetch(`${s.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = (await res.json()) as OpenApiDoc;
  const vpsApp = await s.runtime.ctx.tokens.create({ kind: 'vps-application', tenant: 'riga', source: 'NINO' });
  tokens = { 'platform-admin': s.adminToken, collector: s.collectorToken, 'vps-application': vpsApp.token, none: undefined };
});
afterAll(async () => s?.close());

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
const operationOf = (r: RouteDef) => doc.paths[openApiPath(r.path)]?.[r.method];

describe('route table', () => {
  test('every route declares a known permission or public; only liveness and the API description are public', () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      expect([...PERMISSIONS, 'public']).toContain(r.permission);
      expect(r.summary.trim()).not.toBe('');
      expect(r.tags.length).toBeGreaterThan(0);
    }
    expect(routes.filter((r) => r.permission === 'public').map((r) => key(r.method, r.path)).sort()).toEqual([...PUBLIC].sort());
  });

  test('no two routes share a method and path', () => {
    const keys = routes.map((r) => key(r.method, openApiPath(r.path)));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('served OpenAPI document', () => {
  test('has the basic OpenAPI 3.1 shape', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(doc.info.title).not.toBe('');
    expect(doc.info.version).toBe(s.runtime.ctx.config.version);
    expect(typeof doc.paths).toBe('object');
    for (const path of Object.keys(doc.paths)) expect(path.startsWith('/')).toBe(true);
    // Every security requirement names a declared scheme (OpenAPI 3.1 §4.8.30).
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    for (const req of doc.security ?? []) for (const name of Object.keys(req)) expect(schemes).toContain(name);
  });

  test('lists exactly the routes of the route table (paths and methods)', () => {
    const documented = operations().map((o) => key(o.method, o.path)).sort();
    const actual = routes.map((r) => key(r.method, openApiPath(r.path))).sort();
    expect(documented).toEqual(actual);
    for (const o of operations()) expect(HTTP_METHODS).toContain(o.method);
  });

  test('each operation has a unique operationId, responses with descriptions, and its route permission as x-permission', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of routes) {
      const op = operationOf(r);
      expect(op).toBeDefined();
      expect(op['x-permission']).toBe(r.permission);
      expect(op.summary).toBe(r.summary);
      // Public operations override the document-wide security requirement; guarded ones inherit it.
      if (r.permission === 'public') expect(op.security).toEqual([]);
      else expect(op.security).toBeUndefined();
      const codes = Object.keys(op.responses ?? {});
      expect(codes.length).toBeGreaterThan(0);
      for (const code of codes) {
        expect(code).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof op.responses[code].description).toBe('string');
      }
      if (op.requestBody) expect(Object.keys(op.requestBody.content ?? {}).length).toBeGreaterThan(0);
    }
  });

  test('path parameters are declared, required, and exist in the path; parameters are unique', () => {
    for (const r of routes) {
      const op = operationOf(r);
      const params = op.parameters ?? [];
      for (const p of params) {
        expect(['query', 'header', 'path', 'cookie']).toContain(p.in);
        expect(p.schema).toBeDefined();
      }
      const inPath = params.filter((p) => p.in === 'path');
      expect(inPath.map((p) => p.name).sort()).toEqual(pathParams(r.path).sort());
      for (const p of inPath) expect(p.required).toBe(true);
      const ids = params.map((p) => `${p.in}:${p.name}`);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  test('GET /api/v1/events documents exactly the query parameters its schema reads; the count route its filters', () => {
    const names = (path: string) => (doc.paths[path].get.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort();
    expect(names('/api/v1/events')).toEqual([...eventFilterNames, 'size', 'after'].sort());
    expect(names('/api/v1/events/count')).toEqual([...eventFilterNames].sort());
  });

  // Each documented query parameter of GET /api/v1/events is really read: a bad value is refused naming it.
  const badValues: Record<string, string> = {
    tenant: 'no-such-tenant',
    app: 'A'.repeat(65),
    user: 'u'.repeat(257),
    person: '1'.repeat(33),
    action: 'a'.repeat(129),
    outcome: 'maybe',
    from: 'yesterday',
    to: '2026-13-45',
    size: '0',
    after: 'not-a-cursor',
  };
  test('every documented query parameter of GET /api/v1/events is read and validated by the route', async () => {
    const documented = (doc.paths['/api/v1/events'].get.parameters ?? []).map((p) => p.name);
    expect(Object.keys(badValues).sort()).toEqual([...documented].sort());
    for (const [name, value] of Object.entries(badValues)) {
      const res = await fetch(`${s.url}/api/v1/events?${new URLSearchParams({ [name]: value })}`, { headers: { authorization: `Bearer ${s.adminToken}` } });
      expect({ name, status: res.status }).toEqual({ name, status: 400 });
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { field: string }).field).toBe(name);
    }
  });
});

describe('permission matrix: token kind × every guarded route', () => {
  /** A request that changes nothing: path parameters filled with a name that exists nowhere, empty bodies. */
  const probe = (r: RouteDef, token: string | undefined) => {
    const url = s.url + r.path.replace(/:(\w+)/g, 'sargs-probe');
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (r.method === 'post') headers['content-type'] = r.body === 'raw' ? 'application/x-ndjson' : 'application/json';
    return fetch(url, { method: r.method.toUpperCase(), headers, ...(r.method === 'post' ? { body: r.body === 'raw' ? '' : '{}' } : {}) });
  };

  test('token kinds hold exactly the permissions stated here (policies/roles.yaml through casbin)', async () => {
    for (const kind of ['platform-admin', 'collector', 'vps-application'] as const)
      for (const p of PERMISSIONS) {
        const principal = { kind: 'token' as const, id: 'probe', name: 'token:probe', tenant: '*', tokenKind: kind };
        const scope = await s.runtime.ctx.authz.scope(principal, p);
        const allowed = scope === '*' || scope.length > 0;
        expect({ kind, p, allowed }).toEqual({ kind, p, allowed: ALLOWED[kind].has(p) });
      }
  });

  test('401 without a token or with a bad one, 403 without the permission, neither with it', async () => {
    const guarded = routes.filter((r) => r.permission !== 'public');
    expect(guarded.length).toBeGreaterThan(0);
    for (const r of guarded) {
      const permission = r.permission as Permission;
      for (const kind of Object.keys(tokens) as Array<TokenKind | 'none'>) {
        const res = await probe(r, tokens[kind]);
        const want = kind === 'none' ? 401 : ALLOWED[kind].has(permission) && !PEOPLE_ONLY.has(key(r.method, r.path)) ? 'allowed' : 403;
        const got = res.status === 401 || res.status === 403 ? res.status : 'allowed';
        if (process.env.SARGS_TEST_VERBOSE) console.log(`${key(r.method, r.path)} as ${kind}: ${res.status}`);
        expect({ route: key(r.method, r.path), kind, got }).toEqual({ route: key(r.method, r.path), kind, got: want });
        if (got !== 'allowed') expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        else expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }
      const bad = await probe(r, 'sargs_0000000000000000_' + 'A'.repeat(43));
      expect({ route: key(r.method, r.path), status: bad.status }).toEqual({ route: key(r.method, r.path), status: 401 });
    }
  });

  test('public routes answer without a token: read-only ones with 200, the others with a reason, never 401/403 or 5xx', async () => {
    for (const r of routes.filter((x) => x.permission === 'public')) {
      const res = await probe(r, undefined);
      const route = key(r.method, r.path);
      if (r.method === 'get' && !r.path.includes(':')) expect({ route, status: res.status }).toEqual({ route, status: 200 });
      else {
        expect({ route, ok: res.status < 500 }).toEqual({ route, ok: true });
        if (res.status >= 400) expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      await res.arrayBuffer();
    }
  });
});
