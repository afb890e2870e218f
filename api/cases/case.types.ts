/**
 * Subject-request cases (issue 5): one case per request of a data subject under GDPR Art. 15-21, handled by the
 * controller's (municipality's) data protection officer, with its deadlines computed and stored (api/cases/
 * case-deadlines.ts), its own timeline, linked person access reports, attachments, decisions and closure.
 *
 * The requester's person code is never kept in clear: only its keyed pseudonym and a masked form.
 */

/** The right exercised (GDPR Art. 15-18, 20, 21). */
export const CASE_RIGHTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability'] as const;
export type CaseRight = (typeof CASE_RIGHTS)[number];

/** How the requester's identity was verified (GDPR Art. 12(6)). */
export const IDENTITY_METHODS = ['eparaksts', 'smart-id', 'latvija-lv', 'e-address', 'in-person-id-document', 'signed-letter', 'other'] as const;
export type IdentityMethod = (typeof IDENTITY_METHODS)[number];

/** How the request arrived. */
export const CASE_CHANNELS = ['e-mail', 'e-address', 'letter', 'in-person', 'portal', 'phone', 'other'] as const;
export type CaseChannel = (typeof CASE_CHANNELS)[number];

/** Decisions taken on a case. */
export const DECISION_KINDS = ['grant', 'partial-grant', 'refuse', 'more-information-needed', 'fee', 'other'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/**
 * How a case ends: answered (request fulfilled), partially fulfilled, refused (e.g. Art. 12(5) manifestly unfounded
 * or excessive, with the reasons and the right to complain), withdrawn by the requester, identity not verified.
 */
export const CASE_OUTCOMES = ['answered', 'partially-fulfilled', 'refused', 'withdrawn', 'identity-not-verified'] as const;
export type CaseOutcome = (typeof CASE_OUTCOMES)[number];

/** How the requester was told of an extension (Art. 12(3)). */
export const NOTICE_METHODS = ['e-mail', 'e-address', 'letter', 'portal', 'other'] as const;
export type NoticeMethod = (typeof NOTICE_METHODS)[number];

/**
 * Where a case stands against its answer deadline, at the time of reading:
 * on-track, due-soon (within policy dueSoonDays), overdue, answered-in-time, answered-late.
 */
export const DEADLINE_STATES = ['on-track', 'due-soon', 'overdue', 'answered-in-time', 'answered-late'] as const;
export type DeadlineState = (typeof DEADLINE_STATES)[number];

export const TIMELINE_KINDS = [
  'created', 'updated', 'note', 'decision', 'attachment', 'report-linked', 'extended',
  'processor-support-requested', 'processor-support-provided', 'closed', 'reminder',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  at: string;
  by: string;
  kind: TimelineKind;
  text?: string;
  details: Record<string, unknown>;
}

export interface CaseAttachment {
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  addedAt: string;
  addedBy: string;
}

export interface LinkedReport {
  reportId: string;
  linkedAt: string;
  linkedBy: string;
}

export interface SubjectCase {
  id: string;
  /** Human reference: DSP-<tenant>-<year>-<n>. */
  reference: string;
  /** The controller: a municipality tenant. */
  tenant: string;
  right: CaseRight;
  status: 'open' | 'closed';
  channel?: CaseChannel;
  summary?: string;
  requester: {
    name: string;
    contact?: string;
    /** Keyed pseudonym and masked form of the person code, when one was given. */
    person?: { pseudonym: string; masked: string };
  };
  identity?: { method: IdentityMethod; verifiedBy: string; verifiedAt: string; note?: string };
  receivedAt: string;
  deadlines: {
    /** The answer deadline in force (extended when an extension was recorded). */
    answerDueAt: string;
    /** 1 month from receipt (GDPR Art. 12(3)). */
    originalDueAt: string;
    extension?: { months: number; reason: string; noticeAt: string; noticeMethod: NoticeMethod; at: string; by: string };
    processorSupport?: { requestedAt: string; dueAt: string; providedAt?: string };
  };
  /** At the time of reading. */
  deadlineState: DeadlineState;
  /** Processor support requested, not provided and past its due date. */
  processorOverdue: boolean;
  closure?: { outcome: CaseOutcome; closedAt: string; closedBy: string; summary?: string; inTime: boolean };
  reports: LinkedReport[];
  /** Person access reports produced for this case (their caseId is its id or reference) and not linked yet. */
  producedReports?: Array<{ reportId: string; generatedAt: string; generatedBy: string }>;
  attachments: CaseAttachment[];
  timeline: TimelineEntry[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

/** A register line: the case without its timeline and attachments. */
export type CaseSummary = Omit<SubjectCase, 'timeline' | 'attachments' | 'reports' | 'producedReports'> & { reportCount: number; attachmentCount: number };

/** Deadline compliance of one controller (municipality) in the register. */
export interface ComplianceRow {
  tenant: string;
  name?: string;
  total: number;
  open: number;
  overdue: number;
  dueSoon: number;
  closed: number;
  answeredInTime: number;
  answeredLate: number;
  /** answeredInTime / closed × 100, one decimal; null when nothing is closed. */
  inTimePercent: number | null;
  extended: number;
  processorOverdue: number;
}

/** A recorded reminder or overdue notice (a due notification for the controller's DPOs). */
export interface CaseReminder {
  caseId: string;
  reference: string;
  tenant: string;
  deadline: 'answer' | 'processor-support';
  dueAt: string;
  /** `7d`, `2d` … before the deadline, or `overdue`. */
  offset: string;
  remindAt: string;
  recordedAt: string;
  deliveredAt?: string;
}
