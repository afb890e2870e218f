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
  // Issue 5: the municipality view (api/municipality/): who from other organisations read its residents' data
  'municipality:review',
  // Issue 5: subject-request cases (api/cases/): cases:read lists and reads, cases:manage opens and changes them
  'cases:read',
  'cases:manage',
  // Issue 5: the person access report (api/reports/): a DPO's "who accessed this person's data", step-up
  'reports:person-access',
  // Issue 6: incident cases, legal clocks and notices (api/incidents/)
  'incidents:read',
  'incidents:manage',
  'notices:send',
  // Issue 6: the delivery record of e-mail and webhooks (api/deliveries/)
  'deliveries:read',
  // Issue 5: the platform PKI (pki/): the certificate inventory (the CA certificate itself is public)
  'certificates:read',
  'self',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

const known: ReadonlySet<string> = new Set(PERMISSIONS);

/** Type guard for input that names a permission (role files, API bodies). */
export function isPermission(s: unknown): s is Permission {
  return typeof s === 'string' && known.has(s);
}
