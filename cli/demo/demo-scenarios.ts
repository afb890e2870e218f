/**
 * Scripted misuse written into the demo stream, each with a stable id, so detections and reports can be shown
 * working on known cases. `demoScenarios` lists them with their actors and time windows.
 */
import { DEMO_APPS, type DemoApp } from './demo-catalogue';
import { DemoEmitter, type PendingRecord } from './demo-emitter';
import { resolveDemo, type DemoOptions, type ResolvedDemo } from './demo-options';
import type { DemoStaff } from './demo-population';
import { generatePersonCode } from './person-code';
import { createRng, type Rng } from './prng';
import { rigaLocalToUtc } from './riga-time';

/** A scripted misuse case as listed for the operator. */
export interface DemoScenario {
  id: string;
  title: string;
  description: string;
  tenant: string;
  user: string;
  /** First and last record of the scenario (ISO, UTC). */
  from: string;
  to: string;
  /** The detection rule topic that should fire. */
  expected: string;
  /** For the watch-list case: the watched person's code, to put on the watch list before ingesting. */
  person?: string;
}

interface Plan {
  meta: Omit<DemoScenario, 'from' | 'to'>;
  emit(em: DemoEmitter, rng: Rng): void;
}

const appOf = (name: string): DemoApp => DEMO_APPS.find((x) => x.app === name)!;
const actionOf = (app: DemoApp, action: string) => app.actions.find((x) => x.action === action) ?? { action, weight: 1, category: app.actions[0]!.category, person: true };

/** Staff of a tenant using `app`, else the tenant's first employee given that app (deterministic). */
function staffWith(d: ResolvedDemo, tenant: string, app: string, skip = 0): DemoStaff {
  const list = d.population.staffByTenant.get(tenant)!;
  const users = list.filter((s) => s.apps.some((x) => x.app === app));
  if (users.length > skip) return users[skip]!;
  const s = list[skip % list.length]!;
  return { ...s, apps: [appOf(app), ...s.apps] };
}

