import { FONT } from './pdf-document';
import { glyphWriter, type GlyphWriter } from './pdf-glyphs';

export interface TableColumn {
  header: string;
  /** Points. */
  width: number;
  align?: 'left' | 'right';
}

export interface TableOptions {
  fontSize: number;
  /** Lines a cell may wrap to before it is cut with '…' (the CSV and JSON exports hold every value in full). */
  maxLines?: number;
  /** Called after pdfkit adds a page for the table's continuation (before the header row is repeated). */
  onPageAdded?: () => void;
}

const PAD_X = 2.5;
const PAD_Y = 2;

/**
 * Draws a table from the current position: a bold header row on a grey band, repeated at the top of every page the
 * table continues on; rows never split across pages; long cells wrap (up to `maxLines`) and are cut with '…'.
 * Leaves `doc.y` below the table.
 */
export function drawTable(doc: PDFKit.PDFDocument, columns: TableColumn[], rows: string[][], opts: TableOptions): void {
  const x0 = doc.page.margins.left;
  const lineHeight = opts.fontSize * 1.22;
  const maxLines = opts.maxLines ?? 2;
  const totalWidth = columns.reduce((s, c) => s + c.width, 0);
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const glyphs = glyphWriter(doc);

  const wrapCache = new Map<string, string[]>();
  const wrap = (text: string, width: number, bold: boolean): string[] => {
    const key = `${bold ? 1 : 0}|${width}|${text}`;
    const hit = wrapCache.get(key);
    if (hit) return hit;
    const lines = wrapText(glyphs, text.normalize('NFC'), width - 2 * PAD_X, maxLines);
    if (wrapCache.size < 20_000) wrapCache.set(key, lines);
    return lines;
  };

  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? FONT.bold : FONT.regular).fontSize(opts.fontSize);
    const wrapped = cells.map((c, i) => wrap(c ?? '', columns[i].width, bold));
    const height = Math.max(1, ...wrapped.map((l) => l.length)) * lineHeight + 2 * PAD_Y;
    return { wrapped, height };
  };

  const paint = (row: { wrapped: string[][]; height: number }, bold: boolean, shade?: string) => {
    const y = doc.y;
    if (shade) doc.rect(x0, y, totalWidth, row.height).fill(shade).fillColor('black');
    doc.font(bold ? FONT.bold : FONT.regular).fontSize(opts.fontSize);
    glyphs.begin();
    let x = x0;
    row.wrapped.forEach((lines, i) => {
      const col = columns[i];
      lines.forEach((line, li) => {
        const dx = col.align === 'right' ? col.width - PAD_X - glyphs.width(line) : PAD_X;
        glyphs.cell(line, x + dx, y + PAD_Y + li * lineHeight);
      });
      x += col.width;
    });
    glyphs.end();
    doc.moveTo(x0, y + row.height).lineTo(x0 + totalWidth, y + row.height).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
    doc.y = y + row.height;
    doc.x = x0;
  };

  const header = drawRow(columns.map((c) => c.header), true);
  const paintHeader = () => paint(header, true, '#e4e8ee');
  if (doc.y + header.height + lineHeight > bottom()) newPage();
  paintHeader();
  for (const cells of rows) {
    const row = drawRow(cells, false);
    if (doc.y + row.height > bottom()) {
      newPage();
      paintHeader();
    }
    paint(row, false);
  }
  doc.x = x0;

  function newPage() {
    doc.addPage();
    opts.onPageAdded?.();
  }
}

/** Word-wraps `text` to `width` points with the writer's current font, at most `maxLines` lines, the last cut with '…'. */
export function wrapText(g: GlyphWriter, text: string, width: number, maxLines: number): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean === '' || g.width(clean) <= width) return [clean];
  const words = clean.split(' ');
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < words.length; i++) {
    let word = words[i];
    const candidate = line ? `${line} ${word}` : word;
    if (g.width(candidate) <= width) {
      line = candidate;
      continue;
    }
    if (line) {
      lines.push(line);
      line = '';
    }
    // A word wider than the column (ids, e-mail addresses) is broken inside.
    while (g.width(word) > width && lines.length < maxLines) {
      const cut = fitPrefix(g, word, width);
      lines.push(word.slice(0, cut));
      word = word.slice(cut);
    }
    if (lines.length >= maxLines) {
      lines.length = maxLines;
      lines[maxLines - 1] = ellipsize(g, `${lines[maxLines - 1]} ${[word, ...words.slice(i + 1)].join(' ')}`, width);
      return lines;
    }
    line = word;
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    const rest = lines.slice(maxLines - 1).join(' ');
    lines.length = maxLines - 1;
    lines.push(ellipsize(g, rest, width));
  }
  return lines;
}

function fitPrefix(g: GlyphWriter, s: string, width: number): number {
  let lo = 1;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (g.width(s.slice(0, mid)) <= width) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(1, lo);
}

function ellipsize(g: GlyphWriter, s: string, width: number): string {
  if (g.width(s) <= width) return s;
  return `${s.slice(0, fitPrefix(g, s, width - g.width('…'))).trimEnd()}…`;
}
