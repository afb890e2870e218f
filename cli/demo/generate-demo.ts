/**
 * `generateDemo`: deterministic demo traffic for Sargs in the real VPS source formats. Staff work 08–17 on
 * Latvian working days with a lunch dip and rare evenings; residents are declared in their municipality; a share
 * of lookups cross municipalities or come from state institutions with a purpose; scripted misuse
 * (demo-scenarios.ts) is merged in.
 */
import { DEMO_APPS, STATE_INSTITUTIONS, type DemoApp } from './demo-catalogue';
import { DemoEmitter, type DemoRecord, type PendingRecord } from './demo-emitter';
import { accessLine, syslogLine } from './demo-formats';
import { resolveDemo, type DemoOptions, type ResolvedDemo } from './demo-options';
import type { DemoStaff } from './demo-population';
import { createRng, type Rng } from './prng';
import { isLatvianWorkingDay } from './riga-time';
import { scenarioRecords } from './demo-scenarios';

export type { DemoRecord } from './demo-emitter';
export type { DemoOptions } from './demo-options';

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const LUNCH_FROM = 12 * 60;
const LUNCH_TO = 13 * 60;

/** A minute of the working day; lunch minutes are kept only a quarter of the time (lunch dip). */
function workMinute(rng: Rng, s: DemoStaff): number {
  for (;;) {
    const m = s.startMinute + rng.next() * Math.max(60, s.endMinute - s.startMinute);
    if (m < LUNCH_FROM || m >= LUNCH_TO || rng.chance(0.25)) return m;
  }
}

function caseRef(rng: Rng, prefix: string, year: number): string {
  return `${prefix}-${year}/${String(rng.int(1, 9999)).padStart(5, '0')}`;
}

/** The person and purpose of one action: own residents mostly, 6 % of another municipality (always with purpose). */
function subject(d: ResolvedDemo, rng: Rng, s: DemoStaff, app: DemoApp, year: number): { person: string; org: string; purpose: string } {
  const cross = rng.chance(0.06) && d.tenants.length > 1;
  const org = cross ? rng.pick(d.tenants.filter((t) => t !== s.tenant)) : s.tenant;
  const person = rng.pick(d.population.residents.get(org)!);
  const purpose = app.casePrefix && (app.app === 'ENZ' || rng.chance(0.85)) ? caseRef(rng, app.casePrefix, year) : rng.pick(app.purposes);
  return { person, org, purpose };
}

function staffDay(d: ResolvedDemo, em: DemoEmitter, rng: Rng, s: DemoStaff, day: number, working: boolean): void {
  const date = d.date(day);
  const dayStart = d.dayStartMs(day);
  const toMs = (minute: number): number => dayStart + Math.round(minute * 60000) + rng.int(0, 59) * 1000;
  if (working ? !rng.chance(0.92) : !rng.chance(0.03)) return; // leave, sick days; a few weekend on-call shifts
  const sessions: { from: number; count: number; minute: () => number }[] = [];
  const count = rng.poisson(s.actionsPerDay * (working ? 1 : 0.3));
  sessions.push({ from: s.startMinute, count, minute: () => workMinute(rng, s) });
  if (rng.chance(s.eveningRate)) {
    const from = rng.int(19 * 60, 21 * 60);
    sessions.push({ from, count: rng.int(3, 12), minute: () => from + rng.next() * 45 });
  }
  for (const sess of sessions) {
    const actions = Array.from({ length: sess.count }, sess.minute).sort((a, b) => a - b);
    const loginAt = toMs(Math.min(sess.from, actions[0] ?? sess.from) - 2);
    const afterCutoff = loginAt >= d.mfaCutoffMs;
    const mfa = !afterCutoff && s.passwordOnly ? null : s.mfaMethod; // after the cutoff only scenarios go without MFA
    const loggedIn = new Set<DemoApp>();
    const session = em.session();
    for (const minute of actions) {
      const app = s.apps.length > 1 && rng.chance(0.2) ? s.apps[1]! : s.apps[0]!;
      const ms = toMs(minute);
      if (!loggedIn.has(app)) {
        if (rng.chance(0.05)) em.login(s, app, loginAt - 20000, false, null); // mistyped password
        em.login(s, app, loginAt, true, mfa);
        loggedIn.add(app);
      }
      const action = rng.weighted(app.actions.map((x) => [x, x.weight] as const));
      if (action.person) {
        const subj = subject(d, rng, s, app, date.year);
        em.action({ staff: s, app, action, ms, person: subj.person, subjectOrg: subj.org, purpose: subj.purpose, session });
      } else {
        em.action({ staff: s, app, action, ms, person: null, subjectOrg: null, purpose: rng.pick(app.purposes), session });
      }
    }
  }
}

