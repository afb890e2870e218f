import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadIncidentPolicy, policiesDir } from './incident-policy';

describe('incident policies (policies/incident-*.yaml, on-call.yaml, notice-templates.yaml)', () => {
  test('the shipped files load: thresholds, the processor target, rising escalation steps, on-call per tenant, every template in LV and EN', () => {
    const p = loadIncidentPolicy();
    expect(p.processorToControllerHours).toBe(24);
    expect(p.escalation.steps.map((s) => s.name)).toEqual(['50%', '75%', '90%', 'overdue']);
    expect(p.onCallFor('riga').onCall.email).toBe('drosiba@riga.lv');
    expect(p.onCallFor('dobeles-novads')).toBe(p.onCallFor('*'));
    expect(p.template('gdpr-processor-to-controller', 'lv').sections.map((s) => s.key)).toEqual(['nature', 'subjects', 'dpo', 'consequences', 'measures', 'deadline']);
    expect(p.template('nis2-final', 'en').subject).toContain('{{title}}');
  });

  test('a bad file is refused with its name and the entry at fault', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inc-policy-'));
    for (const f of ['incident-classification.yaml', 'incident-clocks.yaml', 'on-call.yaml', 'notice-templates.yaml']) fs.copyFileSync(path.join(policiesDir(), f), path.join(dir, f));
    const clocks = path.join(dir, 'incident-clocks.yaml');
    fs.writeFileSync(clocks, fs.readFileSync(clocks, 'utf8').replace("{ name: '75%', at: 0.75", "{ name: '75%', at: 0.4"));
    expect(() => loadIncidentPolicy(dir)).toThrow(/incident-clocks\.yaml is invalid:\n {2}escalation: steps must be in rising order/);
    fs.writeFileSync(path.join(dir, 'on-call.yaml'), "tenants:\n  riga:\n    onCall: { name: A, email: not-an-address }\n    deputy: { name: B, email: b@riga.lv }\n");
    fs.copyFileSync(path.join(policiesDir(), 'incident-clocks.yaml'), clocks);
    expect(() => loadIncidentPolicy(dir)).toThrow(/on-call\.yaml is invalid:[\s\S]*tenants\.riga\.onCall\.email/);
  });
});
