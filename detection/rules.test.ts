import { rulesTest } from '../cli/rules';
import { loadRules } from './sigma/load-rules';
import { join } from 'node:path';

/**
 * CI gate of issue 4 ("Rules as data"): every file under rules/ loads (schema, unique id, tests present) and passes
 * its own match / no_match events.
 */
describe('rules/ folder', () => {
  const dir = join(__dirname, '..', 'rules');

  it('loads every rule file without error and every rule passes its tests', () => {
    const lines: string[] = [];
    const code = rulesTest(dir, (l) => lines.push(l));
    const problems = lines.filter((l) => l.startsWith('ERROR') || l.startsWith('FAIL'));
    expect(problems).toEqual([]);
    expect(code).toBe(0);
  });

  it('holds at least 30 rules (issue 4)', () => {
    const { rules } = loadRules(dir);
    expect(rules.filter((r) => r.kind !== 'rule' || !r.correlationOnly).length).toBeGreaterThanOrEqual(30);
  });
});
