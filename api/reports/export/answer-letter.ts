import type { PersonAccessReport } from '../person-access.types';
import type { DocumentSigner } from '../../../pki/signer';
import type { ControllerDetails, ExportLang, SignedExport } from './export.types';
import { exportFileName } from './file-names';
import { fill, loadGdprLetterPolicy, type GdprLetterTexts } from './gdpr-letter-policy';
import { dataCategoryLabel, LABELS, ORGANIZATION_KIND } from './labels';
import { FONT, newPdf, pdfBytes, writeInMargin } from './pdf-document';
import { formatDate, formatPeriod } from './riga-time';
import { signExport } from './signed-export';

const MARGIN = { top: 56, bottom: 56, left: 62, right: 56 };
/** Longest list printed in the letter; the attached report holds everything. */
const LIST_MAX = 25;

/**
 * The answer letter to a data subject's access request (GDPR Art. 15(1)(a)–(h)), PDF in Latvian or English, signed
 * like the exports. Built from the person access report: purposes recorded with the accesses, the data categories,
 * the recipients (organisations whose users accessed the data), the sources (applications); fixed texts (retention,
 * rights, complaint to the Data State Inspectorate, …) from policies/gdpr-letter.yaml. It names the attached report
 * file (exportReport(report, 'pdf', lang)) and its own signature file.
 *
 * @example
 * const letter = await answerLetter(report, 'lv', { name: 'Rīgas valstspilsētas pašvaldība', email: 'dpo@riga.lv' }, ctx.pki.signer);
 */
export async function answerLetter(report: PersonAccessReport, lang: ExportLang, controller: ControllerDetails, signer: DocumentSigner, opts: { policyFile?: string } = {}): Promise<SignedExport> {
  if (lang !== 'lv' && lang !== 'en') throw new RangeError(`lang must be 'lv' or 'en', got ${String(lang)}`);
  if (!controller?.name?.trim()) throw new RangeError('controller.name is required');
  const T = loadGdprLetterPolicy(opts.policyFile)[lang];
  const fileName = exportFileName(report, 'access-request-answer', lang, 'pdf');
  const bytes = await renderLetter(report, lang, controller, T, `${fileName}.p7s`);
  return signExport(bytes, 'application/pdf', fileName, signer);
}

function counted(items: Array<string | undefined>): Array<[string, number]> {
  const m = new Map<string, number>();
  for (const i of items) if (i) m.set(i, (m.get(i) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

async function renderLetter(report: PersonAccessReport, lang: ExportLang, c: ControllerDetails, T: GdprLetterTexts, signatureFile: string): Promise<Buffer> {
  const reference = report.reference ?? report.id;
  const doc = newPdf({
    layout: 'portrait',
    margins: MARGIN,
    lang,
    info: { Title: `${T.title} — ${reference}`, Author: c.name, CreationDate: new Date(report.generatedAt) },
  });
  const width = doc.page.width - MARGIN.left - MARGIN.right;
  const values = {
    controller: c.name,
    person: report.personMasked,
    period: formatPeriod(report.period, lang),
    reference,
    total: report.summary.total,
    external: report.summary.external,
    organizationCount: report.summary.byOrganization.length,
    reportFile: exportFileName(report, 'person-access', lang, 'pdf'),
    date: formatDate(report.generatedAt, lang),
    signatureFile,
  };

  // Letterhead: the controller and how to reach it.
  doc.font(FONT.bold).fontSize(13).text(c.name, { width });
  doc.font(FONT.regular).fontSize(9).fillColor('#333333');
  const head = [
    c.registrationNumber && `${T.regNo} ${c.registrationNumber}`,
    c.address,
    [c.phone, c.email].filter(Boolean).join(', '),
  ].filter(Boolean) as string[];
  for (const line of head) doc.text(line, { width });
  doc.fillColor('black').moveDown(0.3);
  doc.moveTo(MARGIN.left, doc.y).lineTo(MARGIN.left + width, doc.y).lineWidth(0.6).strokeColor('#888888').stroke();
  doc.moveDown(0.8);

  doc.fontSize(10).text(`${T.date}: ${values.date}`, { width, align: 'right' });
  doc.text(`${T.reference} ${reference}`, { width, align: 'right' });
  doc.moveDown(0.8);
  doc.text(fill(T.addressee, values), { width });
  doc.moveDown(1);
  doc.font(FONT.bold).fontSize(12).text(T.title, { width });
  doc.font(FONT.regular).fontSize(10).text(fill(T.subject, values), { width });
  doc.moveDown(0.8);
  doc.text(fill(T.intro, values), { width, align: 'left' });

  const kinds = ORGANIZATION_KIND[lang];
  const orgNames = new Map(report.accesses.map((a) => [a.organization, a.organizationName]));
  const orgKinds = new Map(report.accesses.map((a) => [a.organization, a.organizationKind]));
  const lists: Record<'purposes' | 'categories' | 'recipients' | 'sources', string[]> = {
    purposes: counted(report.accesses.map((a) => a.purpose)).map(([p, n]) => `${p} (${n})`),
    categories: report.summary.byDataCategory.filter((x) => x.key).map((x) => `${dataCategoryLabel(x.key, lang)} (${x.count})`),
    recipients: report.summary.byOrganization.map((x) => {
      const name = orgNames.get(x.key);
      const kind = orgKinds.get(x.key);
      return `${name ? `${name} (${x.key})` : x.key}${kind ? ` — ${kinds[kind]}` : ''}: ${x.count}`;
    }),
    sources: report.summary.byApplication.map((x) => `${x.key} (${x.count})`),
  };
  for (const section of T.sections) {
    doc.moveDown(0.7);
    if (doc.y > doc.page.height - MARGIN.bottom - 60) doc.addPage();
    doc.font(FONT.bold).fontSize(10.5).text(section.heading, MARGIN.left, doc.y, { width });
    doc.moveDown(0.2);
    doc.font(FONT.regular).fontSize(10).text(fill(section.text, values), { width, align: 'left' });
    if (section.list === 'none') continue;
    const items = lists[section.list];
    const shown = items.length ? items.slice(0, LIST_MAX) : [LABELS[lang].notRecorded];
    if (items.length > LIST_MAX) shown.push(fill(T.more, { count: items.length - LIST_MAX }));
    doc.moveDown(0.2);
    doc.fontSize(9.5).list(shown, MARGIN.left + 10, doc.y, { width: width - 10, bulletRadius: 1.6, textIndent: 10 });
  }
  doc.moveDown(1);
  doc.font(FONT.regular).fontSize(10).text(fill(T.attachment, values), MARGIN.left, doc.y, { width });
  doc.moveDown(0.6);
  doc.text(T.closing, { width });
  if (c.dpo && (c.dpo.name || c.dpo.email || c.dpo.phone)) {
    doc.moveDown(0.4);
    doc.text(`${T.dpo}: ${[c.dpo.name, c.dpo.email, c.dpo.phone].filter(Boolean).join(', ')}`, { width });
  }
  doc.moveDown(1.2);
  doc.font(FONT.bold).text(c.name, { width });

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = doc.page.height - MARGIN.bottom + 18;
    writeInMargin(doc, fill(T.signatureNote, values), MARGIN.left, y, { width, size: 7 });
    writeInMargin(doc, LABELS[lang].page(i - range.start + 1, range.count), MARGIN.left, y + 11, { width, size: 7.5, align: 'right' });
  }
  return pdfBytes(doc);
}
