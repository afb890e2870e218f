import { randomUUID } from 'node:crypto';
import { AppError } from '../../core/errors';
import type { Tenant } from '../../core/tenants';
import type { EventStore } from '../../core/stores/event-store';
import type { PersonAccessRow } from '../../core/stores/person-accesses';
import { validatePersonCode } from '../../collector/person-code';
import type { Pseudonymiser } from '../../collector/pseudonymise';
import type { Principal } from '../authz/principal';
import type { PersonAccess, PersonAccessReport } from './person-access.types';

/** What a DPO asks for (POST /api/v1/reports/person-access). */
export interface PersonAccessRequest {
  /** Person code, DDMMYY-CNNNN or 32NNNN-NNNNN (hyphen optional). */
  personCode: string;
  /** ISO date-time with offset, or a date YYYY-MM-DD meaning 00:00 in Riga. Inclusive. */
  from: string;
  /** ISO date-time with offset, or a date YYYY-MM-DD meaning 00:00 in Riga. Exclusive. */
  to: string;
  reference?: string;
  caseId?: string;
}

export interface PersonAccessDeps {
  events: Pick<EventStore, 'personAccesses'>;
  pseudonymiser: Pick<Pseudonymiser, 'person'>;
  tenantsById: ReadonlyMap<string, Tenant>;
  now?: () => Date;
}

/** Longest period of one report: GDPR answers cover what is kept, and retention is at most a few years. */
const MAX_PERIOD_DAYS = 3 * 366;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Minutes Riga is ahead of UTC at instant `ms` (120 in winter, 180 in summer). */
function rigaOffsetMinutes(ms: number): number {
  const p: Record<string, string> = {};
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const x of f.formatToParts(new Date(ms))) p[x.type] = x.value;
  return Math.round((Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - ms) / 60_000);
}

/** 00:00 in Riga of a calendar date, as an instant (DST-safe: the offset is that of the day's start). */
export function rigaMidnight(y: number, m: number, d: number): Date {
  const guess = Date.UTC(y, m - 1, d) - 120 * 60_000;
  return new Date(Date.UTC(y, m - 1, d) - rigaOffsetMinutes(guess) * 60_000);
}

/** Parses one end of the period; a problem names the field. */
export function parsePeriodEnd(value: unknown, field: 'from' | 'to'): Date {
  if (typeof value !== 'string' || value === '') throw new AppError(400, 'invalid_period', `${field}: required, a date (YYYY-MM-DD) or an ISO 8601 time`, { field });
  const d = DATE_ONLY.exec(value);
  if (d) {
    const [y, m, day] = [+d[1], +d[2], +d[3]];
    const check = new Date(Date.UTC(y, m - 1, day));
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day)
      throw new AppError(400, 'invalid_period', `${field}: not a calendar date`, { field });
    return rigaMidnight(y, m, day);
  }
  if (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))
    throw new AppError(400, 'invalid_period', `${field}: expected a date (YYYY-MM-DD) or an ISO 8601 time with offset, e.g. 2026-11-30T08:00:00Z`, { field });
  return new Date(value);
}

/** The code as exports show it: the first six digits, the rest masked (`161175-*****`). */
export function maskPersonCode(normalised: string): string {
  return `${normalised.slice(0, 6)}-*****`;
}

/** Validates the person code; a wrong format or check digit is refused with the reason (field `person`). */
export function checkPersonCode(code: unknown): { normalised: string } {
  const r = validatePersonCode(typeof code === 'string' ? code : (undefined as unknown as string));
  if (!r.ok) throw new AppError(400, 'invalid_person_code', `person code is not valid: ${r.reason}`, { field: 'person' });
  return { normalised: r.normalised };
}

/** Where the person is declared: what most accesses recorded, else the controller when it is a municipality. */
function homeOf(rows: PersonAccessRow[], controller: string, tenants: ReadonlyMap<string, Tenant>): string | undefined {
  const n = new Map<string, number>();
  for (const r of rows) if (r.subjectOrganization) n.set(r.subjectOrganization, (n.get(r.subjectOrganization) ?? 0) + 1);
  let best: string | undefined;
  for (const [k, v] of n) if (!best || v > n.get(best)! || (v === n.get(best) && k < best)) best = k;
  if (best) return best;
  return tenants.get(controller)?.kind === 'municipality' ? controller : undefined;
}

