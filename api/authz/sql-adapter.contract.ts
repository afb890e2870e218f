import { newEnforcer, newModelFromString } from 'casbin';
import type { SqlClient } from '../../core/sql/sql-client';
import { createSqlAdapter } from './sql-adapter';

const MODEL = `
[request_definition]
r = sub, dom, obj
[policy_definition]
p = sub, obj
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.obj == p.obj && g(r.sub, p.sub, r.dom)
`;

/** The casbin Adapter contract of createSqlAdapter, run on one SQL backend. */
export function runSqlAdapterContract(open: () => Promise<{ sql: SqlClient; drop: () => Promise<void> }>): void {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    ({ sql, drop } = await open());
  });
  beforeEach(() => sql.query('DELETE FROM casbin_rule'));
  afterAll(() => drop());

  const rows = async () =>
    (await sql.query<{ ptype: string; v0: string; v1: string; v2: string; v3: string }>('SELECT ptype, v0, v1, v2, v3 FROM casbin_rule ORDER BY id')).rows.map(
      (r) => [r.ptype, r.v0, r.v1, r.v2, r.v3],
    );

  test('casbin writes through the adapter (auto-save) and a new enforcer loads the same policy', async () => {
    const adapter = createSqlAdapter(sql);
    const e = await newEnforcer(newModelFromString(MODEL), adapter);
    await e.addPolicy('dpo', 'events:read');
    await e.addPolicies([['dpo', 'users:read'], ['auditor', 'audit:read']]);
    await e.addGroupingPolicy('user:1', 'dpo', 'riga');
    await e.addGroupingPolicy('user:2', 'dpo', 'riga');
    await e.addGroupingPolicy('user:2', 'auditor', 'riga');
    await e.removePolicy('auditor', 'audit:read');
    await e.removeFilteredGroupingPolicy(0, 'user:2');
    expect(await rows()).toEqual([
      ['p', 'dpo', 'events:read', '', ''],
      ['p', 'dpo', 'users:read', '', ''],
      ['g', 'user:1', 'dpo', 'riga', ''],
    ]);
    const again = await newEnforcer(newModelFromString(MODEL), createSqlAdapter(sql));
    expect(await again.getPolicy()).toEqual([['dpo', 'events:read'], ['dpo', 'users:read']]);
    expect(await again.getGroupingPolicy()).toEqual([['user:1', 'dpo', 'riga']]);
    expect(await again.enforce('user:1', 'riga', 'users:read')).toBe(true);
    expect(await again.enforce('user:1', 'ventspils', 'users:read')).toBe(false);
  });

  test('savePolicy replaces the table with the model; removePolicies deletes a batch', async () => {
    const adapter = createSqlAdapter(sql);
    await adapter.addPolicy('p', 'p', ['stale', 'events:read']);
    const e = await newEnforcer(newModelFromString(MODEL));
    await e.addPolicy('dpo', 'events:read');
    await e.addGroupingPolicy('user:1', 'dpo', 'riga');
    await adapter.savePolicy(e.getModel());
    expect(await rows()).toEqual([
      ['p', 'dpo', 'events:read', '', ''],
      ['g', 'user:1', 'dpo', 'riga', ''],
    ]);
    await adapter.removePolicies('p', 'p', [['dpo', 'events:read'], ['absent', 'x']]);
    expect(await rows()).toEqual([['g', 'user:1', 'dpo', 'riga', '']]);
  });

  test('insertRule/deleteRule report what changed; replaceRules touches one ptype only', async () => {
    const adapter = createSqlAdapter(sql);
    expect(await adapter.insertRule('g', ['user:1', 'dpo', 'riga'])).toBe(true);
    expect(await adapter.insertRule('g', ['user:1', 'dpo', 'riga'])).toBe(false);
    await adapter.replaceRules('p', [['dpo', 'events:read']]);
    await adapter.replaceRules('p', [['dpo', 'users:read'], ['auditor', 'audit:read']]);
    expect(await adapter.findRules('p', [])).toEqual([['dpo', 'users:read'], ['auditor', 'audit:read']]);
    expect(await adapter.findRules('g', ['user:1'])).toEqual([['user:1', 'dpo', 'riga']]);
    expect(await adapter.deleteRule('g', ['user:1', 'dpo', 'riga'])).toBe(true);
    expect(await adapter.deleteRule('g', ['user:1', 'dpo', 'riga'])).toBe(false);
  });

  test('values are parameters, never SQL; fields outside v0..v5 are refused', async () => {
    const adapter = createSqlAdapter(sql);
    const evil = "x'); DROP TABLE casbin_rule; --";
    await adapter.addPolicy('g', 'g', [evil, 'dpo', 'riga']);
    await adapter.removeFilteredPolicy('g', 'g', 1, 'dpo', evil);
    expect(await adapter.findRules('g', [evil])).toEqual([[evil, 'dpo', 'riga']]);
    await adapter.removeFilteredPolicy('g', 'g', 0, evil);
    expect(await rows()).toEqual([]);
    await expect(adapter.removeFilteredPolicy('g', 'g', 5, 'a', 'b')).rejects.toThrow('outside v0..v5');
    await expect(adapter.addPolicy('p', 'p', ['1', '2', '3', '4', '5', '6', '7'])).rejects.toThrow('at most 6');
  });
}
