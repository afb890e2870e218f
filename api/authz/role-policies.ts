import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { PERMISSIONS, type Permission } from './permissions';
import { ROLES, type Role } from './roles';

/** One role as defined in policies/roles.yaml. */
export interface RoleDefinition {
  name: Role;
  /** platform: held in every tenant (assigned in domain `*`); tenant: held in the tenant it is assigned in. */
  scope: 'platform' | 'tenant';
  /** user: assigned to people; token: held only by API tokens of the kind of the same name. */
  holder: 'user' | 'token';
  description: string;
  /** Explicit list ('*' in the file is expanded to every permission). */
  permissions: Permission[];
}

export interface RolePolicies {
  byName: ReadonlyMap<Role, RoleDefinition>;
  /** Casbin `p` lines: [role, permission]. */
  lines: string[][];
}

const roleSchema = z
  .object({
    name: z.enum(ROLES),
    scope: z.enum(['platform', 'tenant']),
    holder: z.enum(['user', 'token']),
    description: z.string().trim().min(1, 'description is empty'),
    permissions: z
      .array(z.enum(['*', ...PERMISSIONS]))
      .min(1, 'no permissions listed')
      .refine((ps) => !ps.includes('*') || ps.length === 1, "'*' (all permissions) must be the only entry"),
  })
  .strict();

const fileSchema = z.object({ roles: z.array(roleSchema).min(1, 'no roles listed') }).strict();

/** The default file: `<repo>/policies/<name>`, found from source (`api/authz/`) and compiled `dist/api/authz/`. */
export function defaultPolicyFile(name: 'roles.yaml' | 'rbac-model.conf'): string {
  const candidates = [
    path.resolve(__dirname, '..', '..', 'policies', name),
    path.resolve(__dirname, '..', '..', '..', 'policies', name),
  ];
  return candidates.find((f) => fs.existsSync(f)) ?? candidates[0];
}

/**
 * Loads and validates the role definitions (policies/roles.yaml by default).
 * @throws Error naming the file and the entry at fault (e.g. `roles.3.permissions.1: …`), a role defined
 *   twice, or a role of api/authz/roles.ts the file does not define.
 */
export function loadRolePolicies(file: string = defaultPolicyFile('roles.yaml')): RolePolicies {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read roles file ${file}`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new Error(`roles file ${file} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  const invalid = (problems: string[]) => new Error(`roles file ${file} is invalid:\n  ${problems.join('\n  ')}`);
  const r = fileSchema.safeParse(doc);
  if (!r.success) throw invalid(r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));

  const byName = new Map<Role, RoleDefinition>();
  r.data.roles.forEach((role, i) => {
    if (byName.has(role.name)) throw invalid([`roles.${i}.name: role "${role.name}" is defined twice`]);
    const permissions = role.permissions[0] === '*' ? [...PERMISSIONS] : (role.permissions as Permission[]);
    const dup = permissions.find((p, j) => permissions.indexOf(p) !== j);
    if (dup) throw invalid([`roles.${i}.permissions: "${dup}" is listed twice`]);
    // Machines hold their role through their token's kind, in the token's tenant (ISSUE3 "Tokens map to roles").
    if (role.holder === 'token' && role.scope !== 'tenant') throw invalid([`roles.${i}.scope: a token role must be scope: tenant`]);
    byName.set(role.name, { ...role, permissions });
  });
  const missing = ROLES.filter((name) => !byName.has(name));
  if (missing.length > 0) throw invalid([`roles: not defined: ${missing.join(', ')}`]);
  const lines = [...byName.values()].flatMap((d) => d.permissions.map((p) => [d.name, p]));
  return { byName, lines };
}
