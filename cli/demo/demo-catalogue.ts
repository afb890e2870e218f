/**
 * What the demo traffic is made of: the VPS applications of DOMAIN.md with their actions, data categories and
 * purposes, state institutions that look up municipal data, and Latvian names for staff.
 */

/** One action staff perform in an application. */
export interface DemoAction {
  action: string;
  /** Relative frequency within the app. */
  weight: number;
  /** vps.data_category of the record touched. */
  category: string;
  /** Whether the action concerns a natural person (a person code is then written). */
  person: boolean;
  /** Event outcome failure rate (e.g. validation refused). */
  failRate?: number;
  /** Number of records an export or batch touches (shown in record_id as a range). */
  bulk?: boolean;
}

/** A VPS application (service.name). */
export interface DemoApp {
  app: string;
  /** Desktop apps log in against ADFS/AD; web apps go through visvaris.lv (DOMAIN.md). */
  kind: 'desktop' | 'web';
  role: string;
  /** Share of staff whose main app this is. */
  staffWeight: number;
  actions: DemoAction[];
  /** Legal bases written as vps.purpose when no case reference applies. */
  purposes: string[];
  /** Case reference prefix: when set, most actions carry `PREFIX-YYYY/NNNNN` as purpose. */
  casePrefix?: string;
  /** Oracle schema and tables behind the app (for unified audit rows). */
  schema: string;
  tables: string[];
}

const a = (action: string, weight: number, category: string, person = true, failRate = 0.01): DemoAction => ({
  action,
  weight,
  category,
  person,
  failRate,
});

