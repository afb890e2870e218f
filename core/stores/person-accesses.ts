/**
 * The event-store query behind the person access report (issue 5, api/reports/person-access.ts): every stored
 * event about one data subject (vps.subject.person = pseudonym) in a period, as one controller may see it, with
 * the summary counts. Implemented by both adapters (elasticsearch-person-accesses.ts, sql-person-accesses.ts) and
 * checked by the same contract (event-store.contract.ts) so they answer alike.
 *
 * Visibility ({@link PersonAccessQuery.controllers}): a municipality is the controller of what its own staff do
 * and of its residents' data, so an event is visible to controller A when
 *   - it is in A's log (vps.tenant = A), or
 *   - A's user acted (organization.id = A), or
 *   - the subject is declared in A (vps.subject.organization = A), whoever read the data (another municipality,
 *     a state institution, ZZ Dats).
 * Municipality B's internal accesses (B's log, B's user, a subject not declared in A) are B's, never A's.
 */
import type { EcsEvent } from '../types';

export interface PersonAccessQuery {
  /** The person's pseudonym (`pk_…`), never the clear code. */
  person: string;
  /** ISO times: from inclusive, to exclusive. */
  from: string;
  to: string;
  /** '*' (ZZ Dats DPO: every access) or the controllers whose view is asked for (see the file comment). */
  controllers: string[] | '*';
  /** Most accesses listed, newest first (default 100,000); the summary counts them all. */
  limit?: number;
}

/** One stored event about the person, in the fields the report shows. Values not recorded are absent. */
export interface PersonAccessRow {
  id: string;
  /** ISO, UTC */
  at: string;
  tenant: string;
  organization?: string;
  subjectOrganization?: string;
  application?: string;
  user?: string;
  userId?: string;
  roles?: string[];
  action?: string;
  dataCategory?: string;
  purpose?: string;
  outcome?: string;
}

/** A count per key; '' is the key of events without the value. */
export interface KeyCount {
  key: string;
  count: number;
}

export interface PersonAccessResult {
  total: number;
  /** Newest first (@timestamp desc, event.id desc); at most `limit`. */
  accesses: PersonAccessRow[];
  /** True when more than `limit` accesses matched. */
  truncated: boolean;
  byOrganization: KeyCount[];
  byApplication: KeyCount[];
  byDataCategory: KeyCount[];
  /** Months (YYYY-MM) in Europe/Riga, oldest first, only months with accesses. */
  byMonth: KeyCount[];
}

export const DEFAULT_PERSON_ACCESS_LIMIT = 100_000;
export const REPORT_TIME_ZONE = 'Europe/Riga';

/** The stored-document fields a report reads (Elasticsearch `_source` filter). */
export const PERSON_ACCESS_SOURCE = [
  '@timestamp',
  'event.id',
  'event.action',
  'event.outcome',
  'service.name',
  'organization.id',
  'user.name',
  'user.id',
  'user.roles',
  'vps.tenant',
  'vps.subject.organization',
  'vps.data_category',
  'vps.purpose',
];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The row of one stored event (both adapters map their documents with this). */
export function personAccessRowOf(e: EcsEvent): PersonAccessRow {
  const row: PersonAccessRow = { id: e.event.id, at: new Date(e['@timestamp']).toISOString(), tenant: e.vps.tenant };
  const set = <K extends keyof PersonAccessRow>(k: K, v: PersonAccessRow[K] | undefined) => {
    if (v !== undefined) row[k] = v;
  };
  set('organization', str(e.organization?.id));
  set('subjectOrganization', str(e.vps.subject?.organization));
  set('application', str(e.service?.name));
  set('user', str(e.user?.name));
  set('userId', str(e.user?.id));
  const roles = e.user?.roles;
  if (Array.isArray(roles) && roles.length) row.roles = roles.filter((r): r is string => typeof r === 'string');
  else if (typeof roles === 'string') row.roles = [roles];
  set('action', str(e.event.action));
  set('dataCategory', str(e.vps.data_category));
  set('purpose', str(e.vps.purpose));
  set('outcome', str(e.event.outcome));
  return row;
}

/** Counts by count desc, then key asc (code point order), the same in every adapter. */
export function sortCounts(xs: KeyCount[]): KeyCount[] {
  return xs.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