function plans(d: ResolvedDemo): Plan[] {
  const t = (i: number): string => d.tenants[i % d.tenants.length]!;
  const at = (day: number, minutes: number): number => rigaLocalToUtc(d.date(day), minutes).getTime();
  const residents = (tenant: string): string[] => d.population.residents.get(tenant)!;
  const out: Plan[] = [];

  const browser = staffWith(d, t(0), 'PERS');
  const browseDay = d.workingDayNear(1);
  out.push({
    meta: { id: 'bulk-browsing-without-case', title: 'Bulk browsing of persons without a case', description: `${browser.user} opens 180 different residents in PERS within 90 minutes, no purpose or case reference given.`, tenant: t(0), user: browser.user, expected: 'bulk_person_access' },
    emit(em, rng) {
      const app = appOf('PERS');
      const session = em.session();
      const people = residents(t(0));
      for (let i = 0; i < 180; i++) {
        em.action({ staff: browser, app, action: actionOf(app, 'view_person'), ms: at(browseDay, 10 * 60 + i / 2) + rng.int(0, 25000), person: people[(i * 7) % people.length]!, subjectOrg: t(0), purpose: null, session, outcome: 'success' });
      }
    },
  });

  const exporter = staffWith(d, t(1), 'SOPA');
  const exportDay = Math.min(2, d.days - 1); // 02:10 local: outside any working hours
  out.push({
    meta: { id: 'off-hours-bulk-export', title: 'Off-hours bulk export', description: `${exporter.user} logs in from outside the network at 02:10 and exports the SOPA client register.`, tenant: t(1), user: exporter.user, expected: 'off_hours_export' },
    emit(em, rng) {
      const app = appOf('SOPA');
      const ip = '85.254.77.19';
      const start = at(exportDay, 2 * 60 + 10);
      em.login(exporter, app, start, true, exporter.mfaMethod, ip);
      const session = em.session();
      const people = residents(t(1));
      for (let i = 0; i < 40; i++) {
        em.action({ staff: exporter, app, action: actionOf(app, 'view_client'), ms: start + 60000 + i * rng.int(5000, 15000), person: people[(i * 11) % people.length]!, subjectOrg: t(1), purpose: null, session, outcome: 'success', ip });
      }
      const exportAt = start + 12 * 60000;
      em.action({ staff: exporter, app, action: { action: 'export_clients', weight: 1, category: 'social_assistance', person: false }, ms: exportAt, person: null, subjectOrg: t(1), purpose: null, session, outcome: 'success', recordId: 'SOPA-EXPORT-4812-ROWS', ip });
      em.oracle(exporter, exportAt + 500, 'SELECT', 'SOPA', 'SOPA_KLIENTI', 'SELECT * FROM SOPA.SOPA_KLIENTI', 0);
    },
  });

  const wakeDay = d.workingDayNear(3);
  const rngStaff = createRng(d.seed, 'dormant-staff');
  const base = d.population.staffByTenant.get(t(2))![0]!;
  const taken = new Set(d.population.staffByTenant.get(t(2))!.map((s) => s.user));
  let dormantUser = `v${rngStaff.pick(['vilks', 'sprogis', 'auzins'])}`;
  while (taken.has(dormantUser)) dormantUser += '1';
  const dormant: DemoStaff = { ...base, user: dormantUser, fullName: 'Valdis Auziņš', apps: [appOf('PERS')], ip: base.ip.replace(/\.\d+$/, '.250'), workstation: `${base.domain}-WS250` };
  out.push({
    meta: { id: 'dormant-account-wakes', title: 'Dormant account wakes up', description: `${dormant.user} had no activity for 125 days, then logs in and opens 25 residents.`, tenant: t(2), user: dormant.user, expected: 'dormant_account' },
    emit(em, rng) {
      const app = appOf('PERS');
      const people = residents(t(2));
      const last = at(wakeDay, 11 * 60) - 125 * 86400000;
      em.action({ staff: dormant, app, action: actionOf(app, 'view_person'), ms: last, person: people[0]!, subjectOrg: t(2), purpose: app.purposes[0]!, session: em.session(), outcome: 'success' });
      const start = at(wakeDay, 16 * 60 + 40);
      em.login(dormant, app, start, true, dormant.mfaMethod);
      const session = em.session();
      for (let i = 0; i < 25; i++) {
        em.action({ staff: dormant, app, action: actionOf(app, 'view_person'), ms: start + 30000 + i * rng.int(20000, 60000), person: people[(i * 13 + 5) % people.length]!, subjectOrg: t(2), purpose: app.purposes[0]!, session, outcome: 'success' });
      }
    },
  });

  const cutoffDay = Array.from({ length: d.days }, (_, i) => i).find((i) => d.dayStartMs(i) >= d.mfaCutoffMs);
  if (cutoffDay !== undefined) {
    const pwDay = d.workingDayNear(Math.max(cutoffDay, Math.min(4, d.days - 1)));
    const pwUser = staffWith(d, t(3), 'LIETVARIS');
    out.push({
      meta: { id: 'password-only-after-cutoff', title: 'Password-only login after 2 July 2026', description: `${pwUser.user} signs in to LIETVARIS through AD FS without MFA three times in one day.`, tenant: t(3), user: pwUser.user, expected: 'password_only_login' },
      emit(em, rng) {
        const app = appOf('LIETVARIS');
        for (const minute of [8 * 60 + 5, 12 * 60 + 50, 15 * 60 + 30]) em.login(pwUser, app, at(pwDay, minute) + rng.int(0, 50000), true, null);
      },
    });
  }

  const victim = d.population.staffByTenant.get(t(4))!.find((s) => s.apps[0]!.kind === 'desktop') ?? d.population.staffByTenant.get(t(4))![0]!;
  const bruteDay = Math.min(2, d.days - 1);
  out.push({
    meta: { id: 'brute-force-then-success', title: 'Brute force followed by a successful logon', description: `30 failed logons (4625) for ${victim.user} from one external address within 5 minutes, then a success (4624).`, tenant: t(4), user: victim.user, expected: 'brute_force' },
    emit(em, rng) {
      const app = appOf('NINO'); // desktop: domain controller logons
      const ip = '91.203.68.142';
      const start = at(bruteDay, 6 * 60 + 40);
      for (let i = 0; i < 30; i++) em.login(victim, app, start + i * 9000 + rng.int(0, 3000), false, null, ip);
      em.login(victim, app, start + 300000, true, null, ip);
    },
  });

  const officer = staffWith(d, t(0), 'ENZ');
  const policeDay = d.workingDayNear(1);
  out.push({
    meta: { id: 'police-lookup-without-case', title: 'Vehicle lookups without a case reference', description: `Municipal police officer ${officer.user} runs 25 CSDD vehicle lookups in ENZ without an event journal case.`, tenant: t(0), user: officer.user, expected: 'vehicle_lookup_without_case' },
    emit(em, rng) {
      const app = appOf('ENZ');
      const session = em.session();
      const people = residents(t(0));
      for (let i = 0; i < 25; i++) {
        const plate = `${String.fromCharCode(65 + rng.int(0, 25))}${String.fromCharCode(65 + rng.int(0, 25))}-${rng.int(1000, 9999)}`;
        em.action({ staff: officer, app, action: actionOf(app, 'vehicle_lookup'), ms: at(policeDay, 14 * 60) + i * rng.int(60000, 150000), person: people[(i * 17 + 3) % people.length]!, subjectOrg: t(0), purpose: null, session, outcome: 'success', recordId: `CSDD-${plate}` });
      }
    },
  });

  const watched = generatePersonCode(createRng(d.seed, 'watch-listed'));
  const watcher = staffWith(d, t(1), 'JUPIS');
  const watchDay = d.workingDayNear(3);
  out.push({
    meta: { id: 'watchlisted-person-opened', title: 'Watch-listed person opened', description: `${watcher.user} of ${t(1)} opens the record of a watch-listed resident of ${t(0)}.`, tenant: t(1), user: watcher.user, expected: 'watchlist_access', person: watched },
    emit(em) {
      const app = appOf('JUPIS');
      em.action({ staff: watcher, app, action: actionOf(app, 'person_lookup'), ms: at(watchDay, 13 * 60 + 21), person: watched, subjectOrg: t(0), purpose: app.purposes[1]!, session: em.session(), outcome: 'success' });
    },
  });
  return out;
}

/** Runs every scenario's script: the listing and the records to merge into the stream. */
export function scenarioRecords(d: ResolvedDemo): { scenarios: DemoScenario[]; records: PendingRecord[] } {
  const scenarios: DemoScenario[] = [];
  const records: PendingRecord[] = [];
  for (const plan of plans(d)) {
    const em = new DemoEmitter(createRng(d.seed, 'scenario', plan.meta.id), plan.meta.id);
    plan.emit(em, createRng(d.seed, 'scenario-times', plan.meta.id));
    const times = em.out.map((r) => r.ms);
    scenarios.push({ ...plan.meta, from: new Date(Math.min(...times)).toISOString(), to: new Date(Math.max(...times)).toISOString() });
    records.push(...em.out);
  }
  return { scenarios, records };
}

/**
 * The misuse scenarios `generateDemo` writes for the same options. The password-only case is listed only when
 * the run reaches past the MFA cutoff.
 */
export function demoScenarios(opts: DemoOptions): DemoScenario[] {
  return scenarioRecords(resolveDemo(opts)).scenarios;
}
