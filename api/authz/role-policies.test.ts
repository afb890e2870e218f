import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PERMISSIONS } from './permissions';
import { loadRolePolicies } from './role-policies';
import { ROLES } from './roles';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-roles-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const real = fs.readFileSync(path.resolve(__dirname, '..', '..', 'policies', 'roles.yaml'), 'utf8');
/** The dpo role's permission list as written in the file (roles.3), whatever it holds today. */
const dpoPermissions = /name: dpo\n[\s\S]*?permissions: (\[[^\]]*\])/.exec(real)![1];

/** Writes `text` to a temp roles file and returns its path. */
function file(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('loadRolePolicies', () => {
  test('policies/roles.yaml defines every role; * expands to every permission', () => {
    const r = loadRolePolicies();
    expect([...r.byName.keys()].sort()).toEqual([...ROLES].sort());
    expect(r.byName.get('platform-admin')!.permissions).toEqual([...PERMISSIONS]);
    expect(r.byName.get('soc-analyst')).toMatchObject({ scope: 'platform', holder: 'user' });
    expect(r.byName.get('collector')).toMatchObject({ scope: 'tenant', holder: 'token', permissions: ['events:ingest'] });
    expect(r.lines).toContainEqual(['dpo', 'users:read']);
  });

  test.each([
    ['unknown permission', real.replace(dpoPermissions, '[events:read, users:delete]'), /roles\.3\.permissions\.1: Invalid enum value.*'users:delete'/s],
    ['unknown role', real.replace('name: dpo', 'name: dpo2'), /roles\.3\.name: Invalid enum value/],
    ['missing role', real.replace(/ {2}- name: auditor[\s\S]*?(?=\n {2}- name: collector)/, ''), /roles: not defined: auditor/],
    ['role defined twice', real.replace('name: dpo', 'name: soc-analyst'), /roles\.3\.name: role "soc-analyst" is defined twice/],
    ['bad scope', real.replace('scope: platform', 'scope: global'), /roles\.0\.scope: Invalid enum value/],
    ['token role held platform-wide', real.replace(/(name: collector\n\s+)scope: tenant/, '$1scope: platform'), /roles\.6\.scope: a token role must be scope: tenant/],
    ['permission listed twice', real.replace(dpoPermissions, '[events:read, events:read]'), /roles\.3\.permissions: "events:read" is listed twice/],
    ['* beside others', real.replace("permissions: ['*']", "permissions: ['*', self]"), /roles\.0\.permissions: '\*' \(all permissions\) must be the only entry/],
    ['no permissions', real.replace(dpoPermissions, '[]'), /roles\.3\.permissions/],
    ['unknown field', real.replace('holder: user', 'holder: user\n    tenant: riga'), /roles\.0: Unrecognized key\(s\) in object: 'tenant'/],
    ['not YAML', 'roles: [\n', /is not valid YAML/],
    ['no roles key', 'rols: []\n', /\(root\)|roles: Required/],
  ])('%s: a clear error naming the file and the entry', (name, text, message) => {
    const f = file(`${name.replace(/\W+/g, '-')}.yaml`, text);
    expect(text).not.toBe(real);
    expect(() => loadRolePolicies(f)).toThrow(message);
    expect(() => loadRolePolicies(f)).toThrow(f);
  });

  test('a missing file is named', () => {
    const f = path.join(dir, 'absent.yaml');
    expect(() => loadRolePolicies(f)).toThrow(`cannot read roles file ${f}`);
  });
});
