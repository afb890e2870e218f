import path from 'node:path';
import PDFDocument from 'pdfkit';
import { rigaText } from './clock-rules';
import type { Notice, Sending } from './incident.types';

/** DejaVu Sans (dejavu-fonts-ttf) has every Latvian glyph (ā č ē ģ ī ķ ļ ņ š ū ž); pdfkit's built-in Helvetica has not. */
function fontFile(bold: boolean): string {
  return path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', bold ? 'DejaVuSans-Bold.ttf' : 'DejaVuSans.ttf');
}

const LABELS = {
  lv: { notice: 'Paziņojums', incident: 'Incidents', status: 'Statuss', hash: 'Satura SHA-256', sent: 'Nosūtīts', to: 'Kam', by: 'Kas', channel: 'Kanāls', reviewed: 'Pārskatīja', none: 'nav' },
  en: { notice: 'Notice', incident: 'Incident', status: 'Status', hash: 'Content SHA-256', sent: 'Sent', to: 'To', by: 'By', channel: 'Channel', reviewed: 'Reviewed by', none: 'none' },
} as const;

/**
 * A notice as a PDF (A4, DejaVu Sans), with its content hash and every recorded sending, times in Riga time.
 * @example res.type('application/pdf').send(await noticePdf(notice, sendings))
 */
export function noticePdf(notice: Notice, sendings: Sending[]): Promise<Buffer> {
  const l = LABELS[notice.lang];
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: notice.content.subject, Author: 'Sargs', Subject: `${notice.kind} ${notice.incidentId}` } });
  doc.registerFont('body', fontFile(false));
  doc.registerFont('bold', fontFile(true));
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('bold').fontSize(15).text(notice.content.subject);
  doc.moveDown(0.5);
  doc.font('body').fontSize(9).fillColor('#444')
    .text(`${l.notice}: ${notice.id} · ${notice.kind} · ${l.incident}: ${notice.incidentId} · ${l.status}: ${notice.status}`)
    .text(`${l.reviewed}: ${notice.reviewedBy ? `${notice.reviewedBy}, ${rigaText(notice.reviewedAt!)}` : l.none}`)
    .text(`${l.hash}: ${notice.contentHash}`);
  doc.fillColor('#000');
  for (const s of notice.content.sections) {
    doc.moveDown(0.8);
    doc.font('bold').fontSize(11).text(s.heading);
    doc.font('body').fontSize(10.5).text(s.text || '—');
  }
  if (sendings.length) {
    doc.moveDown(1.2);
    doc.font('bold').fontSize(11).text(l.sent);
    for (const s of sendings) {
      doc.font('body').fontSize(9).text(`${rigaText(s.deliveredAt ?? s.sentAt)} · ${l.by}: ${s.sentBy} · ${l.to}: ${s.recipients.join(', ')} · ${l.channel}: ${s.channel} · ${s.state} · SHA-256 ${s.contentHash}`);
    }
  }
  doc.end();
  return done;
}
