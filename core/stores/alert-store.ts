import { createHash } from 'node:crypto';
import type { DetectionHit } from '../../detection/engine';
import { badRequest } from '../errors';

/** Triage states of an alert (issue 4: open, acknowledged, in progress, closed as true positive, false positive or benign). */
export type AlertStatus =
  | 'open'
  | 'acknowledged'
  | 'in_progress'
  | 'closed_true_positive'
  | 'closed_false_positive'
  | 'closed_benign';

export const ALERT_STATUSES: readonly AlertStatus[] = [
  'open', 'acknowledged', 'in_progress', 'closed_true_positive', 'closed_false_positive', 'closed_benign',
];

export type AlertLevel = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** Sigma levels in ascending order: the rank sorts alerts by severity. */
export const LEVEL_RANK: Record<AlertLevel, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

/** Most hits kept as evidence on one alert; the count goes on beyond it. */
export const MAX_EVIDENCE = 100;

/** One alert: the hits of a rule for one tenant and group key within a window. */
export interface Alert {
  /** Deterministic: hash of (ruleId, tenant, groupKey, window start), so a storm is one alert. */
  id: string;
  ruleId: string;
  title: string;
  level: AlertLevel;
  tags: string[];
  /** Sigma author: attribution for rules from the public Sigma collection (its licence asks for it). */
  author?: string;
  /** vps.tenant of the evidence. */
  tenant: string;
  /** What the alert is about: user.name, source.ip or the group key. */
  entity?: string;
  groupKey: string;
  firstSeen: string;
  lastSeen: string;
  /** Hits grouped into this alert. */
  count: number;
  /** event.id of the evidence (at most MAX_EVIDENCE). */
  evidence: string[];
  status: AlertStatus;
  assignee?: string | null;
  comments: Array<{ at: string; by: string; text: string }>;
  history: Array<{ at: string; by: string; action: string; from?: string; to?: string }>;
  /** Id of the suppression rule that matched when the alert was raised. */
  suppressedBy?: string | null;
}

export interface AlertQuery {
  /** The caller's authorisation (tenants or '*'), never from request input alone; `tenant` narrows within it. */
  scope: string[] | '*';
  tenant?: string;
  ruleId?: string;
  level?: string;
  status?: string;
  assignee?: string;
  /** ISO times on lastSeen, from inclusive, to exclusive. */
  from?: string;
  to?: string;
  /** 1..1000, default 100. */
  size?: number;
  /** Opaque cursor from the previous page. */
  after?: string;
  /** Default lastSeen (newest first); level (most severe first); count (largest first). */
  sort?: 'lastSeen' | 'level' | 'count';
  /** Suppressed alerts are left out unless asked for. */
  includeSuppressed?: boolean;
}

export interface AlertHitInput {
  hit: DetectionHit;
  tenant: string;
  entity?: string;
  /** A suppression rule that matched (core/stores/suppression-store.ts). */
  suppressedBy?: string | null;
}

export interface AlertChange {
  status?: AlertStatus;
  assignee?: string | null;
  comment?: string;
}

export interface AlertCounts {
  byRule: Array<{ key: string; title: string; count: number }>;
  byTenant: Array<{ key: string; count: number }>;
  byLevel: Array<{ key: string; count: number }>;
}

/**
 * The alert store port. Adapters: Elasticsearch (index `<prefix>-alerts`) and SQL (core/migrations/0050-alerts.sql).
 * Both pass core/stores/alert-store.contract.ts.
 */
export interface AlertStore {
  readonly kind: 'elasticsearch' | 'sql';
  init(): Promise<void>;
  /**
   * Upserts hits: a hit whose (rule, tenant, groupKey) has a not-closed alert whose lastSeen is within
   * groupWindowMs increments that alert's count/lastSeen/evidence; otherwise a new alert. Returns the affected alerts.
   */
  record(hits: AlertHitInput[], groupWindowMs: number): Promise<Alert[]>;
  get(id: string, scope: string[] | '*'): Promise<Alert | undefined>;
  search(q: AlertQuery): Promise<{ alerts: Alert[]; total: number; next?: string }>;
  /** Triage: every change goes into the alert's history with who and when. 404 AppError outside the scope. */
  update(id: string, scope: string[] | '*', change: AlertChange, by: string): Promise<Alert>;
  counts(q: { scope: string[] | '*'; from?: string; to?: string }): Promise<AlertCounts>;
  refresh(): Promise<void>;
}

