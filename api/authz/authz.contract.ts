import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SqlClient } from '../../core/sql/sql-client';
import { createAuditLog } from '../../core/stores/audit-log';
import { type Authz, createAuthz } from './authz';
import { PERMISSIONS, type Permission } from './permissions';
import type { Principal } from './principal';
import { ROLES, type Role } from './roles';

/**
 * The role model as issue 3 specifies it, written out by hand (not derived from policies/roles.yaml, which
 * it checks). Columns follow ROLE_ORDER. '*' = allowed in every tenant and for platform-wide actions;
 * 'T' = allowed in the tenant the role is held in only; '-' = denied everywhere.
 */
const ROLE_ORDER: Role[] = ['platform-admin', 'soc-analyst', 'security-officer', 'dpo', 'municipality-reviewer', 'auditor', 'collector', 'vps-application'];
type Cell = '*' | 'T' | '-';
const MATRIX: Record<Exclude<Permission, 'self'>, Cell[]> = {
  //                   p-admin soc  sec-off dpo  reviewer auditor collector vps-app
  'events:ingest':     ['*',   '-', '-',    '-', '-',     '-',    'T',      '-'],
  'events:read':       ['*',   '*', 'T',    'T', '-',     '-',    '-',      '-'],
  'deadletter:read':   ['*',   '*', '-',    '-', '-',     '-',    '-',      '-'],
  'tokens:manage':     ['*',   '-', '-',    '-', '-',     '-',    '-',      '-'],
  'metrics:read':      ['*',   '-', '-',    '-', '-',     '-',    '-',      '-'],
  'system:read':       ['*',   '-', '-',    '-', '-',     '-',    '-',      '-'],
  'users:manage':      ['*',   '-', '-',    '-', '-',     '-',    '-',      '-'],
  'users:read':        ['*',   '-', 'T',    'T', 'T',     '-',    '-',      '-'],
  'roles:manage':      ['*',   '-', '-',    '-', '-',     '-',    '-',      '-'],
  'policies:read':     ['*',   '-', '-',    '-', '-',     '*',    '-',      '-'],
  'mfa:validate':      ['*',   '-', '-',    '-', '-',     '-',    '-',      'T'],
  'mfa-coverage:read': ['*',   '*', 'T',    '-', 'T',     '*',    '-',      '-'],
  'audit:read':        ['*',   '-', '-',    '-', '-',     '*',    '-',      '-'],
  'alerts:read':       ['*',   '*', 'T',    '-', '-',     '*',    '-',      '-'],
  'alerts:triage':     ['*',   '*', 'T',    '-', '-',     '-',    '-',      '-'],
  'municipality:review': ['*', '*', 'T',    'T', 'T',     '*',    '-',      '-'],
  'cases:read':        ['*',   '-', '-',    'T', '-',     '*',    '-',      '-'],
  'cases:manage':      ['*',   '-', '-',    'T', '-',     '-',    '-',      '-'],
  'reports:person-access': ['*', '-', '-',  'T', '-',     '-',    '-',      '-'],
  'incidents:read':    ['*',   '*', 'T',    'T', '-',     '*',    '-',      '-'],
  'incidents:manage':  ['*',   '*', 'T',    '-', '-',     '-',    '-',      '-'],
  'notices:send':      ['*',   '*', 'T',    'T', '-',     '-',    '-',      '-'],
  'deliveries:read':   ['*',   '*', '-',    '-', '-',     '*',    '-',      '-'],
  'certificates:read': ['*',   '-', '-',    '-', '-',     '*',    '-',      '-'],
};
const PLATFORM_ROLES: Role[] = ['platform-admin', 'soc-analyst', 'auditor'];
const MACHINE_ROLES: Role[] = ['collector', 'vps-application'];

const OWN = 'riga';
const FOREIGN = 'ventspils';

/** The platform-admin token the CLI uses: changes roles without any `g` line. */
export const adminToken: Principal = { kind: 'token', id: 'admin0000000000', name: 'token:admin0000000000', tenant: '*', tokenKind: 'platform-admin' };
const user = (id: string, tenant = OWN): Principal => ({ kind: 'user', id, name: `name-${id}`, tenant });
const token = (id: string, tokenKind: Principal['tokenKind'], tenant = OWN): Principal => ({ kind: 'token', id, name: `token:${id}`, tenant, tokenKind });

/** The principal holding `role` in the matrix: people by assignment, machines by their token's kind. */
function holderOf(role: Role): Principal {
  return MACHINE_ROLES.includes(role) ? token(`t-${role}`, role as Principal['tokenKind']) : user(`u-${role}`);
}

