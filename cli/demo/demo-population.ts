/**
 * The demo's people: municipal staff with working-hour habits and residents declared in each municipality.
 * Built from the seed alone, so every day of a run (and demoScenarios) sees the same people.
 */
import { loadTenants } from '../../core/tenants';
import { DEFAULT_TENANTS, DEMO_APPS, FIRST_NAMES_F, FIRST_NAMES_M, SURNAMES, TENANT_SIZE, loginName, type DemoApp } from './demo-catalogue';
import { generatePersonCode } from './person-code';
import { createRng } from './prng';

/** A municipal employee. */
export interface DemoStaff {
  /** Login name (sAMAccountName). */
  user: string;
  fullName: string;
  tenant: string;
  /** AD domain (NetBIOS), e.g. RIGA. */
  domain: string;
  apps: DemoApp[];
  ip: string;
  workstation: string;
  /** Usual start and end of the working day, minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  /** Probability of an evening session on a working day. */
  eveningRate: number;
  /** Mean actions per working day. */
  actionsPerDay: number;
  /** MFA factor used once MFA is on; before 2 July 2026 some staff still log in with a password only. */
  mfaMethod: string;
  passwordOnly: boolean;
}

/** Everyone in the demo. */
export interface DemoPopulation {
  tenants: string[];
  staff: DemoStaff[];
  staffByTenant: Map<string, DemoStaff[]>;
  residents: Map<string, string[]>;
}

/**
 * Tenant ids: the explicit list, else the default municipalities that policies/tenants.yaml lists as
 * municipalities (core/tenants.ts), else the defaults as they are.
 */
export function resolveTenants(explicit?: string[]): string[] {
  if (explicit && explicit.length > 0) return explicit;
  try {
    const { byId } = loadTenants();
    const known = DEFAULT_TENANTS.filter((id) => byId.get(id)?.kind === 'municipality');
    if (known.length >= 2) return known;
    const municipalities = [...byId.values()].filter((t) => t.kind === 'municipality').map((t) => t.id);
    return municipalities.length > 0 ? municipalities.slice(0, 5) : DEFAULT_TENANTS;
  } catch {
    return DEFAULT_TENANTS;
  }
}

const MFA_METHODS: [string, number][] = [['Smart-ID', 5], ['eParaksts mobile', 3], ['TOTP', 2], ['WebAuthn', 1]];

/**
 * Builds staff and residents. `eventsPerDay` sizes the staff so that a working day yields about that many records.
 */
export function buildPopulation(seed: number, tenants: string[], eventsPerDay: number): DemoPopulation {
  const rng = createRng(seed, 'population');
  const sizes = tenants.map((t) => TENANT_SIZE[t] ?? 1);
  const totalSize = sizes.reduce((s, x) => s + x, 0);
  const totalStaff = Math.max(tenants.length * 4, Math.round(eventsPerDay / 55));
  const staff: DemoStaff[] = [];
  const staffByTenant = new Map<string, DemoStaff[]>();
  const residents = new Map<string, string[]>();
  const appWeights = DEMO_APPS.map((app) => [app, app.staffWeight] as const);

  tenants.forEach((tenant, ti) => {
    const count = Math.max(4, Math.round((totalStaff * sizes[ti]!) / totalSize));
    const domain = tenant.replace(/-novads$/, '').replace(/-/g, '').toUpperCase().slice(0, 15);
    const taken = new Set<string>();
    const list: DemoStaff[] = [];
    for (let i = 0; i < count; i++) {
      const female = rng.chance(0.7); // municipal administration staff are mostly women
      const first = rng.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
      const last = rng.pick(SURNAMES)[female ? 1 : 0];
      let user = loginName(first, last);
      for (let n = 2; taken.has(user); n++) user = `${loginName(first, last)}${n}`;
      taken.add(user);
      const main = rng.weighted(appWeights);
      const apps = [main];
      if (rng.chance(0.35)) apps.push(rng.pick(DEMO_APPS.filter((x) => x.kind === 'web' && x !== main)));
      const member: DemoStaff = {
        user,
        fullName: `${first} ${last}`,
        tenant,
        domain,
        apps,
        ip: `10.${20 + (ti % 200)}.${Math.floor(i / 200)}.${10 + (i % 200)}`,
        workstation: `${domain}-WS${String(i + 1).padStart(3, '0')}`,
        startMinute: Math.round(rng.normal(8 * 60 + 10, 20)),
        endMinute: Math.round(rng.normal(17 * 60, 20)),
        eveningRate: rng.chance(0.15) ? 0.08 : 0.01,
        actionsPerDay: Math.max(0.2, rng.normal(1, 0.35)), // relative, scaled below
        mfaMethod: rng.weighted(MFA_METHODS),
        passwordOnly: rng.chance(0.3),
      };
      list.push(member);
      staff.push(member);
    }
    staffByTenant.set(tenant, list);
    const people: string[] = [];
    const nResidents = Math.round(400 * sizes[ti]!);
    for (let i = 0; i < nResidents; i++) people.push(generatePersonCode(rng));
    residents.set(tenant, people);
  });

  // Audit events are ~62 % of a working day's records; spread them over staff by their relative activity.
  const relTotal = staff.reduce((s, m) => s + m.actionsPerDay, 0);
  for (const m of staff) m.actionsPerDay = (eventsPerDay * 0.62 * m.actionsPerDay) / relTotal;
  return { tenants, staff, staffByTenant, residents };
}