/** The applications of DOMAIN.md with realistic action mixes. */
export const DEMO_APPS: DemoApp[] = [
  {
    app: 'NINO', kind: 'desktop', role: 'nin_administrators', staffWeight: 10, schema: 'NINO',
    tables: ['NIN_MAKSATAJI', 'NIN_APREKINI', 'NIN_OBJEKTI'],
    purposes: ['likums "Par nekustamā īpašuma nodokli", 5. p.', 'likums "Par nodokļiem un nodevām", 18. p.'],
    actions: [a('view_tax_card', 50, 'tax'), a('search_taxpayer', 20, 'tax'), a('update_assessment', 15, 'tax', true, 0.03),
      a('print_payment_notice', 10, 'tax'), a('register_payment', 5, 'tax')],
  },
  {
    app: 'NEKIP', kind: 'desktop', role: 'nekip_lietotajs', staffWeight: 4, schema: 'NEKIP', tables: ['NEKIP_OBJEKTI', 'NEKIP_IPASNIEKI'],
    purposes: ['Valsts pārvaldes iekārtas likums, 10. p.'],
    actions: [a('view_property', 60, 'real_property', false), a('view_owner', 40, 'real_property')],
  },
  {
    app: 'SOPA', kind: 'desktop', role: 'soc_darbinieks', staffWeight: 12, schema: 'SOPA', casePrefix: 'SOPA',
    tables: ['SOPA_KLIENTI', 'SOPA_LEMUMI', 'SOPA_IENAKUMI'],
    purposes: ['Sociālo pakalpojumu un sociālās palīdzības likums, 9. p.'],
    actions: [a('view_client', 45, 'social_assistance'), a('update_case', 20, 'social_assistance', true, 0.02),
      a('means_test_check', 15, 'means_test'), a('decide_benefit', 10, 'social_assistance', true, 0.02),
      a('view_income', 10, 'means_test')],
  },
  {
    app: 'PERS', kind: 'desktop', role: 'dzv_registrators', staffWeight: 9, schema: 'PERS', tables: ['PERSONAS', 'DEKLARACIJAS', 'ADRESES'],
    purposes: ['Dzīvesvietas deklarēšanas likums, 10. p.', 'Fizisko personu reģistra likums, 11. p.'],
    actions: [a('view_person', 50, 'residence'), a('search_person', 20, 'residence'), a('register_declaration', 20, 'residence', true, 0.03),
      a('print_certificate', 10, 'residence')],
  },
  {
    app: 'DZIMTS', kind: 'desktop', role: 'dzimtsarakstu_amatpersona', staffWeight: 5, schema: 'DZIMTS',
    tables: ['DZ_IERAKSTI', 'DZ_APLIECIBAS'], purposes: ['Civilstāvokļa aktu reģistrācijas likums, 6. p.'],
    actions: [a('view_civil_record', 45, 'civil_status'), a('register_birth', 15, 'civil_status'), a('register_marriage', 10, 'civil_status'),
      a('register_death', 10, 'civil_status'), a('issue_certificate', 20, 'civil_status')],
  },
  {
    app: 'JUPIS', kind: 'web', role: 'jupis_parbauditajs', staffWeight: 7, schema: 'JUPIS', tables: ['FPRIS_VAICAJUMI'],
    purposes: ['Fizisko personu reģistra likums, 12. p.', 'Pašvaldību likums, 4. p.'],
    actions: [a('person_lookup', 70, 'residence'), a('fpris_query', 30, 'residence')],
  },
  {
    app: 'GVEDIS', kind: 'desktop', role: 'gramatvedis', staffWeight: 8, schema: 'GVEDIS', tables: ['GV_DOKUMENTI', 'GV_KONTI'],
    purposes: ['likums "Par grāmatvedību", 7. p.'],
    actions: [a('post_document', 50, 'accounting', false), a('view_ledger', 40, 'accounting', false), a('close_period', 10, 'accounting', false)],
  },
  {
    app: 'ALGAS', kind: 'web', role: 'algu_gramatvedis', staffWeight: 3, schema: 'ALGAS', tables: ['AL_APREKINI', 'AL_DARBINIEKI'],
    purposes: ['Darba likums, 59. p.'],
    actions: [a('view_payslip', 60, 'payroll'), a('run_payroll', 10, 'payroll', false), a('update_salary', 30, 'payroll')],
  },
  {
    app: 'KADRI', kind: 'web', role: 'personala_specialists', staffWeight: 3, schema: 'KADRI', tables: ['KD_DARBINIEKI', 'KD_RIKOJUMI'],
    purposes: ['Darba likums, 40. p.'],
    actions: [a('view_employee', 60, 'hr'), a('update_employee', 25, 'hr'), a('register_order', 15, 'hr')],
  },
  {
    app: 'BUDZIS', kind: 'web', role: 'budzeta_planotajs', staffWeight: 2, schema: 'BUDZIS', tables: ['BU_TAMES'],
    purposes: ['likums "Par pašvaldību budžetiem", 6. p.'],
    actions: [a('view_budget', 70, 'budget', false), a('edit_budget', 30, 'budget', false)],
  },
  {
    app: 'NOMA', kind: 'web', role: 'nomas_specialists', staffWeight: 3, schema: 'NOMA', tables: ['NO_LIGUMI'],
    purposes: ['Publiskas personas mantas atsavināšanas likums, 6.1 p.'],
    actions: [a('view_lease', 60, 'lease'), a('create_lease', 20, 'lease'), a('invoice_lease', 20, 'lease', false)],
  },
  {
    app: 'LIETVARIS', kind: 'web', role: 'lietvedis', staffWeight: 12, schema: 'LIETVARIS', tables: ['LV_DOKUMENTI', 'LV_LIETAS'],
    purposes: ['Dokumentu juridiskā spēka likums, 4. p.', 'Iesniegumu likums, 5. p.'],
    actions: [a('open_document', 60, 'documents', false), a('register_document', 30, 'documents'), a('assign_task', 10, 'documents', false)],
  },
  {
    app: 'BARIS', kind: 'web', role: 'barintiesas_loceklis', staffWeight: 3, schema: 'BARIS', casePrefix: 'BT', tables: ['BT_LIETAS'],
    purposes: ['Bāriņtiesu likums, 17. p.'],
    actions: [a('view_case', 60, 'child_protection'), a('update_case', 30, 'child_protection'), a('issue_decision', 10, 'child_protection')],
  },
  {
    app: 'ENZ', kind: 'web', role: 'pasvaldibas_policists', staffWeight: 4, schema: 'ENZ', casePrefix: 'ENZ', tables: ['ENZ_NOTIKUMI', 'CSDD_VAICAJUMI'],
    purposes: ['Pašvaldību likums, 4. p.'],
    actions: [a('vehicle_lookup', 50, 'vehicle'), a('register_event', 35, 'public_order', false), a('view_event', 15, 'public_order', false)],
  },
  {
    app: 'BRIDZIS', kind: 'desktop', role: 'bridzis_lietotajs', staffWeight: 2, schema: 'BRIDZIS', tables: ['BR_IERAKSTI'],
    purposes: ['Pašvaldību likums, 4. p.'],
    actions: [a('view_record', 70, 'other'), a('update_record', 30, 'other')],
  },
  {
    app: 'APUS', kind: 'web', role: 'apus_lietotajs', staffWeight: 2, schema: 'APUS', tables: ['AP_PIETEIKUMI'],
    purposes: ['Iesniegumu likums, 5. p.'],
    actions: [a('view_application', 70, 'documents'), a('decide_application', 30, 'documents')],
  },
  {
    app: 'AMIS', kind: 'web', role: 'amis_lietotajs', staffWeight: 2, schema: 'AMIS', tables: ['AM_OBJEKTI'],
    purposes: ['Pašvaldību likums, 4. p.'],
    actions: [a('view_asset', 80, 'assets', false), a('update_asset', 20, 'assets', false)],
  },
];

