import { crossAccessCsv, type CrossAccessView } from './cross-access-view';
import { reportEmail } from './monthly-reports';

const finding = { test: 'history' as const, metric: 'accesses' as const, value: 340, baseline: 100, ratio: 3.4, z: 4.9, text: { en: '3.4× its 6-month median (100)', lv: '3,4× pret savu 6 mēnešu mediānu (100)' } };
const view: CrossAccessView = {
  residentsOf: 'jurmala',
  name: 'Jūrmalas valstspilsēta',
  period: { from: '2026-08-31T21:00:00.000Z', to: '2026-09-30T21:00:00.000Z' },
  history: { unit: 'months', windows: [] },
  totals: { accesses: 345, organizations: 2, outlierOrganizations: 1 },
  organizations: [
    { organization: 'riga', name: 'Rīgas valstspilsēta', kind: 'other-municipality', accesses: 340, distinctPersons: 90, distinctUsers: 4, history: [], outliers: [finding] },
    { organization: '', kind: 'unknown', accesses: 5, distinctPersons: 5, distinctUsers: 1, history: [], outliers: [] },
  ],
  applications: [],
  rows: [
    { organization: 'riga', name: 'Rīgas valstspilsēta', kind: 'other-municipality', application: 'SOPA', dataCategory: 'social_assistance', accesses: 340, distinctPersons: 90, distinctUsers: 4, outliers: [finding] },
    { organization: '', kind: 'unknown', application: '=HYPERLINK("x")', dataCategory: '', accesses: 5, distinctPersons: 5, distinctUsers: 1, outliers: [] },
  ],
  generatedAt: '2026-10-01T07:00:00.000Z',
};

test('the CSV has a header per language, the reasons, and neutralises spreadsheet formulas from logs', () => {
  const en = crossAccessCsv(view, 'en').replace(/^\uFEFF/, '').split('\r\n');
  expect(en[0]).toBe('organization;name;kind;application;data category;accesses;distinct persons;distinct users;outlier;reason');
  expect(en[1]).toBe('riga;Rīgas valstspilsēta;other-municipality;SOPA;social_assistance;340;90;4;yes;3.4× its 6-month median (100)');
  expect(en[2]).toBe(';;unknown;"\'=HYPERLINK(""x"")";;5;5;1;;');
  expect(crossAccessCsv(view, 'lv')).toContain(';jā;3,4× pret savu 6 mēnešu mediānu (100)');
});

test('the e-mail names the month, the totals, the largest organisations and the outliers, in Latvian then English', () => {
  const m = reportEmail(view, '2026-09', 'https://sargs.example/municipality.html?tenant=jurmala&month=2026-09');
  expect(m.subject).toBe('Sargs: piekļuves iedzīvotāju datiem 09.2026 / Cross-access report 2026-09');
  expect(m.text.split('\n')).toEqual([
    'Jūrmalas valstspilsēta: citu pašvaldību un valsts iestāžu piekļuves jūsu iedzīvotāju datiem 09.2026.',
    'Piekļuves kopā: 345; organizācijas: 2; ar novirzēm: 1.',
    'Lielākās:',
    '  - Rīgas valstspilsēta: 340 — 3,4× pret savu 6 mēnešu mediānu (100)',
    '  - nav norādīta: 5',
    'Novirzes:',
    '  - Rīgas valstspilsēta: 340 — 3,4× pret savu 6 mēnešu mediānu (100)',
    'Skatīt: https://sargs.example/municipality.html?tenant=jurmala&month=2026-09',
    '',
    "Jūrmalas valstspilsēta: accesses by other municipalities and state institutions to your residents' data in 2026-09.",
    'Accesses: 345; organisations: 2; with outliers: 1.',
    'Largest:',
    '  - Rīgas valstspilsēta: 340 — 3.4× its 6-month median (100)',
    '  - not recorded: 5',
    'Outliers:',
    '  - Rīgas valstspilsēta: 340 — 3.4× its 6-month median (100)',
    'View: https://sargs.example/municipality.html?tenant=jurmala&month=2026-09',
  ]);
});
