import type { Logger } from 'pino';
import { loadWorkingCalendar, type WorkingCalendar } from '../../core/calendar/working-days';
import type { SqlClient } from '../../core/sql/sql-client';
import type { AuditLog } from '../../core/stores/audit-log';
import type { Tenant } from '../../core/tenants';
import type { Pseudonymiser } from '../../collector/pseudonymise';
import { loadCasePolicy, type CasePolicy } from './case-policy';
import { createCaseService, type CaseService } from './case.service';
import { createSqlCaseStore, type SubjectCaseStore } from './case.store';
import type { CaseReminder } from './case.types';
import { createSqlReportLookup, type ReportLookup } from './report-lookup';

/** What the runtime keeps of subject-request cases (AppContext.cases). */
export interface Cases {
  service: CaseService;
  store: SubjectCaseStore;
  policy: CasePolicy;
  calendar: WorkingCalendar;
  tenantsById: ReadonlyMap<string, Tenant>;
}

/**
 * Wires subject-request cases: the SQL store, policies/cases.yaml, the Latvian calendar (policies/calendar.yaml)
 * and the service. `deliverReminder` is the delivery channel of reminders when one is wired
 * (api/cases/case-reminders.ts outboxReminderDelivery).
 *
 * @example const cases = createCases({ sql, audit, pseudonymiser, tenantsById: tenantList.byId });
 */
export function createCases(deps: {
  sql: SqlClient;
  audit: AuditLog;
  pseudonymiser: Pseudonymiser;
  tenantsById: ReadonlyMap<string, Tenant>;
  policy?: CasePolicy;
  calendar?: WorkingCalendar;
  clock?: () => Date;
  deliverReminder?: (r: CaseReminder) => Promise<void>;
  /** Default: the report table of api/reports in the same database. */
  reports?: ReportLookup;
  logger?: Logger;
}): Cases {
  const policy = deps.policy ?? loadCasePolicy();
  const calendar = deps.calendar ?? loadWorkingCalendar();
  const store = createSqlCaseStore(deps.sql, { dueSoonDays: policy.dueSoonDays, clock: deps.clock });
  const service = createCaseService({
    store, calendar, policy, audit: deps.audit, pseudonymiser: deps.pseudonymiser, tenants: deps.tenantsById, clock: deps.clock, deliverReminder: deps.deliverReminder,
    reports: deps.reports ?? createSqlReportLookup(deps.sql),
  });
  return { service, store, policy, calendar, tenantsById: deps.tenantsById };
}
