import PDFDocument from 'pdfkit';
import { glyphWriter } from './pdf-glyphs';

/** DejaVu Sans: every Latvian letter (ā č ē ģ ī ķ ļ ņ š ū ž and capitals); the PDF's 14 standard fonts have none. */
const FONT_FILES = {
  regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

export const FONT = { regular: 'sargs-regular', bold: 'sargs-bold' } as const;

/**
 * A new PDF document with the DejaVu fonts registered (embedded as subsets) and every page kept until the end, so
 * running headers and "page n of m" footers are written once the page count is known.
 */
export function newPdf(opts: {
  layout: 'portrait' | 'landscape';
  margins: { top: number; bottom: number; left: number; right: number };
  info: { Title: string; Subject?: string; Author?: string; CreationDate: Date; Keywords?: string };
  lang: 'lv' | 'en';
}): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: 'A4',
    layout: opts.layout,
    margins: opts.margins,
    bufferPages: true,
    autoFirstPage: true,
    lang: opts.lang === 'lv' ? 'lv-LV' : 'en-GB',
    displayTitle: true,
    info: { Creator: 'Sargs', Producer: 'Sargs (pdfkit)', ModDate: opts.info.CreationDate, ...opts.info },
  } as PDFKit.PDFDocumentOptions);
  doc.registerFont(FONT.regular, FONT_FILES.regular);
  doc.registerFont(FONT.bold, FONT_FILES.bold);
  doc.font(FONT.regular);
  return doc;
}

/** Ends the document and collects its bytes. */
export function pdfBytes(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}

/** Writes `text` in the page's margin area (running header, footer). */
export function writeInMargin(doc: PDFKit.PDFDocument, text: string, x: number, y: number, opts: { width: number; align?: 'left' | 'right' | 'center'; size: number; bold?: boolean }) {
  // One line, never wrapped, written with the table's glyph writer (pdfkit's text() would lay it out again on each
  // of a few hundred pages); outside the margins pdfkit starts no new page for it.
  doc.font(opts.bold ? FONT.bold : FONT.regular).fontSize(opts.size).fillColor('#444444');
  const glyphs = glyphWriter(doc);
  const w = glyphs.width(text);
  const dx = opts.align === 'right' ? opts.width - w : opts.align === 'center' ? (opts.width - w) / 2 : 0;
  glyphs.begin();
  glyphs.cell(text.normalize('NFC'), x + dx, y);
  glyphs.end();
  doc.fillColor('black');
}
