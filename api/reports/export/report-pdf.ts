import type { PersonAccessReport, CountBy } from '../person-access.types';
import { tenantName } from './controller-name';
import { dataCategoryLabel, LABELS, ORGANIZATION_KIND, outcomeLabel } from './labels';
import { FONT, newPdf, pdfBytes, writeInMargin } from './pdf-document';
import { drawTable, type TableColumn } from './pdf-table';
import { formatDateTime, formatMonth, formatPeriod } from './riga-time';

const MARGIN = { top: 46, bottom: 40, left: 36, right: 36 };

/**
 * The person access report as a PDF (A4 landscape) in Latvian or English: title, controller, masked person code,
 * period, request reference, generated-at line, the reference of its signature file, the summary (by organisation,
 * application, data category, month) and every access as a table with its header repeated on each page; a running
 * header from page 2 and "page n of m" on every page.
 *
 * @param signatureFileName the `.p7s` file that will sign these bytes (named in the document).
 */
export async function renderReportPdf(report: PersonAccessReport, lang: 'lv' | 'en', signatureFileName: string): Promise<Buffer> {
  const L = LABELS[lang];
  const reference = report.reference ?? report.id;
  const doc = newPdf({
    layout: 'landscape',
    margins: MARGIN,
    lang,
    info: { Title: `${L.title} — ${reference}`, Subject: `${L.period} ${formatPeriod(report.period, lang)}`, Author: 'Sargs', CreationDate: new Date(report.generatedAt) },
  });
  const width = doc.page.width - MARGIN.left - MARGIN.right;

  // Title block.
  doc.font(FONT.bold).fontSize(17).text(L.title, { width });
  doc.font(FONT.regular).fontSize(9).fillColor('#444444').text(L.subtitle, { width }).fillColor('black');
  doc.moveDown(0.6);
  const controller = report.controller === '*' ? L.allControllers : `${tenantName(report.controller)} (${report.controller})`;
  const facts: Array<[string, string]> = [
    [L.controller, controller],
    [L.person, report.personMasked],
    [L.period, formatPeriod(report.period, lang)],
    [L.reference, reference],
    ...(report.reference ? ([[L.reportId, report.id]] as Array<[string, string]>) : []),
    ...(report.caseId ? ([[L.caseId, report.caseId]] as Array<[string, string]>) : []),
    [L.generatedAt, `${formatDateTime(report.generatedAt, lang)} (Europe/Riga)`],
    [L.generatedBy, `${report.generatedBy.user} (${report.generatedBy.organization})`],
  ];
  for (const [k, v] of facts) {
    const y = doc.y;
    doc.font(FONT.bold).fontSize(10).text(`${k}:`, MARGIN.left, y, { width: 150, lineBreak: false });
    doc.font(FONT.regular).fontSize(10).text(v, MARGIN.left + 155, y, { width: width - 155 });
  }
  doc.moveDown(0.4);
  doc.font(FONT.regular).fontSize(8).text(L.signature(signatureFileName), MARGIN.left, doc.y, { width });
  doc.fontSize(7).fillColor('#555555').text(L.verify, { width }).fillColor('black');

  // Summary.
  doc.moveDown(0.8);
  heading(doc, L.summary);
  doc.font(FONT.regular).fontSize(10).text(`${L.total}: ${report.summary.total}`);
  doc.text(`${L.external}: ${report.summary.external}`);
  const orgNames = new Map(report.accesses.map((a) => [a.organization, a.organizationName]));
  const summaries: Array<[string, string, CountBy[], (k: string) => string]> = [
    [L.byOrganization, L.organization, report.summary.byOrganization, (k) => (orgNames.get(k) ? `${orgNames.get(k)} (${k})` : k)],
    [L.byApplication, L.application, report.summary.byApplication, (k) => k],
    [L.byDataCategory, L.dataCategory, report.summary.byDataCategory, (k) => dataCategoryLabel(k, lang)],
    [L.byMonth, L.month, report.summary.byMonth, (k) => formatMonth(k, lang)],
  ];
  for (const [title, keyHeader, rows, label] of summaries) {
    if (!rows.length) continue;
    doc.moveDown(0.5);
    if (doc.y + 60 > doc.page.height - MARGIN.bottom) doc.addPage();
    doc.font(FONT.bold).fontSize(10).text(title, MARGIN.left);
    doc.moveDown(0.2);
    drawTable(doc, [{ header: keyHeader, width: 330 }, { header: L.count, width: 70, align: 'right' }], rows.map((r) => [label(r.key), String(r.count)]), { fontSize: 8.5 });
  }

  // Every access: on a new page unless most of this one is still free.
  if (doc.y > doc.page.height / 3) doc.addPage();
  else doc.moveDown(1);
  heading(doc, L.accesses);
  doc.font(FONT.regular).fontSize(8).fillColor('#444444').text(L.accessesNote).fillColor('black');
  doc.moveDown(0.3);
  if (!report.accesses.length) {
    doc.font(FONT.regular).fontSize(10).text(L.none);
  } else {
    const columns: TableColumn[] = [
      { header: L.at, width: 84 },
      { header: L.user, width: 74 },
      { header: L.organization, width: 112 },
      { header: L.kind, width: 78 },
      { header: L.roles, width: 74 },
      { header: L.application, width: 44 },
      { header: L.action, width: 50 },
      { header: L.dataCategory, width: 76 },
      { header: L.purpose, width: 128 },
      { header: L.outcome, width: 50 },
    ];
    const kinds = ORGANIZATION_KIND[lang];
    const rows = report.accesses.map((a) => [
      formatDateTime(a.at, lang),
      a.user,
      a.organizationName ?? a.organization,
      kinds[a.organizationKind] ?? a.organizationKind,
      a.roles.length ? a.roles.join(', ') : L.notRecorded,
      a.application,
      a.action,
      dataCategoryLabel(a.dataCategory, lang),
      a.purpose ?? L.notRecorded,
      outcomeLabel(a.outcome, lang),
    ]);
    drawTable(doc, columns, rows, { fontSize: 7, maxLines: 2 });
  }

  // Running header (from page 2) and footer on every page, now that the page count is known.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const n = i - range.start + 1;
    if (n > 1)
      writeInMargin(doc, `${L.title} · ${reference} · ${report.personMasked} · ${formatPeriod(report.period, lang)}`, MARGIN.left, 22, { width, size: 7.5 });
    const fy = doc.page.height - MARGIN.bottom + 14;
    writeInMargin(doc, L.signature(signatureFileName), MARGIN.left, fy, { width: width - 90, size: 6.5 });
    writeInMargin(doc, L.page(n, range.count), MARGIN.left + width - 90, fy, { width: 90, size: 7.5, align: 'right' });
  }
  return pdfBytes(doc);
}

function heading(doc: PDFKit.PDFDocument, text: string) {
  doc.font(FONT.bold).fontSize(13).text(text, doc.page.margins.left);
  doc.moveDown(0.3);
}
