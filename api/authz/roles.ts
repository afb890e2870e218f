/**
 * The roles Sargs knows. What each role may do lives in policies/roles.yaml (data, loaded into casbin);
 * this list only fixes the names, so code (token kinds, the CLI, tests) can name a role safely and the role
 * file must define each of them.
 */
export const ROLES = [
  'platform-admin',
  'soc-analyst',
  'security-officer',
  'dpo',
  'municipality-reviewer',
  'auditor',
  'collector',
  'vps-application',
] as const;

export type Role = (typeof ROLES)[number];

const known: ReadonlySet<string> = new Set(ROLES);

/** Type guard for input that names a role (API bodies, rows of casbin_rule). */
export function isRole(s: unknown): s is Role {
  return typeof s === 'string' && known.has(s);
}
