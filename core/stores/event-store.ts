import type { EcsEvent } from '../types';

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