/** State institutions (VID, State Police, VSAA, PMLP; tenants of their own) reading residents' data with a purpose. */
function institutionLookups(d: ResolvedDemo, em: DemoEmitter, rng: Rng, day: number): void {
  const n = rng.poisson(d.eventsPerDay * 0.02);
  for (let i = 0; i < n; i++) {
    const inst = rng.pick(STATE_INSTITUTIONS);
    const app = DEMO_APPS.find((a) => a.app === inst.app)!;
    const tenant = rng.pick(d.tenants);
    const k = rng.int(1, 40);
    const staff: DemoStaff = {
      user: `${inst.org}_insp${String(k).padStart(2, '0')}`, fullName: '', tenant: inst.org, domain: inst.org.toUpperCase(), apps: [app],
      ip: `195.244.${100 + STATE_INSTITUTIONS.indexOf(inst)}.${k}`, workstation: `${inst.org.toUpperCase()}-${k}`, startMinute: 0, endMinute: 0,
      eveningRate: 0, actionsPerDay: 0, mfaMethod: 'eParaksts mobile', passwordOnly: false,
    };
    const ms = d.dayStartMs(day) + Math.round(Math.min(1439, Math.max(0, rng.normal(12.5 * 60, 120))) * 60000);
    const action = app.actions.find((a) => a.person) ?? app.actions[0]!;
    // Tenant is the acting organisation, as a central collector derives it from organization.id (core/types.ts);
    // the municipality whose resident was read is vps.subject.organization.
    em.action({ staff, app, action: { ...action, category: inst.category }, ms, person: rng.pick(d.population.residents.get(tenant)!), subjectOrg: tenant, purpose: inst.purpose, session: em.session(), org: inst.org });
  }
}

/** Anonymous portal traffic and a few syslog lines from servers and the firewall. */
function background(d: ResolvedDemo, em: DemoEmitter, rng: Rng, day: number, working: boolean): void {
  const dayStart = d.dayStartMs(day);
  const nWeb = rng.poisson(d.eventsPerDay * (working ? 0.04 : 0.01));
  for (let i = 0; i < nWeb; i++) {
    const ms = dayStart + Math.round(Math.min(1439, Math.max(0, rng.normal(13 * 60, 240))) * 60000);
    const path = rng.weighted([['/', 4], ['/static/app.js', 3], ['/static/style.css', 3], ['/adfs/ls/?wa=wsignin1.0', 2], ['/wp-login.php', 0.3], ['/robots.txt', 0.5]] as const);
    const status = path === '/wp-login.php' ? 404 : path.startsWith('/adfs') ? 302 : 200;
    const ip = `${rng.int(80, 213)}.${rng.int(0, 255)}.${rng.int(0, 255)}.${rng.int(1, 254)}`;
    em.push(ms, 'web_access', rng.pick(d.tenants), accessLine({ at: new Date(ms), ip, user: null, method: 'GET', path, status, bytes: rng.int(200, 90000), referer: '-', agent: BROWSER }));
  }
  const nSys = rng.poisson(d.eventsPerDay * 0.01);
  for (let i = 0; i < nSys; i++) {
    const ms = dayStart + rng.int(0, 86399) * 1000;
    const tenant = rng.pick(d.tenants);
    const kind = rng.int(0, 2);
    const at = new Date(ms);
    const raw =
      kind === 0
        ? syslogLine({ at, pri: 86, host: `app0${rng.int(1, 4)}`, app: 'sshd', pid: rng.int(1000, 60000), msg: `Accepted publickey for oracle from 10.0.${rng.int(1, 9)}.${rng.int(2, 250)} port ${rng.int(40000, 65000)} ssh2`, rfc5424: false })
        : kind === 1
          ? syslogLine({ at, pri: 189, host: 'fw01.vps.lv', app: 'fortigate', msg: `devname="FGT-VPS-01" type="traffic" subtype="forward" srcip=10.${rng.int(20, 30)}.0.${rng.int(10, 200)} dstip=10.0.1.${rng.int(2, 50)} dstport=1521 action="accept" policyid=12`, rfc5424: true })
          : syslogLine({ at, pri: 78, host: `app0${rng.int(1, 4)}`, app: 'CRON', pid: rng.int(1000, 60000), msg: '(root) CMD (/opt/vps/bin/rotate-logs.sh)', rfc5424: false });
    em.push(ms, 'syslog', tenant, raw);
  }
}

const ordered = (a: PendingRecord, b: PendingRecord): number => a.ms - b.ms || a.seq - b.seq;

/**
 * Yields demo records day by day in time order. The same options always give the same records.
 * @example for (const r of generateDemo({ start: new Date('2026-11-23'), days: 7, seed: 1 })) await send(r)
 */
export function* generateDemo(opts: DemoOptions): Generator<DemoRecord> {
  const d = resolveDemo(opts);
  const { records } = scenarioRecords(d);
  const end = d.dayStartMs(d.days);
  let pending = records.filter((r) => r.ms < end).sort(ordered);
  for (let day = 0; day < d.days; day++) {
    const dayEnd = d.dayStartMs(day + 1);
    const date = d.date(day);
    const label = `${date.year}-${date.month}-${date.day}`;
    const rng = createRng(d.seed, 'day', label);
    const em = new DemoEmitter(rng);
    const working = isLatvianWorkingDay(date);
    for (const s of d.population.staff) staffDay(d, em, createRng(d.seed, 'staff', label, s.tenant, s.user), s, day, working);
    institutionLookups(d, em, rng, day);
    background(d, em, rng, day, working);
    const scripted = pending.filter((r) => r.ms < dayEnd);
    pending = pending.filter((r) => r.ms >= dayEnd);
    // scripted records sort after normal ones at the same instant: seq offset keeps the order stable
    const all = em.out.concat(scripted.map((r) => ({ ...r, seq: r.seq + 1e9 }))).sort(ordered);
    for (const r of all) yield r.record;
  }
}