export const isClosed = (s: AlertStatus): boolean => s.startsWith('closed_');

/** NUL (the engine's key separator) cannot be stored in SQL text: shown as ' / '. */
const printable = (s: string): string => s.replace(/\u0000/g, ' / ');

/** The group key of a hit: the correlation's key, else the entity, else empty. */
export const groupKeyOf = (h: AlertHitInput): string => printable(h.hit.groupKey ?? h.entity ?? '');

/** Deterministic alert id: sha256 of rule, tenant, group key and window start. */
export function alertId(ruleId: string, tenant: string, groupKey: string, windowStart: string): string {
  return createHash('sha256').update(JSON.stringify([ruleId, tenant, groupKey, windowStart])).digest('hex').slice(0, 32);
}

/** A new alert from its first hit. */
export function newAlert(h: AlertHitInput): Alert {
  const groupKey = groupKeyOf(h);
  const at = h.hit.timestamp;
  return {
    id: alertId(h.hit.ruleId, h.tenant, groupKey, at),
    ruleId: h.hit.ruleId,
    title: h.hit.title,
    level: h.hit.level as AlertLevel,
    tags: [...h.hit.tags],
    ...(h.hit.author ? { author: h.hit.author } : {}),
    tenant: h.tenant,
    ...(h.entity ?? h.hit.groupKey ? { entity: printable((h.entity ?? h.hit.groupKey)!) } : {}),
    groupKey,
    firstSeen: at,
    lastSeen: at,
    count: 1,
    evidence: h.hit.eventIds.slice(0, MAX_EVIDENCE),
    status: 'open',
    assignee: null,
    comments: [],
    history: [{ at: new Date().toISOString(), by: 'sargs', action: 'raised' }],
    suppressedBy: h.suppressedBy ?? null,
  };
}

/** Whether a hit joins an existing alert: same key, not closed, within the window of its lastSeen. */
export function joins(a: Alert, h: AlertHitInput, groupWindowMs: number): boolean {
  return !isClosed(a.status) && Date.parse(h.hit.timestamp) - Date.parse(a.lastSeen) <= groupWindowMs;
}

/** Adds a hit to an alert in place. */
export function addHit(a: Alert, h: AlertHitInput): void {
  a.count += 1;
  if (h.hit.timestamp > a.lastSeen) a.lastSeen = h.hit.timestamp;
  if (h.hit.timestamp < a.firstSeen) a.firstSeen = h.hit.timestamp;
  for (const id of h.hit.eventIds) {
    if (a.evidence.length >= MAX_EVIDENCE) break;
    if (!a.evidence.includes(id)) a.evidence.push(id);
  }
  if (h.suppressedBy && !a.suppressedBy) a.suppressedBy = h.suppressedBy;
}

/** Applies a triage change in place, recording it in the history (issue 4: every action with who and when). */
export function applyChange(a: Alert, change: AlertChange, by: string, now = new Date()): void {
  const at = now.toISOString();
  if (change.status !== undefined && change.status !== a.status) {
    a.history.push({ at, by, action: 'status', from: a.status, to: change.status });
    a.status = change.status;
  }
  if (change.assignee !== undefined && change.assignee !== (a.assignee ?? null)) {
    a.history.push({ at, by, action: 'assign', ...(a.assignee ? { from: a.assignee } : {}), ...(change.assignee ? { to: change.assignee } : {}) });
    a.assignee = change.assignee;
  }
  if (change.comment !== undefined && change.comment.trim() !== '') {
    a.comments.push({ at, by, text: change.comment });
    a.history.push({ at, by, action: 'comment' });
  }
}

export const alertPageSize = (q: { size?: number }): number => Math.min(Math.max(Math.trunc(q.size ?? 100), 1), 1000);

export function encodeAlertCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** Decodes a cursor of `n` values; an invalid cursor is a 400 for the API. */
export function decodeAlertCursor(cursor: string, n: number): Array<string | number> {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v;
  } catch {
    /* fall through */
  }
  throw badRequest('invalid_cursor', 'invalid cursor', 'after');
}
