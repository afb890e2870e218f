import type { EcsEvent } from '../types';
import type { PersonAccessQuery, PersonAccessResult } from './person-accesses';

/**
 * The event store port. Two adapters: Elasticsearch (a data stream, when ELASTICSEARCH_URL is set) and SQL
 * (PGlite embedded by default, or Postgres when DATABASE_URL is set). Both pass core/stores/event-store.contract.ts.
 */
export interface EventStore {
  readonly kind: 'elasticsearch' | 'sql';
  /** Creates templates / tables; idempotent. */
  init(): Promise<void>;
  /**
   * Writes events by their deterministic `event.id`: an id already stored is a duplicate, never a second copy.
   * Throws StoreUnavailableError when the store cannot be reached (after retries); per-item failures (e.g. a
   * mapping conflict) come back as `failed` with the store's reason and are never retried.
   */
  bulk(events: EcsEvent[]): Promise<BulkItemResult[]>;
  search(q: EventQuery): Promise<EventPage>;
  count(q: EventQuery): Promise<number>;
  /** Events per application per hour, and every source with its last event time, for the overview. */
  overview(q: OverviewQuery): Promise<Overview>;
  /**
   * The municipality view (issue 5): accesses to the data of `residentsOf`'s residents (vps.subject.organization)
   * by users of any other organisation (organization.id differs or is unknown), grouped by organisation,
   * application and data category (or the subset named in `by`), with distinct persons and users. Rows sorted by
   * accesses desc, then by keys. Distinct counts are exact in SQL; in Elasticsearch they are `cardinality`
   * aggregations, exact below 40 000 distinct values per row and within about 1 % above.
   * @example
   *   await store.crossAccess({ residentsOf: 'jurmala', scope: '*', from: '2026-10-01T00:00:00+03:00', to: '2026-11-01T00:00:00+02:00' });
   */
  crossAccess(q: CrossAccessQuery): Promise<CrossAccessRow[]>;
  /**
   * The person access report (issue 5): every event about one person (vps.subject.person) in a period that the
   * controllers may see, newest first, with counts by organisation, application, data category and month
   * (Europe/Riga). Visibility rule and types: core/stores/person-accesses.ts.
   */
  personAccesses(q: PersonAccessQuery): Promise<PersonAccessResult>;
  /** Makes everything written so far searchable (tests, benchmarks). */
  refresh(): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

export type BulkItemResult =
  | { status: 'created' }
  | { status: 'duplicate' }
  | { status: 'failed'; reason: string };

/**
 * Filters of an event query. `scope` is the caller's authorisation (tenants it may read, or '*'), built by the
 * API from the caller's identity and never from request input alone; `tenant` narrows within it.
 */
export interface EventQuery {
  scope: string[] | '*';
  tenant?: string;
  app?: string;
  user?: string;
  /** A person pseudonym (the API computes it from a person code). */
  person?: string;
  action?: string;
  outcome?: string;
  /** The acting user's organisation (organization.id); drill-down of the municipality view. */
  organization?: string;
  /** The data subject's municipality (vps.subject.organization); drill-down of the municipality view. */
  subjectOrganization?: string;
  /** vps.data_category */
  dataCategory?: string;
  /** ISO times, from inclusive, to exclusive. */
  from?: string;
  to?: string;
  /** Page size, 1..1000 (default 100). */
  size?: number;
  /** Opaque cursor from the previous page (search_after on @timestamp desc, event.id desc). */
  after?: string;
}

export interface EventPage {
  events: EcsEvent[];
  total: number;
  /** Cursor of the next page, absent on the last page. */
  next?: string;
}

/** What {@link EventStore.crossAccess} groups by; all three by default. */
export type CrossAccessKey = 'organization' | 'application' | 'dataCategory';

export interface CrossAccessQuery {
  /** The municipality whose residents' data was accessed (vps.subject.organization). */
  residentsOf: string;
  /** The logs (vps.tenant) the caller may read, or '*'. */
  scope: string[] | '*';
  /** ISO times, from inclusive, to exclusive. */
  from: string;
  to: string;
  by?: CrossAccessKey[];
}

/** One group of cross accesses. Keys not grouped by are absent; a missing value is ''. */
export interface CrossAccessRow {
  /** organization.id of the acting users ('' when not recorded). */
  organization: string;
  /** service.name */
  application?: string;
  /** vps.data_category */
  dataCategory?: string;
  accesses: number;
  distinctPersons: number;
  distinctUsers: number;
}

/** Sorts cross-access rows the same way in every adapter: accesses desc, then keys asc. */
export function sortCrossAccessRows(rows: CrossAccessRow[]): CrossAccessRow[] {
  const key = (r: CrossAccessRow) => [r.organization, r.application ?? '', r.dataCategory ?? ''].join('\u0000');
  return rows.sort((a, b) => b.accesses - a.accesses || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export interface OverviewQuery {
  scope: string[] | '*';
  from: string;
  to: string;
}

export interface Overview {
  hourly: Array<{ hour: string; app: string; count: number }>;
  sources: Array<{ tenant: string; app: string; dataset: string; lastEventAt: string; events: number }>;
}

export function encodeCursor(ts: string, id: string): string {
  return Buffer.from(JSON.stringify([ts, id])).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* fall through */
  }
  throw new Error('invalid cursor');
}

export const pageSize = (q: EventQuery) => Math.min(Math.max(q.size ?? 100, 1), 1000);
