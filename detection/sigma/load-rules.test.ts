import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadRules } from './load-rules';

const RULE = (id: string, extra = '') => `title: Off-hours export
id: ${id}
status: test
description: Export outside working hours
author: Sargs
date: 2026-11-02
tags:
  - attack.exfiltration
  - gdpr.art32
logsource:
  product: vps
  service: PERS
detection:
  sel:
    event.action: export
    sargs.riga.hour|lt: 7
  condition: sel
level: high
${extra}tests:
  match:
    - { '@timestamp': '2026-11-02T03:00:00Z', event.action: export }
  no_match:
    - { '@timestamp': '2026-11-02T10:00:00Z', event.action: export }
`;
const ID1 = '5d1f0f7e-3c4b-4b7a-9a55-0a1b2c3d4e01';
const ID2 = '5d1f0f7e-3c4b-4b7a-9a55-0a1b2c3d4e02';

describe('loadRules', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sargs-rules-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const put = (name: string, text: string) => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
    return relative(process.cwd(), join(dir, name));
  };

  it('loads a good rule with its tests, dotted test keys expanded', () => {
    put('vps/exfiltration_export.yml', RULE(ID1));
    const { rules, errors } = loadRules(dir);
    expect(errors).toEqual([]);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({ kind: 'rule', id: ID1, level: 'high', author: 'Sargs', tags: ['attack.exfiltration', 'gdpr.art32'] });
    expect((rules[0] as { tests: { match: unknown[] } }).tests.match[0]).toEqual({ '@timestamp': '2026-11-02T03:00:00Z', event: { action: 'export' } });
  });

  it('refuses a bad file with file:line: reason and keeps loading the others', () => {
    const good = put('a/good.yml', RULE(ID1));
    const bad = put('b/bad.yml', RULE(ID2).replace('level: high', 'level: severe'));
    const { rules, errors } = loadRules(dir);
    expect(rules.map((r) => r.id)).toEqual([ID1]);
    expect(errors).toEqual([{ file: bad, line: 18, reason: expect.stringMatching(/^level: Invalid enum value/) }]);
    expect(good).toContain('good.yml');
  });

  it('reports a rule without tests, a bad id, a missing condition, an unknown modifier, YAML syntax, each with its line', () => {
    const noTests = put('1.yml', RULE(ID1).replace(/tests:[\s\S]*$/, ''));
    const badId = put('2.yml', RULE('not-a-uuid'));
    const noCond = put('3.yml', RULE(ID1).replace('  condition: sel\n', ''));
    const badMod = put('4.yml', RULE(ID1).replace('event.action: export\n', 'event.action|wat: export\n'));
    const syntax = put('5.yml', RULE(ID1).replace('status: test', 'status: [test'));
    const badCond = put('6.yml', RULE(ID1).replace('condition: sel', 'condition: sel and'));
    const { rules, errors } = loadRules(dir);
    expect(rules).toHaveLength(0);
    const byFile = Object.fromEntries(errors.map((e) => [e.file, `${e.line}: ${e.reason}`]));
    expect(byFile[noTests]).toMatch(/^1: tests: every rule needs tests/);
    expect(byFile[badId]).toMatch(/^2: id: id must be a UUID/);
    expect(byFile[noCond]).toMatch(/^14: detection.condition: detection needs a condition/);
    expect(byFile[badMod]).toMatch(/^15: detection: unknown modifier "wat"/);
    expect(byFile[syntax]).toMatch(/^\d+: YAML:/);
    expect(byFile[badCond]).toMatch(/^17: detection: condition ends unexpectedly/);
  });

  it('refuses a rule with an empty no_match list', () => {
    const f = put('x.yml', RULE(ID1).replace(/  no_match:\n.*\n/, '  no_match: []\n'));
    const { errors } = loadRules(dir);
    expect(errors[0]).toMatchObject({ file: f, reason: expect.stringMatching(/tests.no_match needs at least one event/) });
  });

  it('refuses a duplicate id in a second file', () => {
    put('a.yml', RULE(ID1));
    const dup = put('b.yml', RULE(ID1));
    const { rules, errors } = loadRules(dir);
    expect(rules).toHaveLength(1);
    expect(errors).toEqual([{ file: dup, line: 1, reason: expect.stringMatching(/^duplicate id .* \(first in .*a\.yml:1\)$/) }]);
  });

  it('loads a multi-document correlation file; base rules need no tests of their own', () => {
    put('corr.yml', `title: Failed logon
id: ${ID1}
name: failed_logon
status: test
logsource: { product: windows, service: security }
detection:
  sel: { event.code: 4625 }
  condition: sel
---
title: Brute force
id: ${ID2}
status: test
description: Many failures for one account
author: Sargs
date: 2026-11-02
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [user.name]
  timespan: 5m
  condition: { gte: 3 }
level: high
tests:
  match:
    - events: [ { event.code: 4625, user.name: a }, { event.code: 4625, user.name: a }, { event.code: 4625, user.name: a } ]
  no_match:
    - events: [ { event.code: 4625, user.name: a }, { event.code: 4625, user.name: b } ]
`);
    const { rules, errors } = loadRules(dir);
    expect(errors).toEqual([]);
    expect(rules.map((r) => [r.kind, r.id])).toEqual([['rule', ID1], ['correlation', ID2]]);
    expect(rules[1]).toMatchObject({ ruleIds: [ID1], timespanMs: 300000, condition: { gte: 3 } });
    expect(rules[0]).toMatchObject({ correlationOnly: true });
  });

  it('refuses a correlation referencing an unknown rule and a bad timespan', () => {
    const f = put('c.yml', `title: C
id: ${ID2}
status: test
description: d
author: a
date: 2026-11-02
correlation: { type: event_count, rules: [nope], timespan: 5 minutes, condition: { gte: 2 } }
level: low
tests: { match: [ { events: [ {} ] } ], no_match: [ { events: [ {} ] } ] }
`);
    const { errors } = loadRules(dir);
    expect(errors).toEqual([{ file: f, line: 7, reason: expect.stringMatching(/^correlation.timespan: timespan is a number/) }]);
  });
});
