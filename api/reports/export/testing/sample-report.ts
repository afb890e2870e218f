import type { CountBy, PersonAccess, PersonAccessReport } from '../../person-access.types';

const ORGS: Array<Pick<PersonAccess, 'organization' | 'organizationName' | 'organizationKind'>> = [
  { organization: 'riga', organizationName: 'Rīgas valstspilsēta', organizationKind: 'own' },
  { organization: 'kekavas-novads', organizationName: 'Ķekavas novads', organizationKind: 'other-municipality' },
  { organization: 'jurmala', organizationName: 'Jūrmalas valstspilsēta', organizationKind: 'other-municipality' },
  { organization: 'vid', organizationName: 'Valsts ieņēmumu dienests', organizationKind: 'state-institution' },
  { organization: 'zzdats', organizationName: 'SIA ZZ Dats', organizationKind: 'processor' },
];
const APPS: Array<[string, string, string]> = [
  ['SOPA', 'view', 'social_assistance'],
  ['PERS', 'search', 'residence'],
  ['JUPIS', 'lookup', 'residence'],
  ['NINO', 'view', 'tax'],
  ['DZIMTS', 'view', 'civil_status'],
  ['ENZ', 'lookup', 'vehicle'],
];
const USERS = ['jānis.bērziņš', 'anna.ķēniņa', 'pēteris.ozoliņš', 'ģirts.šūmanis', 'līga.čakste-žagare'];
const PURPOSES = [
  'Sociālās palīdzības lieta SD-2026/0412 — pabalsta piešķiršana (Sociālo pakalpojumu un sociālās palīdzības likums, 35. pants)',
  'Dzīvesvietas deklarācijas pārbaude',
  undefined,
  'Nekustamā īpašuma nodokļa administrēšana',
];

function countBy(items: string[]): CountBy[] {
  const m = new Map<string, number>();
  for (const k of items) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

/**
 * A person access report with `n` accesses spread over 2026 (Latvian names, every kind of organisation), for export
 * tests and bench/access-report-pdf.
 */
export function sampleReport(n: number, over: Partial<PersonAccessReport> = {}): PersonAccessReport {
  const from = Date.parse('2025-12-31T22:00:00Z'); // 01.01.2026 00:00 Riga
  const to = Date.parse('2026-12-31T22:00:00Z'); // 01.01.2027 00:00 Riga (exclusive)
  const accesses: PersonAccess[] = [];
  for (let i = 0; i < n; i++) {
    const org = ORGS[i % ORGS.length];
    const [application, action, dataCategory] = APPS[(i * 7) % APPS.length];
    accesses.push({
      eventId: `ev-${String(i).padStart(6, '0')}`,
      at: new Date(to - 1 - Math.floor(((i + 0.5) * (to - from)) / Math.max(n, 1))).toISOString(),
      user: USERS[i % USERS.length],
      ...org,
      roles: i % 3 === 0 ? ['sociālais darbinieks'] : ['lietvedis', 'referents'],
      application,
      action,
      dataCategory,
      purpose: PURPOSES[i % PURPOSES.length],
      outcome: i % 17 === 0 ? 'failure' : 'success',
      tenant: org.organization,
    });
  }
  const month = (iso: string) => {
    const d = new Date(Date.parse(iso) + 2 * 3600_000); // good enough for fixtures: EET
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  };
  return {
    id: '5b0c2f7e-8d6a-4c1e-9a53-2f0d7c1b9e41',
    reference: 'DPO-2026/17',
    person: 'p:9f86d081884c7d659a2feaa0c55ad015',
    personMasked: '010190-*****',
    controller: 'riga',
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    generatedAt: '2026-11-30T12:34:56.000Z',
    generatedBy: { user: 'dace.liepiņa', organization: 'riga' },
    summary: {
      total: n,
      byOrganization: countBy(accesses.map((a) => a.organization)),
      byApplication: countBy(accesses.map((a) => a.application)),
      byDataCategory: countBy(accesses.map((a) => a.dataCategory ?? '')),
      byMonth: countBy(accesses.map((a) => month(a.at))).sort((a, b) => a.key.localeCompare(b.key)),
      external: accesses.filter((a) => a.organizationKind === 'other-municipality' || a.organizationKind === 'state-institution').length,
    },
    accesses,
    ...over,
  };
}
