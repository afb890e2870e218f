import type { SqlClient } from '../../core/sql/sql-client';

/** What a case needs to know of a person access report (api/reports): whose it is, about whom, for which case. */
export interface ReportInfo {
  id: string;
  /** The municipality whose view it is, or '*' (a ZZ Dats DPO's report). */
  controller: string;
  /** Pseudonym of the data subject. */
  person: string;
  /** The case id or reference the report was produced for, if any. */
  caseId?: string;
  generatedAt: string;
  generatedBy: string;
}

export interface ReportLookup {
  get(id: string): Promise<ReportInfo | undefined>;
  /** Reports produced for a case (their caseId is the case id or its reference), newest first. */
  forCase(caseId: string, reference: string): Promise<ReportInfo[]>;
}

type Row = { id: string; controller: string; person: string; case_id: string | null; generated_at: Date | string; generated_by: string };
const info = (r: Row): ReportInfo => ({
  id: r.id, controller: r.controller, person: r.person, ...(r.case_id ? { caseId: r.case_id } : {}), generatedAt: new Date(r.generated_at).toISOString(), generatedBy: r.generated_by,
});

/** Reads the report table of api/reports (core/migrations/0072-person-access-reports.sql); metadata only. */
export function createSqlReportLookup(sql: SqlClient): ReportLookup {
  const cols = 'id, controller, person, case_id, generated_at, generated_by';
  return {
    async get(id) {
      const r = await sql.query<Row>(`SELECT ${cols} FROM person_access_reports WHERE id = $1`, [id]);
      return r.rows[0] ? info(r.rows[0]) : undefined;
    },
    async forCase(caseId, reference) {
      const r = await sql.query<Row>(`SELECT ${cols} FROM person_access_reports WHERE case_id IN ($1, $2) ORDER BY generated_at DESC, id DESC LIMIT 100`, [caseId, reference]);
      return r.rows.map(info);
    },
  };
}
