import type { EventStore, CrossAccessRow } from '../../core/stores/event-store';
import type { Tenant } from '../../core/tenants';
import { csvCell } from '../mfa/coverage-csv';
import { findOutliers, type OutlierFinding, type OutlierSeries } from './outliers';
import { historyWindows, type Period } from './period';

/** How the acting organisation relates to the municipality whose residents' data it read. */
export type OrganizationKind = 'other-municipality' | 'state-institution' | 'processor' | 'unknown';

export interface OrganizationSummary {
  organization: string;
  name?: string;
  kind: OrganizationKind;
  accesses: number;
  distinctPersons: number;
  distinctUsers: number;
  /** Accesses in each history window, oldest first. */
  history: number[];
  outliers: OutlierFinding[];
}

export interface ApplicationSummary {
  organization: string;
  application: string;
  accesses: number;
  distinctPersons: number;
  distinctUsers: number;
  history: number[];
  outliers: OutlierFinding[];
}

export interface CrossAccessLine {
  organization: string;
  name?: string;
  kind: OrganizationKind;
  application: string;
  dataCategory: string;
  accesses: number;
  distinctPersons: number;
  distinctUsers: number;
  /** Findings of its organisation and of its organisation × application, the reasons shown beside the row. */
  outliers: OutlierFinding[];
}

/** The municipality view of one period (GET /api/v1/municipality/{tenant}/cross-access, the monthly report). */
export interface CrossAccessView {
  residentsOf: string;
  name?: string;
  period: Period;
  history: { unit: 'months' | 'periods'; windows: Period[] };
  totals: { accesses: number; organizations: number; outlierOrganizations: number };
  organizations: OrganizationSummary[];
  applications: ApplicationSummary[];
  rows: CrossAccessLine[];
  generatedAt: string;
}

export interface CrossAccessViewDeps {
  events: Pick<EventStore, 'crossAccess'>;
  tenants: ReadonlyMap<string, Tenant>;
}

export function organizationKind(tenants: ReadonlyMap<string, Tenant>, id: string): OrganizationKind {
  const kind = tenants.get(id)?.kind;
  if (kind === 'municipality') return 'other-municipality';
  return kind ?? 'unknown';
}

const orgAppKey = (org: string, app: string) => `${org}\u0000${app}`;

/** The reasons beside a row: its organisation's, then its application's that say something else. */
function rowFindings(org: OutlierFinding[] = [], app: OutlierFinding[] = []): OutlierFinding[] {
  const seen = new Set(org.map((f) => f.text.en));
  return [...org, ...app.filter((f) => !seen.has(f.text.en))];
}

/**
 * Builds the view: the period's accesses by organisation × application × data category, and the outliers of each
 * organisation and organisation × application against their own history windows and their peers (./outliers.ts).
 * Reads every log (scope '*'): holding municipality:review in `residentsOf` entitles the reviewer to see who read
 * its residents' data wherever it was logged, and nothing else (the store filters by vps.subject.organization).
 */
