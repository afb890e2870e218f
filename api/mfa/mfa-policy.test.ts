import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadMfaPolicy, parseMfaPolicy, rigaMidnight } from './mfa-policy';

const tenants = new Set(['riga', 'adazu-novads']);
const all = { tenant: '*', application: '*', role: '*', required: true, methods: ['totp', 'webauthn'] };
const parse = (doc: unknown) => parseMfaPolicy(doc, { file: 'policies/mfa.yaml', tenants });
const errorOf = (doc: unknown) => {
  try {
    parse(doc);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the policy to be refused');
};

describe('MFA policy loader', () => {
  it('loads the shipped policies/mfa.yaml against the real tenant list', () => {
    const p = loadMfaPolicy();
    expect(p.rules.length).toBeGreaterThan(0);
    expect(p.policyFor('riga', 'NINO', 'X')).toMatchObject({ required: true, deadline: '2026-07-02', tenant: '*', application: '*' });
    expect(p.policyFor('riga', 'BARIS', null).methods).not.toContain('totp');
  });

  it('names file, rule index and field: unknown method, bad date, unknown tenant and application', () => {
    const msg = errorOf({
      rules: [
        all,
        { ...all, tenant: 'atlantida', application: 'NINO' },
        { ...all, application: 'FACEBOOK' },
        { ...all, application: 'SOPA', methods: ['totp', 'sms'] },
        { ...all, application: 'PERS', deadline: '2026-02-30' },
        { ...all, application: 'NOMA', deadline: 20260702 },
      ],
    });
    expect(msg).toContain('policies/mfa.yaml is invalid');
    expect(msg).toContain('rules[3].methods[1]: unknown method "sms"');
    expect(msg).toContain('rules[4].deadline: bad date "2026-02-30"');
    expect(msg).toContain('rules[5].deadline: deadline must be a quoted date YYYY-MM-DD');
  });

  it('reports unknown tenants and applications once the shape is right', () => {
    const msg = errorOf({ rules: [all, { ...all, tenant: 'atlantida' }, { ...all, application: 'FACEBOOK' }] });
    expect(msg).toContain('rules[1].tenant: unknown tenant "atlantida"');
    expect(msg).toContain('rules[2].application: unknown application "FACEBOOK"');
  });

  it('refuses unknown fields, duplicates and a missing default rule', () => {
    expect(errorOf({ rules: [{ ...all, requried: true }] })).toContain('rules[0]: Unrecognized key(s) in object: \'requried\'');
    expect(errorOf({ rules: [all, { ...all }] })).toContain('rules[1]: same tenant, application and role as rules[0]');
    expect(errorOf({ rules: [{ ...all, tenant: 'riga' }] })).toContain("a rule for tenant '*', application '*', role '*' is required");
    expect(errorOf({ rules: [{ ...all, required: 'yes' }] })).toContain('rules[0].required: Expected boolean');
  });

  it('names the file when it cannot be read', () => {
    const file = path.join(os.tmpdir(), `missing-${process.pid}.yaml`);
    expect(() => loadMfaPolicy(file, tenants)).toThrow(`cannot read MFA policy ${file}`);
  });

  it('reads a file from disk with the default deadline', () => {
    const file = path.join(os.tmpdir(), `mfa-${process.pid}.yaml`);
    fs.writeFileSync(file, "rules:\n  - { tenant: '*', application: '*', role: '*', required: false, methods: [totp] }\n");
    try {
      expect(loadMfaPolicy(file, tenants).policyFor('riga', 'NINO')).toMatchObject({ required: false, deadline: '2026-07-02', ruleIndex: 0 });
    } finally {
      fs.unlinkSync(file);
    }
  });
});

describe('policyFor: most specific wins', () => {
  const p = parse({
    deadline: '2026-07-02',
    rules: [
      all,
      { ...all, application: 'SOPA', methods: ['webauthn'] },
      { ...all, application: 'SOPA', role: 'SOPA_LIETVEDIS', methods: ['recovery'] },
      { ...all, role: 'ADMIN', methods: ['smart-id'] },
      { ...all, tenant: 'riga', required: false, deadline: '2026-12-01' },
      { ...all, tenant: 'riga', application: 'SOPA', methods: ['eparaksts'] },
    ],
  });

  it.each([
    ['adazu-novads', 'NINO', 'X', 0],
    ['adazu-novads', 'SOPA', 'X', 1],
    ['adazu-novads', 'SOPA', 'SOPA_LIETVEDIS', 2],
    ['adazu-novads', 'NINO', 'ADMIN', 3],
    ['adazu-novads', 'SOPA', 'ADMIN', 1], // application (2) beats role (1)
    ['riga', 'NINO', 'ADMIN', 4], // tenant (4) beats role
    ['riga', 'SOPA', 'SOPA_LIETVEDIS', 5], // tenant+application (6) beats application+role (3)
  ])('%s / %s / %s → rules[%i]', (tenant, app, role, index) => {
    expect(p.policyFor(tenant, app, role).ruleIndex).toBe(index);
  });

  it('gives each rule its deadline as Riga midnight, DST-aware', () => {
    expect(new Date(p.policyFor('adazu-novads', 'NINO').deadlineAt).toISOString()).toBe('2026-07-01T21:00:00.000Z'); // EEST +3
    expect(new Date(p.policyFor('riga', 'NINO').deadlineAt).toISOString()).toBe('2026-11-30T22:00:00.000Z'); // EET +2
    expect(p.earliestDeadlineAt()).toBe(rigaMidnight('2026-07-02'));
  });
});
