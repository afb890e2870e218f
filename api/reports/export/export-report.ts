import type { PersonAccessReport } from '../person-access.types';
import type { DocumentSigner } from '../../../pki/signer';
import type { ExportFormat, ExportLang, SignedExport } from './export.types';
import { exportFileName } from './file-names';
import { renderReportCsv } from './report-csv';
import { renderReportJson } from './report-json';
import { renderReportPdf } from './report-pdf';
import { signExport } from './signed-export';

/**
 * The report as a file — PDF (Latvian or English), CSV (UTF-8 with BOM, headers in `lang`) or JSON — with its
 * detached CMS signature made by `signer` (the platform's document-signing certificate). The PDF names its
 * signature file.
 *
 * @example
 * const out = await exportReport(report, 'pdf', 'lv', ctx.pki.signer);
 * // out.fileName 'person-access-DPO-2026-17-2026-11-30.lv.pdf', out.signature.fileName '….lv.pdf.p7s'
 */
export async function exportReport(report: PersonAccessReport, format: ExportFormat, lang: ExportLang, signer: DocumentSigner): Promise<SignedExport> {
  if (lang !== 'lv' && lang !== 'en') throw new RangeError(`lang must be 'lv' or 'en', got ${String(lang)}`);
  switch (format) {
    case 'pdf': {
      const fileName = exportFileName(report, 'person-access', lang, 'pdf');
      return signExport(await renderReportPdf(report, lang, `${fileName}.p7s`), 'application/pdf', fileName, signer);
    }
    case 'csv':
      return signExport(renderReportCsv(report, lang), 'text/csv; charset=utf-8', exportFileName(report, 'person-access', lang, 'csv'), signer);
    case 'json':
      return signExport(renderReportJson(report, lang), 'application/json', exportFileName(report, 'person-access', undefined, 'json'), signer);
    default:
      throw new RangeError(`format must be pdf, csv or json, got ${String(format)}`);
  }
}
