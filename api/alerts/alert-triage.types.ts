import type { AlertStore } from '../../core/stores/alert-store';
import type { SuppressionStore } from '../../core/stores/suppression-store';

/** What the triage routes need from the alert and suppression stores, and the statuses and levels they accept. */
export const ALERT_STATUSES = ['open', 'acknowledged', 'in_progress', 'closed_true_positive', 'closed_false_positive', 'closed_benign'] as const;
export type TriageStatus = (typeof ALERT_STATUSES)[number];
export const ALERT_LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;

/** The AlertStore methods used by the routes (core/stores/alert-store.ts). */
export type TriageAlertStore = Pick<AlertStore, 'get' | 'search' | 'update' | 'counts'>;

/** The suppression store used by the routes (core/stores/suppression-store.ts). */
export type TriageSuppressionStore = Pick<SuppressionStore, 'add' | 'list' | 'remove'>;