/** State institutions that read municipal data for their own legal functions (DOMAIN.md "Roles"). */
export const STATE_INSTITUTIONS = [
  { org: 'vid', app: 'JUPIS', category: 'residence', role: 'vid_inspektors', purpose: 'likums "Par nodokļiem un nodevām", 15. p.' },
  { org: 'vp', app: 'JUPIS', category: 'residence', role: 'vp_izmeklētājs', purpose: 'Kriminālprocesa likums, 180. p.' },
  { org: 'vsaa', app: 'SOPA', category: 'social_assistance', role: 'vsaa_specialists', purpose: 'likums "Par valsts sociālo apdrošināšanu", 24. p.' },
  { org: 'pmlp', app: 'PERS', category: 'residence', role: 'pmlp_amatpersona', purpose: 'Fizisko personu reģistra likums, 9. p.' },
] as const;

/** Default municipalities of a demo (ids as in policies/tenants.yaml). */
export const DEFAULT_TENANTS = ['riga', 'jelgava', 'valmieras-novads', 'ventspils', 'adazu-novads'];

/** Relative staff size of known municipalities; others get 1. */
export const TENANT_SIZE: Record<string, number> = { riga: 6, daugavpils: 2, liepaja: 2, jelgava: 1.5, jurmala: 1.5, ventspils: 1.2, 'valmieras-novads': 1.2 };

export const FIRST_NAMES_F = ['Anna', 'Līga', 'Inese', 'Ilze', 'Kristīne', 'Dace', 'Sandra', 'Ieva', 'Laura', 'Zane', 'Baiba', 'Inga', 'Santa', 'Evija', 'Agnese', 'Marta'];
export const FIRST_NAMES_M = ['Jānis', 'Andris', 'Edgars', 'Māris', 'Pēteris', 'Kārlis', 'Aivars', 'Juris', 'Artūrs', 'Raivis', 'Guntis', 'Mārtiņš', 'Roberts', 'Uldis'];
/** Surname stems with masculine and feminine endings. */
export const SURNAMES: [string, string][] = [
  ['Bērziņš', 'Bērziņa'], ['Kalniņš', 'Kalniņa'], ['Ozoliņš', 'Ozoliņa'], ['Jansons', 'Jansone'], ['Ozols', 'Ozola'],
  ['Liepiņš', 'Liepiņa'], ['Krūmiņš', 'Krūmiņa'], ['Balodis', 'Balode'], ['Eglītis', 'Eglīte'], ['Zariņš', 'Zariņa'],
  ['Pētersons', 'Pētersone'], ['Vītols', 'Vītola'], ['Kļaviņš', 'Kļaviņa'], ['Kārkliņš', 'Kārkliņa'], ['Vanags', 'Vanaga'],
  ['Lācis', 'Lāce'], ['Siliņš', 'Siliņa'], ['Rozenbergs', 'Rozenberga'], ['Grīnbergs', 'Grīnberga'], ['Dukurs', 'Dukure'],
];

/** ASCII login name from a Latvian name (diacritics dropped). */
export function loginName(first: string, last: string): string {
  const ascii = (s: string): string => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  return `${ascii(first)[0]}${ascii(last)}`;
}
