import type { Classification } from './incident.types';
import type { IncidentPolicy } from './incident-policy';

/**
 * The significant-incident aid (NIS2 Art. 23(3); National Cybersecurity Law): which criteria of
 * policies/incident-classification.yaml the answers meet. Any criterion met suggests "significant"; the officer
 * decides, and a decision against the suggestion needs a reason (both are recorded with who and when).
 *
 * @example
 *   significantCriteria({ serviceDisruptionHours: 3, usersAffected: 10, ... }, policy.classification) // ['serviceDisruption']
 */
export function significantCriteria(a: Classification['answers'], t: IncidentPolicy['classification']): string[] {
  const met: string[] = [];
  if (a.serviceDisruptionHours >= t.serviceDisruptionHours) met.push('serviceDisruption');
  if (a.usersAffected >= t.usersAffected) met.push('usersAffected');
  if (a.financialLossEur >= t.financialLossEur) met.push('financialLoss');
  if (t.maliciousAccess && a.maliciousAccess) met.push('maliciousAccess');
  if (a.recurrenceCount >= t.recurrenceCount) met.push('recurrence');
  return met;
}
