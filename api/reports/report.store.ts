import { createHash } from 'node:crypto';
import type { SqlClient } from '../../core/sql/sql-client';
import type { PersonAccessReport } from './person-access.types';

/** A stored report without its content (lists). */
export interface ReportSummary {
  id: string;
  controller: string;
  period: { from: string; to: string };
  generatedAt: string;
  generatedBy: { user: string; organization: string };
  reference?: string;
  caseId?: string;
  total: number;
  contentSha256: string;
}

export interface StoredExport {
  fileName: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
  signature: Buffer;
}

const iso = (v: Date | string) => new Date(v).toISOString();
const buf = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

/**
 * Person access reports and their signed exports in the state database (core/migrations/0072-person-access-reports.sql).
 * The clear person code is never stored: the report holds the pseudonym and the masked code.
 */
export function createReportStore(sql: SqlClient) {
  return {
    async save(r: PersonAccessReport): Promise<{ contentSha256: string }> {
      const content = JSON.stringify(r);
      const contentSha256 = createHash('sha256').update(content).digest('hex');
      await sql.query(
        `INSERT INTO person_access_reports (id, controller, person, period_from, period_to, generated_by, generated_by_org, generated_at,
                                            reference, case_id, total, content, content_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13)`,
        [r.id, r.controller, r.person, r.period.from, r.period.to, r.generatedBy.user, r.generatedBy.organization, r.generatedAt,
          r.reference ?? null, r.caseId ?? null, r.summary.total, content, contentSha256],
      );
      return { contentSha256 };
    },

    async remove(id: string): Promise<void> {
      await sql.query('DELETE FROM person_access_reports WHERE id = $1', [id]);
    },

    async get(id: string): Promise<PersonAccessReport | undefined> {
      const r = await sql.query<{ content: PersonAccessReport | string }>('SELECT content FROM person_access_reports WHERE id = $1', [id]);
      const c = r.rows[0]?.content;
      return c === undefined ? undefined : typeof c === 'string' ? (JSON.parse(c) as PersonAccessReport) : c;
    },

    /** Reports of these controllers ('*' = all), newest first. */
    async list(controllers: '*' | string[], limit = 100): Promise<ReportSummary[]> {
      const params: unknown[] = [limit];
      let where = '';
      if (controllers !== '*') {
        params.push(controllers);
        where = 'WHERE controller = ANY($2::text[])';
      }
      const r = await sql.query<{
        id: string; controller: string; period_from: Date; period_to: Date; generated_at: Date; generated_by: string; generated_by_org: string;
        reference: string | null; case_id: string | null; total: number; content_sha256: string;
      }>(
        `SELECT id, controller, period_from, period_to, generated_at, generated_by, generated_by_org, reference, case_id, total, content_sha256
         FROM person_access_reports ${where} ORDER BY generated_at DESC, id DESC LIMIT $1`,
        params,
      );
      return r.rows.map((x) => ({
        id: x.id,
        controller: x.controller,
        period: { from: iso(x.period_from), to: iso(x.period_to) },
        generatedAt: iso(x.generated_at),
        generatedBy: { user: x.generated_by, organization: x.generated_by_org },
        ...(x.reference ? { reference: x.reference } : {}),
        ...(x.case_id ? { caseId: x.case_id } : {}),
        total: Number(x.total),
        contentSha256: x.content_sha256,
      }));
    },

    async getExport(id: string, format: string, lang: string): Promise<StoredExport | undefined> {
      const r = await sql.query<{ file_name: string; content_type: string; bytes: unknown; sha256: string; signature: unknown }>(
        'SELECT file_name, content_type, bytes, sha256, signature FROM person_access_report_exports WHERE report_id = $1 AND format = $2 AND lang = $3',
        [id, format, lang],
      );
      const x = r.rows[0];
      return x && { fileName: x.file_name, contentType: x.content_type, bytes: buf(x.bytes), sha256: x.sha256, signature: buf(x.signature) };
    },

    /** Keeps the first export made for (id, format, lang): a concurrent second one is dropped, the first returned. */
    async putExport(id: string, format: string, lang: string, e: StoredExport): Promise<StoredExport> {
      await sql.query(
        `INSERT INTO person_access_report_exports (report_id, format, lang, file_name, content_type, bytes, sha256, signature)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (report_id, format, lang) DO NOTHING`,
        [id, format, lang, e.fileName, e.contentType, e.bytes, e.sha256, e.signature],
      );
      return (await this.getExport(id, format, lang)) ?? e;
    },
  };
}

export type ReportStore = ReturnType<typeof createReportStore>;
