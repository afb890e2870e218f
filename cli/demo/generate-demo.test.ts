import { generateDemo, type DemoRecord } from './generate-demo';
import { demoScenarios } from './demo-scenarios';
import { demoToNdjson } from './demo-to-ndjson';
import { isValidPersonCode, personCodeCheckDigit } from './person-code';
import { isLatvianWorkingDay, rigaParts } from './riga-time';

const TENANTS = ['riga', 'jelgava', 'valmieras-novads', 'ventspils', 'adazu-novads'];
// Mon 23 – Sun 29 November 2026: after the MFA cutoff, a normal working week plus a weekend
const WEEK = { start: new Date('2026-11-23T12:00:00Z'), days: 7, seed: 7, tenants: TENANTS, eventsPerDay: 4000 };

const collect = (opts: Parameters<typeof generateDemo>[0]): DemoRecord[] => [...generateDemo(opts)];
const week = collect(WEEK);
const audits = week.filter((r) => r.parser === 'vps_audit').map((r) => ({ r, e: JSON.parse(r.raw) }));

describe('generateDemo', () => {
  it('is deterministic: the same seed gives the same records, another seed others', () => {
    const opts = { ...WEEK, days: 2 };
    const a = collect(opts);
    const b = collect(opts);
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(1000);
    const c = collect({ ...opts, seed: 8 });
    expect(c.slice(0, 50).map((r) => r.raw)).not.toEqual(a.slice(0, 50).map((r) => r.raw));
  });

  it('yields records in time order', () => {
    const outOfOrder = week.filter((r, i) => i > 0 && r.at < week[i - 1]!.at);
    expect(outOfOrder).toEqual([]);
  });

  it('writes only valid person codes, in both formats', () => {
    const codes = audits.map(({ e }) => e.person).filter((p): p is string => p !== null);
    expect(codes.length).toBeGreaterThan(1000);
    expect(codes.filter((c) => !isValidPersonCode(c))).toEqual([]);
    expect(codes.some((c) => c.startsWith('32'))).toBe(true);
    expect(codes.some((c) => /^\d{6}-[12]\d{4}$/.test(c) && !c.startsWith('32'))).toBe(true);
  });

  it('computes the person code check digit with weights 1,6,3,7,9,10,5,8,4,2', () => {
    // 1·1+6·2+3·0+7·1+9·9+10·0+5·1+8·2+4·3+2·4 = 142; (1101 − 142) mod 11 = 959 mod 11 = 2
    expect(personCodeCheckDigit('1201901234')).toBe(2);
    expect(isValidPersonCode('120190-12342')).toBe(true);
    expect(isValidPersonCode('120190-12343')).toBe(false);
    expect(isValidPersonCode('310290-12342')).toBe(false); // 31 February
  });

  it('keeps staff to working hours on Latvian working days, with a lunch dip and quiet weekends', () => {
    const staff = audits.filter(({ r, e }) => !r.scenario && TENANTS.includes(e.org));
    const byHour = new Array<number>(24).fill(0);
    let working = 0;
    let weekend = 0;
    for (const { e } of staff) {
      const p = rigaParts(new Date(e.ts));
      if (isLatvianWorkingDay(p)) {
        working++;
        byHour[p.hour]!++;
      } else weekend++;
    }
    const inHours = byHour.slice(7, 18).reduce((s, x) => s + x, 0);
    expect(inHours / working).toBeGreaterThan(0.95);
    expect(byHour.slice(19, 22).reduce((s, x) => s + x, 0)).toBeGreaterThan(0); // rare evenings exist
    expect(byHour[12]!).toBeLessThan(byHour[10]! * 0.6);
    expect(byHour[12]!).toBeLessThan(byHour[14]! * 0.6);
    expect(weekend / 2).toBeLessThan((working / 5) * 0.1);
  });

  it('includes cross-municipality and state institution lookups, always with a purpose', () => {
    const cross = audits.filter(({ e }) => e.subject_org && e.org !== e.subject_org);
    expect(cross.length).toBeGreaterThan(50);
    const state = cross.filter(({ e }) => ['vid', 'vp', 'vsaa', 'pmlp'].includes(e.org));
    expect(state.length).toBeGreaterThan(10);
    for (const { r, e } of cross) if (!r.scenario) expect(e.purpose).toBeTruthy();
    for (const { r, e } of state) expect(r.tenant).toBe(e.org);
  });

  it('uses every application of DOMAIN.md and every source format', () => {
    const apps = new Set(audits.map(({ e }) => e.app));
    for (const app of ['NINO', 'NEKIP', 'SOPA', 'DZIMTS', 'PERS', 'JUPIS', 'GVEDIS', 'ALGAS', 'KADRI', 'BUDZIS', 'NOMA', 'LIETVARIS', 'BARIS', 'ENZ', 'BRIDZIS', 'APUS', 'AMIS']) {
      expect(apps).toContain(app);
    }
    const parsers = new Set(week.map((r) => r.parser));
    expect([...parsers].sort()).toEqual(['oracle_audit', 'syslog', 'vps_audit', 'web_access', 'windows']);
    const combined = /^\S+ - \S+ \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0[23]00\] "\w+ \S+ HTTP\/1\.1" \d{3} \d+ "[^"]*" "[^"]*"$/;
    const isJson = (raw: string): boolean => {
      try {
        return typeof JSON.parse(raw) === 'object';
      } catch {
        return false;
      }
    };
    const malformed = week.filter((r) =>
      r.parser === 'web_access' ? !combined.test(r.raw) : r.parser === 'syslog' ? !/^<\d{1,3}>/.test(r.raw) : !isJson(r.raw),
    );
    expect(malformed).toEqual([]);
    const enz = audits.filter(({ r, e }) => !r.scenario && e.action === 'vehicle_lookup');
    expect(enz.length).toBeGreaterThan(0);
    for (const { e } of enz) expect(e.purpose).toMatch(/^ENZ-2026\/\d{5}$/);
  });

  it('after 2 July 2026 logs every normal login with MFA', () => {
    const adfs = week.filter((r) => r.parser === 'windows' && !r.scenario && r.raw.includes('"event_id":1200'));
    expect(adfs.length).toBeGreaterThan(10);
    for (const r of adfs) expect(r.raw).toContain('<MfaPerformed>true</MfaPerformed>');
  });

  it('takes its default municipalities from policies/tenants.yaml', () => {
    const tenants = new Set(collect({ ...WEEK, tenants: undefined, days: 1, eventsPerDay: 300 }).map((r) => r.tenant));
    for (const t of TENANTS) expect(tenants).toContain(t);
  });

  it('sizes a working day near eventsPerDay (default 20 000)', () => {
    const oneDay = collect({ start: new Date('2026-11-24T00:00:00Z'), days: 1, seed: 3, tenants: TENANTS });
    expect(oneDay.length).toBeGreaterThan(16000);
    expect(oneDay.length).toBeLessThan(24000);
  });
});

