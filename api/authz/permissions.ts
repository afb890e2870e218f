/**
 * Every permission a route may declare (RouteDef.permission), as `area:verb`. Role definitions in
 * policies/roles.yaml may only name these; the route table test checks every route declares one.
 *
 * `self` is special: every signed-in user holds it (own profile, own factors), whatever their roles; tokens
 * never do (api/authz/authz.ts).
 */
export const PERMISSIONS = [
  // Used by routes before issue 3
  'events:ingest',
  'events:read',
  'deadletter:read',
  'tokens:manage',
  'metrics:read',
  'system:read',
  // Issue 3: identity, MFA and RBAC
  'users:manage',
  'users:read',
  'roles:manage',
  'policies:read',
  'mfa:validate',
  'mfa-coverage:read',
  'audit:read',
  // Issue 4: detection alerts and their triage (api/alerts/)
  'alerts:read',
  'alerts:triage',
  'self',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const known: ReadonlySet<string> = new Set(PERMISSIONS);

/** Type guard for input that names a permission (role files, API bodies). */
export function isPermission(s: unknown): s is Permission {
  return typeof s === 'string' && known.has(s);
}
