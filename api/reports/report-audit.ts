import type { AuditLog } from '../../core/stores/audit-log';
import type { IntakeSink } from '../../core/types';
import type { PersonAccessReport } from './person-access.types';

/** The purpose recorded for a report made without a request reference. */
export const DEFAULT_REPORT_PURPOSE = 'GDPR Art. 15';

/**
 * The application audit event of a report produced ("who looked at whom"): the DPO, in SARGS, read the access
 * history of the person. It is stored like any VPS application audit event (through the intake: durable, spooled
 * while the store is down), so the person's next report lists it.
 */
export function reportAccessEvent(r: PersonAccessReport, user: { id: string; name: string; tenant: string }): Record<string, unknown> {
  return {
    '@timestamp': r.generatedAt,
    event: {
      id: `person-access-report-${r.id}`,
      kind: 'event',
      category: ['database'],
      type: ['access'],
      action: 'person-access-report',
      outcome: 'success',
      dataset: 'sargs.reports',
    },
    service: { name: 'SARGS' },
    organization: { id: user.tenant },
    user: { id: user.id, name: user.name, roles: ['dpo'] },
    vps: {
      tenant: user.tenant,
      subject: { person: r.person, ...(r.personMunicipality ? { organization: r.personMunicipality } : {}) },
      data_category: 'access_log',
      purpose: r.reference ?? DEFAULT_REPORT_PURPOSE,
      record: { id: r.id },
    },
  };
}

/**
 * Audits a report produced: Sargs's own audit log (who, which report, whose view, which period — the pseudonym,
 * never the code) and the application audit event about the person. Throws when either cannot be written: a
 * report without its audit trail must not be handed out.
 */
export async function auditReportProduced(
  deps: { audit: Pick<AuditLog, 'record'>; intake: IntakeSink },
  r: PersonAccessReport,
  user: { id: string; name: string; tenant: string },
): Promise<void> {
  await deps.audit.record(user.name, 'report.person_access.produced', r.id, {
    controller: r.controller,
    person: r.person,
    period: r.period,
    reference: r.reference ?? null,
    caseId: r.caseId ?? null,
    total: r.summary.total,
  });
  const ev = reportAccessEvent(r, user);
  const [out] = await deps.intake.accept([{ raw: JSON.stringify(ev), value: ev }], {
    tenant: user.tenant,
    source: 'sargs-reports',
    parser: 'ecs',
    transport: 'internal',
  });
  if (!out || out.status === 'rejected') throw new Error(`report access event refused: ${out && 'reason' in out ? out.reason : 'no outcome'}`);
}