/** Runs the Authz suite on one SQL backend; `open` gives a fresh migrated database. */
export function runAuthzContract(open: () => Promise<{ sql: SqlClient; drop: () => Promise<void> }>): void {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let authz: Authz;
  const audit = () => createAuditLog(sql);

  beforeAll(async () => {
    ({ sql, drop } = await open());
    authz = await createAuthz(sql, audit());
    for (const role of ROLE_ORDER) {
      if (MACHINE_ROLES.includes(role)) continue;
      await authz.assignRole(`user:u-${role}`, role, PLATFORM_ROLES.includes(role) ? '*' : OWN, adminToken);
    }
  });
  afterAll(() => drop());

  test('the matrix covers every role and every permission but self', () => {
    expect([...ROLE_ORDER].sort()).toEqual([...ROLES].sort());
    expect(Object.keys(MATRIX).sort()).toEqual(PERMISSIONS.filter((p) => p !== 'self').sort());
  });

  describe('role × permission × own / foreign tenant / platform-wide', () => {
    const cases = ROLE_ORDER.flatMap((role, col) =>
      (Object.keys(MATRIX) as Array<keyof typeof MATRIX>).map((perm) => [role, perm, MATRIX[perm][col]] as const),
    );
    test.each(cases)('%s %s: %s', async (role, perm, cell) => {
      const p = holderOf(role);
      expect({ own: await authz.can(p, perm, OWN), foreign: await authz.can(p, perm, FOREIGN), platform: await authz.can(p, perm, '*') }).toEqual({
        own: cell !== '-',
        foreign: cell === '*',
        platform: cell === '*',
      });
      expect(await authz.scope(p, perm)).toEqual(cell === '*' ? '*' : cell === 'T' ? [OWN] : []);
    });
  });

  test('self is held by every user, whatever the roles, and by no token', async () => {
    expect(await authz.can(user('nobody'), 'self', OWN)).toBe(true);
    expect(await authz.scope(user('nobody', FOREIGN), 'self')).toEqual([FOREIGN]);
    expect(await authz.can(adminToken, 'self', '*')).toBe(false);
    expect(await authz.scope(token('c1', 'collector'), 'self')).toEqual([]);
  });

  test('a user without roles may do nothing else', async () => {
    for (const perm of Object.keys(MATRIX) as Permission[]) {
      expect(await authz.can(user('nobody'), perm, OWN)).toBe(false);
      expect(await authz.scope(user('nobody'), perm)).toEqual([]);
    }
  });

  test('scope lists every tenant a per-tenant role is held in, sorted', async () => {
    await authz.assignRole('user:multi', 'security-officer', FOREIGN, adminToken);
    await authz.assignRole('user:multi', 'security-officer', OWN, adminToken);
    await authz.assignRole('user:multi', 'dpo', 'jelgava', adminToken);
    expect(await authz.scope(user('multi'), 'events:read')).toEqual(['jelgava', OWN, FOREIGN]);
    expect(await authz.scope(user('multi'), 'mfa-coverage:read')).toEqual([OWN, FOREIGN]);
    expect(await authz.can(user('multi'), 'mfa-coverage:read', 'jelgava')).toBe(false);
  });

  describe('tokens hold the role of their kind without g lines', () => {
    test('platform-admin token: everything, everywhere', async () => {
      for (const perm of Object.keys(MATRIX) as Permission[]) {
        expect(await authz.can(adminToken, perm, FOREIGN)).toBe(true);
        expect(await authz.scope(adminToken, perm)).toBe('*');
      }
    });
    test('collector token: events:ingest in its tenant; a central collector (*) in every tenant', async () => {
      expect(await authz.scope(token('c1', 'collector'), 'events:ingest')).toEqual([OWN]);
      expect(await authz.can(token('c1', 'collector'), 'events:read', OWN)).toBe(false);
      const central = token('c2', 'collector', '*');
      expect(await authz.can(central, 'events:ingest', FOREIGN)).toBe(true);
      expect(await authz.scope(central, 'events:ingest')).toBe('*');
      expect(await authz.can(central, 'events:read', FOREIGN)).toBe(false);
    });
    test('vps-application token: mfa:validate in its tenant only', async () => {
      const app = token('v1', 'vps-application', FOREIGN);
      expect(await authz.scope(app, 'mfa:validate')).toEqual([FOREIGN]);
      expect(await authz.can(app, 'mfa:validate', OWN)).toBe(false);
      expect(await authz.can(app, 'users:read', FOREIGN)).toBe(false);
    });
    test('a token without a kind holds nothing; a user cannot claim a token kind', async () => {
      expect(await authz.scope({ kind: 'token', id: 'x', name: 'token:x', tenant: '*' }, 'events:read')).toEqual([]);
      expect(await authz.can({ ...user('nobody'), tokenKind: 'platform-admin', tenant: '*' }, 'tokens:manage', '*')).toBe(false);
    });
    test('rolesOf lists g lines only', async () => {
      expect(await authz.rolesOf('user:u-soc-analyst')).toEqual([{ role: 'soc-analyst', tenant: '*' }]);
      expect(await authz.rolesOf('token:admin0000000000')).toEqual([]);
    });
  });

  describe('assign and remove', () => {
    test('are audited, persisted across a new createAuthz, and seen by another instance after reload', async () => {
      const other = await createAuthz(sql, audit());
      const p = user('alice');
      await authz.assignRole('user:alice', 'municipality-reviewer', FOREIGN, adminToken);
      expect(await authz.can(p, 'users:read', FOREIGN)).toBe(true);
      expect(await other.can(p, 'users:read', FOREIGN)).toBe(false); // cached until reload
      await other.reload();
      expect(await other.can(p, 'users:read', FOREIGN)).toBe(true);

      const fresh = await createAuthz(sql, audit());
      expect(await fresh.rolesOf('user:alice')).toEqual([{ role: 'municipality-reviewer', tenant: FOREIGN }]);
      expect(await fresh.can(p, 'mfa-coverage:read', FOREIGN)).toBe(true);

      await fresh.removeRole('user:alice', 'municipality-reviewer', FOREIGN, adminToken);
      expect(await fresh.can(p, 'users:read', FOREIGN)).toBe(false);
      expect(await (await createAuthz(sql, audit())).rolesOf('user:alice')).toEqual([]);

      const entries = (await audit().list(1000)).filter((e) => e.target === 'user:alice');
      expect(entries.map((e) => [e.actor, e.action, e.details])).toEqual([
        [adminToken.name, 'role.removed', { role: 'municipality-reviewer', tenant: FOREIGN }],
        [adminToken.name, 'role.assigned', { role: 'municipality-reviewer', tenant: FOREIGN }],
      ]);
    });

    test('assigning a role already held changes and records nothing; removing one not held is 404', async () => {
      await authz.assignRole('user:bob', 'dpo', OWN, adminToken);
      await authz.assignRole('user:bob', 'dpo', OWN, adminToken);
      expect((await audit().list(1000)).filter((e) => e.target === 'user:bob')).toHaveLength(1);
      await expect(authz.removeRole('user:bob', 'dpo', FOREIGN, adminToken)).rejects.toMatchObject({ status: 404, code: 'role_not_assigned' });
    });

    test.each<[string, string, string, string, Record<string, unknown>]>([
      ['unknown role', 'user:carol', 'root', OWN, { status: 400, code: 'unknown_role', details: { field: 'role' } }],
      ['platform role in one tenant', 'user:carol', 'soc-analyst', OWN, { status: 400, code: 'invalid_tenant' }],
      ['tenant role in *', 'user:carol', 'dpo', '*', { status: 400, code: 'invalid_tenant' }],
      ['unknown tenant', 'user:carol', 'dpo', 'atlantis', { status: 400, code: 'invalid_tenant' }],
      ['machine role', 'token:abc', 'collector', OWN, { status: 400, code: 'role_not_assignable' }],
      ['bad subject', 'carol', 'dpo', OWN, { status: 400, code: 'invalid_subject' }],
    ])('assignRole refuses %s', async (_name, subject, role, tenant, error) => {
      await expect(authz.assignRole(subject, role as Role, tenant, adminToken)).rejects.toMatchObject({ name: 'AppError', ...error });
      await expect(authz.removeRole('user:carol', 'no-such' as Role, OWN, adminToken)).rejects.toMatchObject({ status: 400, code: 'unknown_role' });
      expect(await authz.rolesOf(subject)).toEqual([]);
    });

    test('only holders of roles:manage in that tenant may change roles (no escalation)', async () => {
      const officer = user('u-security-officer');
      await expect(authz.assignRole('user:dave', 'dpo', OWN, officer)).rejects.toMatchObject({ status: 403 });
      await expect(authz.assignRole('user:dave', 'platform-admin', '*', officer)).rejects.toMatchObject({ status: 403 });
      await expect(authz.removeRole('user:u-dpo', 'dpo', OWN, officer)).rejects.toMatchObject({ status: 403 });
      await authz.assignRole('user:dave', 'platform-admin', '*', adminToken);
      await authz.assignRole('user:erin', 'dpo', FOREIGN, user('dave')); // a platform-admin user may
      expect(await authz.rolesOf('user:erin')).toEqual([{ role: 'dpo', tenant: FOREIGN }]);
    });

    test('a change whose audit record fails is undone', async () => {
      const failing = await createAuthz(sql, { record: async () => { throw new Error('audit down'); } });
      await expect(failing.assignRole('user:frank', 'dpo', OWN, adminToken)).rejects.toThrow('audit down');
      expect(await failing.can(user('frank'), 'events:read', OWN)).toBe(false);
      expect(await authz.rolesOf('user:frank')).toEqual([]);
    });
  });

  test('policies/roles.yaml replaces stored role definitions at start; assignments stay', async () => {
    await sql.query("INSERT INTO casbin_rule (ptype, v0, v1) VALUES ('p', 'dpo', 'tokens:manage')");
    await authz.reload();
    expect(await authz.can(user('u-dpo'), 'tokens:manage', OWN)).toBe(true); // reload reads the table as it is
    const fresh = await createAuthz(sql, audit());
    expect(await fresh.can(user('u-dpo'), 'tokens:manage', OWN)).toBe(false);
    expect(await fresh.can(user('u-dpo'), 'events:read', OWN)).toBe(true);
    await authz.reload();
  });

  test('an invalid model file is refused with its name', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-authz-')), 'bad-model.conf');
    fs.writeFileSync(file, '[request_definition]\nr = sub, dom, obj\n');
    await expect(createAuthz(sql, audit(), { modelFile: file })).rejects.toThrow(file);
  });
}
