/** Incident cases, their clocks, notices and sendings (issue 6). Stored by incident.store.ts (0080-incidents.sql). */

export const INCIDENT_STATUSES = ['open', 'investigating', 'contained', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INCIDENT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * Notice kinds: the NIS2 reports to CERT.LV (Art. 23(4)) and the GDPR Art. 33 notices (processor → each
 * controller municipality; controller municipality → Datu valsts inspekcija).
 */
export const NOTICE_KINDS = [
  'nis2-early-warning',
  'nis2-notification',
  'nis2-intermediate',
  'nis2-final',
  'gdpr-processor-to-controller',
  'gdpr-controller-to-dvi',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
export const isGdprKind = (k: NoticeKind): boolean => k.startsWith('gdpr-');

export const NOTICE_STATUSES = ['draft', 'approved', 'sent'] as const;
export type NoticeStatus = (typeof NOTICE_STATUSES)[number];

/** What one affected tenant (municipality) lost: its own applications, data categories and counts. */
export interface AffectedTenant {
  tenant: string;
  applications: string[];
  dataCategories: string[];
  personsAffected: number;
  records?: number;
}

/** Facts the notices need (NIS2 Art. 23(4), GDPR Art. 33(3)); free text written by the officer. */
export interface IncidentFacts {
  impact?: string;
  indicators?: string;
  rootCause?: string;
  mitigation?: string;
  nature?: string;
  consequences?: string;
  measures?: string;
}

/** The recorded answers of the classification aids (classification.ts). */
export interface Classification {
  answers: {
    serviceDisruptionHours: number;
    usersAffected: number;
    financialLossEur: number;
    maliciousAccess: boolean;
    recurrenceCount: number;
    crossBorder: boolean;
    crossBorderReasoning?: string;
    personalDataBreach: boolean;
    personalDataReasoning: string;
  };
  /** Criteria met by the thresholds of policies/incident-classification.yaml. */
  criteriaMet: string[];
  suggestedSignificant: boolean;
  /** The decision; differs from the suggestion only with overrideReason. */
  significant: boolean;
  overrideReason?: string;
  by: string;
  at: string;
}

export interface Incident {
  id: string;
  title: string;
  description: string;
  severity: IncidentSeverity;
  status: IncidentStatus;
  ownerTenant: string;
  affected: AffectedTenant[];
  alertIds: string[];
  facts: IncidentFacts;
  awareAt: string;
  classification: Classification | null;
  significant: boolean;
  personalDataBreach: boolean;
  crossBorder: boolean;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export interface IncidentTask {
  id: string;
  incidentId: string;
  title: string;
  assignee: string | null;
  dueAt: string | null;
  done: boolean;
  doneAt: string | null;
  doneBy: string | null;
  createdAt: string;
  createdBy: string;
}

export interface TimelineEntry {
  seq: number;
  at: string;
  actor: string;
  kind: string;
  summary: string;
  tenant: string | null;
  details: Record<string, unknown>;
}

export type ClockObligation = 'nis2-early-warning' | 'nis2-notification' | 'nis2-final' | 'gdpr-processor-to-controller' | 'gdpr-controller-to-dvi';

/** A clock as stored (UTC). */
export interface StoredClock {
  key: string;
  obligation: ClockObligation;
  /** Whose duty (escalations go to its on-call and deputy). */
  tenant: string;
  /** Null while the clock waits for its start (the final report before the notification is sent). */
  startsAt: string | null;
  dueAt: string | null;
  stoppedAt: string | null;
  /** Sending id that stopped it. */
  stoppedBy: string | null;
  /** False when the obligation no longer applies (classification changed): kept for the record. */
  active: boolean;
}

/** A clock as shown: Riga time, time left, escalation step reached. */
export interface ClockView extends StoredClock {
  state: 'waiting' | 'running' | 'overdue' | 'met' | 'late' | 'inactive';
  dueRiga: string | null;
  msLeft: number | null;
  /** Share of the time used (0..), null without a due time. */
  used: number | null;
  /** Highest escalation step reached (e.g. '75%', 'overdue'), or null. */
  step: string | null;
  /** 1-based position of `step` among the configured steps, 0 for none (the dashboard's colour). */
  stepRank: number;
}

export interface NoticeContent {
  subject: string;
  sections: Array<{ key: string; heading: string; text: string }>;
}

export interface Notice {
  id: string;
  incidentId: string;
  kind: NoticeKind;
  audience: string | null;
  lang: 'lv' | 'en';
  status: NoticeStatus;
  content: NoticeContent;
  recipients: string[];
  channel: string;
  /** SHA-256 (hex) of the content as it stands (canonical JSON of kind, lang, audience, recipients, content). */
  contentHash: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewNote: string | null;
}

export type SendingState = 'pending' | 'sending' | 'retrying' | 'delivered' | 'dead' | 'recorded';

export interface Sending {
  id: string;
  noticeId: string;
  incidentId: string;
  method: 'outbox' | 'other';
  sentBy: string;
  sentAt: string;
  recipients: string[];
  channel: string;
  contentHash: string;
  reference: string | null;
  deliveryId: string | null;
  state: SendingState;
  deliveredAt: string | null;
  lastError: string | null;
}

/** A recorded sending that stops a clock: delivered by the outbox, or recorded by hand (sent by other means). */
export const stopsClock = (s: Sending): boolean => s.state === 'delivered' || s.state === 'recorded';
/** When a sending counts as made: delivery time for the outbox, the stated time for one recorded by hand. */
export const sentInstant = (s: Sending): string => (s.method === 'outbox' ? s.deliveredAt ?? s.sentAt : s.sentAt);