function kindOf(org: string | undefined, home: string | undefined, tenants: ReadonlyMap<string, Tenant>): PersonAccess['organizationKind'] {
  if (!org) return 'unknown';
  if (home && org === home) return 'own';
  const t = tenants.get(org);
  if (!t) return 'unknown';
  if (t.kind === 'processor') return 'processor';
  if (t.kind === 'state-institution') return 'state-institution';
  return home ? 'other-municipality' : 'unknown';
}

/**
 * Builds the person access report of GDPR Art. 15 for one controller's view ('*' = ZZ Dats DPO: everything):
 * validates the code and the period, computes the pseudonym, asks the event store for every access to that person
 * in the period that the controller may see (core/stores/person-accesses.ts), and maps them to the report.
 * The caller has decided `controller` (api/reports/report-authz.ts) and audits the report.
 *
 * @example
 * const report = await buildPersonAccessReport(deps, { personCode: '161175-19997', from: '2026-01-01', to: '2026-12-01' }, principal, 'riga');
 */
export async function buildPersonAccessReport(
  deps: PersonAccessDeps,
  input: PersonAccessRequest,
  principal: Pick<Principal, 'name' | 'tenant'>,
  controller: string,
): Promise<PersonAccessReport> {
  const { normalised } = checkPersonCode(input.personCode);
  const from = parsePeriodEnd(input.from, 'from');
  const to = parsePeriodEnd(input.to, 'to');
  if (from.getTime() >= to.getTime()) throw new AppError(400, 'invalid_period', 'from: must be before to', { field: 'from' });
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000)
    throw new AppError(400, 'invalid_period', `to: a report covers at most ${MAX_PERIOD_DAYS} days`, { field: 'to' });
  const person = deps.pseudonymiser.person(normalised);
  const r = await deps.events.personAccesses({
    person,
    from: from.toISOString(),
    to: to.toISOString(),
    controllers: controller === '*' ? '*' : [controller],
  });
  const tenants = deps.tenantsById;
  const home = homeOf(r.accesses, controller, tenants);
  const accesses: PersonAccess[] = r.accesses.map((a) => {
    const kind = kindOf(a.organization, a.subjectOrganization ?? home, tenants);
    const orgName = a.organization ? tenants.get(a.organization)?.name : undefined;
    return {
      eventId: a.id,
      at: a.at,
      user: a.user ?? a.userId ?? '',
      organization: a.organization ?? '',
      ...(orgName ? { organizationName: orgName } : {}),
      organizationKind: kind,
      roles: a.roles ?? [],
      application: a.application ?? '',
      action: a.action ?? '',
      ...(a.dataCategory ? { dataCategory: a.dataCategory } : {}),
      ...(a.purpose ? { purpose: a.purpose } : {}),
      ...(a.outcome ? { outcome: a.outcome } : {}),
      tenant: a.tenant,
    };
  });
  const id = randomUUID();
  const generatedAt = (deps.now?.() ?? new Date()).toISOString();
  return {
    id,
    ...(input.reference ? { reference: input.reference } : {}),
    ...(input.caseId ? { caseId: input.caseId } : {}),
    person,
    personMasked: maskPersonCode(normalised),
    controller,
    period: { from: from.toISOString(), to: to.toISOString() },
    generatedAt,
    generatedBy: { user: principal.name, organization: principal.tenant },
    summary: {
      total: r.total,
      byOrganization: r.byOrganization,
      byApplication: r.byApplication,
      byDataCategory: r.byDataCategory,
      byMonth: r.byMonth,
      external: accesses.filter((a) => a.organizationKind === 'other-municipality' || a.organizationKind === 'state-institution').length,
    },
    accesses,
    ...(home ? { personMunicipality: home } : {}),
    ...(r.truncated ? { truncated: true } : {}),
  };
}