export async function buildCrossAccessView(deps: CrossAccessViewDeps, residentsOf: string, period: Period, now = new Date()): Promise<CrossAccessView> {
  const { windows, unit } = historyWindows(period);
  const q = (p: Period, by?: Array<'organization' | 'application' | 'dataCategory'>) =>
    deps.events.crossAccess({ residentsOf, scope: '*', from: p.from, to: p.to, ...(by ? { by } : {}) });
  const [rows, byOrg, byApp, ...hist] = await Promise.all([
    q(period),
    q(period, ['organization']),
    q(period, ['organization', 'application']),
    ...windows.flatMap((w) => [q(w, ['organization']), q(w, ['organization', 'application'])]),
  ]);
  const histOrg = windows.map((_, i) => hist[2 * i]);
  const histApp = windows.map((_, i) => hist[2 * i + 1]);

  const counts = (list: CrossAccessRow[], key: (r: CrossAccessRow) => string) => new Map(list.map((r) => [key(r), r]));
  const histOrgMaps = histOrg.map((l) => counts(l, (r) => r.organization));
  const histAppMaps = histApp.map((l) => counts(l, (r) => orgAppKey(r.organization, r.application ?? '')));
  const pick = (r?: CrossAccessRow) => ({ accesses: r?.accesses ?? 0, distinctPersons: r?.distinctPersons ?? 0 });

  // Organisations not recorded ('') are listed but not tested: they are not one organisation.
  const orgSeries: OutlierSeries[] = byOrg
    .filter((r) => r.organization !== '')
    .map((r) => ({ key: r.organization, group: '', current: pick(r), history: histOrgMaps.map((m) => pick(m.get(r.organization))) }));
  const appSeries: OutlierSeries[] = byApp
    .filter((r) => r.organization !== '')
    .map((r) => {
      const k = orgAppKey(r.organization, r.application ?? '');
      return { key: k, group: r.application ?? '', current: pick(r), history: histAppMaps.map((m) => pick(m.get(k))) };
    });
  const words = unit === 'months' ? { en: 'months', lv: 'mēnešu' } : { en: 'periods', lv: 'periodu' };
  const orgFindings = findOutliers(orgSeries, words);
  const appFindings = findOutliers(appSeries, words);

  const name = (id: string) => deps.tenants.get(id)?.name;
  const organizations: OrganizationSummary[] = byOrg.map((r) => ({
    organization: r.organization,
    ...(name(r.organization) ? { name: name(r.organization) } : {}),
    kind: organizationKind(deps.tenants, r.organization),
    accesses: r.accesses,
    distinctPersons: r.distinctPersons,
    distinctUsers: r.distinctUsers,
    history: histOrgMaps.map((m) => m.get(r.organization)?.accesses ?? 0),
    outliers: orgFindings.get(r.organization) ?? [],
  }));
  const applications: ApplicationSummary[] = byApp.map((r) => {
    const k = orgAppKey(r.organization, r.application ?? '');
    return {
      organization: r.organization,
      application: r.application ?? '',
      accesses: r.accesses,
      distinctPersons: r.distinctPersons,
      distinctUsers: r.distinctUsers,
      history: histAppMaps.map((m) => m.get(k)?.accesses ?? 0),
      outliers: appFindings.get(k) ?? [],
    };
  });
  const lines: CrossAccessLine[] = rows.map((r) => ({
    organization: r.organization,
    ...(name(r.organization) ? { name: name(r.organization) } : {}),
    kind: organizationKind(deps.tenants, r.organization),
    application: r.application ?? '',
    dataCategory: r.dataCategory ?? '',
    accesses: r.accesses,
    distinctPersons: r.distinctPersons,
    distinctUsers: r.distinctUsers,
    outliers: rowFindings(orgFindings.get(r.organization), appFindings.get(orgAppKey(r.organization, r.application ?? ''))),
  }));
  return {
    residentsOf,
    ...(name(residentsOf) ? { name: name(residentsOf) } : {}),
    period,
    history: { unit, windows },
    totals: {
      accesses: byOrg.reduce((s, r) => s + r.accesses, 0),
      organizations: byOrg.length,
      outlierOrganizations: organizations.filter((o) => o.outliers.length > 0).length,
    },
    organizations,
    applications,
    rows: lines,
    generatedAt: now.toISOString(),
  };
}

/** The rows of the view as CSV (`;`-separated like the MFA coverage export, UTF-8 with BOM), reasons in `lang`. */
export function crossAccessCsv(view: CrossAccessView, lang: 'lv' | 'en'): string {
  const head =
    lang === 'lv'
      ? ['organizācija', 'nosaukums', 'veids', 'lietotne', 'datu kategorija', 'piekļuves', 'personas', 'lietotāji', 'novirze', 'iemesls']
      : ['organization', 'name', 'kind', 'application', 'data category', 'accesses', 'distinct persons', 'distinct users', 'outlier', 'reason'];
  const lines = [head.join(';')];
  for (const r of view.rows) {
    lines.push(
      [
        r.organization,
        r.name ?? '',
        r.kind,
        r.application,
        r.dataCategory,
        r.accesses,
        r.distinctPersons,
        r.distinctUsers,
        r.outliers.length ? (lang === 'lv' ? 'jā' : 'yes') : '',
        r.outliers.map((f) => f.text[lang]).join('; '),
      ]
        .map(csvCell)
        .join(';'),
    );
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
