/** Options of the demo generator and their defaults. */
import { buildPopulation, resolveTenants, type DemoPopulation } from './demo-population';
import { addDays, isLatvianWorkingDay, rigaLocalToUtc, rigaParts, type LocalDate } from './riga-time';

/** What `generateDemo` and `demoScenarios` take. */
export interface DemoOptions {
  /** First day; the run starts at Europe/Riga midnight of this instant's Riga date. */
  start: Date;
  /** Number of Riga calendar days. */
  days: number;
  seed: number;
  /** Tenant ids; default: policies/tenants.yaml, else riga, jelgava, valmiera, ventspils, adazu-novads. */
  tenants?: string[];
  /** Records on a working day across all tenants (weekends and holidays are far quieter). Default 20 000. */
  eventsPerDay?: number;
  /** From when password-only logins are misuse. Default 2 July 2026 00:00 Riga (DOMAIN.md deadlines). */
  mfaCutoff?: Date;
}

/** Options with defaults applied and the population built. */
export interface ResolvedDemo {
  seed: number;
  days: number;
  first: LocalDate;
  tenants: string[];
  eventsPerDay: number;
  mfaCutoffMs: number;
  population: DemoPopulation;
  /** UTC ms of local midnight starting day `i` (i may equal `days` for the end). */
  dayStartMs(i: number): number;
  /** Local date of day `i`. */
  date(i: number): LocalDate;
  /** Index of a working day near `preferred` (forward, then backward), or `preferred` clamped if none. */
  workingDayNear(preferred: number): number;
}

/** The default MFA cutoff: password-only login switched off no later than 2 July 2026 (ZZ Dats plan). */
export const MFA_CUTOFF = rigaLocalToUtc({ year: 2026, month: 7, day: 2 }, 0);

/** Validates options and builds the shared state. */
export function resolveDemo(opts: DemoOptions): ResolvedDemo {
  if (!(opts.start instanceof Date) || Number.isNaN(opts.start.getTime())) throw new RangeError('demo: start must be a valid Date');
  if (!Number.isInteger(opts.days) || opts.days < 1) throw new RangeError('demo: days must be a positive integer');
  if (!Number.isInteger(opts.seed)) throw new RangeError('demo: seed must be an integer');
  const eventsPerDay = opts.eventsPerDay ?? 20000;
  if (!(eventsPerDay > 0)) throw new RangeError('demo: eventsPerDay must be positive');
  const p = rigaParts(opts.start);
  const first: LocalDate = { year: p.year, month: p.month, day: p.day };
  const tenants = resolveTenants(opts.tenants);
  const days = opts.days;
  const date = (i: number): LocalDate => addDays(first, i);
  return {
    seed: opts.seed,
    days,
    first,
    tenants,
    eventsPerDay,
    mfaCutoffMs: (opts.mfaCutoff ?? MFA_CUTOFF).getTime(),
    population: buildPopulation(opts.seed, tenants, eventsPerDay),
    dayStartMs: (i) => rigaLocalToUtc(date(i), 0).getTime(),
    date,
    workingDayNear: (preferred) => {
      const start = Math.min(Math.max(preferred, 0), days - 1);
      for (let i = start; i < days; i++) if (isLatvianWorkingDay(date(i))) return i;
      for (let i = start - 1; i >= 0; i--) if (isLatvianWorkingDay(date(i))) return i;
      return start;
    },
  };
}