describe('demoScenarios', () => {
  const scenarios = demoScenarios(WEEK);

  it('lists every scripted misuse with its records in the stream', () => {
    expect(scenarios.map((s) => s.id).sort()).toEqual([
      'brute-force-then-success', 'bulk-browsing-without-case', 'dormant-account-wakes', 'off-hours-bulk-export',
      'password-only-after-cutoff', 'police-lookup-without-case', 'watchlisted-person-opened',
    ]);
    for (const s of scenarios) {
      const recs = week.filter((r) => r.scenario === s.id);
      expect(recs.length).toBeGreaterThan(0);
      expect(recs[0]!.at).toBe(s.from);
      expect(recs[recs.length - 1]!.at).toBe(s.to);
      expect(TENANTS).toContain(s.tenant);
      expect(s.expected).toMatch(/^[a-z_]+$/);
    }
  });

  it('writes each scenario as its detection needs it', () => {
    const of = (id: string) => week.filter((r) => r.scenario === id);
    const bulk = of('bulk-browsing-without-case').filter((r) => r.parser === 'vps_audit').map((r) => JSON.parse(r.raw));
    expect(new Set(bulk.map((e) => e.person)).size).toBeGreaterThanOrEqual(150);
    expect(bulk.every((e) => e.purpose === null)).toBe(true);

    const brute = of('brute-force-then-success').map((r) => JSON.parse(r.raw).winlog.event_id);
    expect(brute.filter((id) => id === 4625)).toHaveLength(30);
    expect(brute[brute.length - 1]).toBe(4624);

    const pw = of('password-only-after-cutoff');
    expect(pw.length).toBe(3);
    for (const r of pw) expect(r.raw).toContain('<MfaPerformed>false</MfaPerformed>');

    const police = of('police-lookup-without-case').filter((r) => r.parser === 'vps_audit').map((r) => JSON.parse(r.raw));
    expect(police.length).toBe(25);
    expect(police.every((e) => e.app === 'ENZ' && e.category === 'vehicle' && e.purpose === null)).toBe(true);

    const exp = of('off-hours-bulk-export').map((r) => r.at).map((at) => rigaParts(new Date(at)).hour);
    expect(exp.every((h) => h < 6)).toBe(true);

    const watch = scenarios.find((s) => s.id === 'watchlisted-person-opened')!;
    expect(isValidPersonCode(watch.person!)).toBe(true);
    expect(of(watch.id).some((r) => r.raw.includes(watch.person!))).toBe(true);

    const dormant = scenarios.find((s) => s.id === 'dormant-account-wakes')!;
    const times = week.filter((r) => r.raw.includes(`"user":"${dormant.user}"`) || r.raw.includes(`\\\\${dormant.user}<`)).map((r) => Date.parse(r.at));
    times.sort((a, b) => a - b);
    expect((times[1]! - times[0]!) / 86400000).toBeGreaterThanOrEqual(120);
  });

  it('omits the password-only case when the run ends before the MFA cutoff', () => {
    const ids = demoScenarios({ ...WEEK, start: new Date('2026-03-02T12:00:00Z') }).map((s) => s.id);
    expect(ids).not.toContain('password-only-after-cutoff');
    expect(ids).toHaveLength(6);
  });

  it('places every scenario inside a one-day run', () => {
    const opts = { ...WEEK, days: 1, eventsPerDay: 500 };
    const recs = collect(opts);
    for (const s of demoScenarios(opts)) expect(recs.some((r) => r.scenario === s.id)).toBe(true);
  });
});

describe('demoToNdjson', () => {
  it('batches per tenant and parser, one item a line', () => {
    const sample = week.slice(0, 3000);
    const batches = [...demoToNdjson(sample, { batchSize: 100 })];
    expect(batches.reduce((s, b) => s + b.count, 0)).toBe(3000);
    for (const b of batches) {
      expect(b.count).toBeLessThanOrEqual(100);
      const lines = b.body.trimEnd().split('\n');
      expect(lines).toHaveLength(b.count);
      const json = b.parser !== 'web_access' && b.parser !== 'syslog';
      for (const line of lines) expect(line.startsWith('{')).toBe(json);
    }
    const asStrings = [...demoToNdjson(sample.filter((r) => r.parser === 'syslog'), { textAsString: true })];
    for (const b of asStrings) for (const line of b.body.trimEnd().split('\n')) expect(typeof JSON.parse(line)).toBe('string');
  });
});
