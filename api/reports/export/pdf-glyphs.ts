/**
 * Fast text for big tables. pdfkit's `text()` lays out every string with fontkit (shaping, kerning) and writes a
 * BT…ET block per call: about 30 µs a cell, too slow for 10,000 rows × 10 columns within the 5-second target
 * (issue 5). Table cells are written here instead from a per-character glyph cache, one BT…ET block per row:
 * glyphs come from pdfkit's own embedded font (`encode`), so the font subset, the widths and the ToUnicode map
 * (text extraction, search, copy) stay pdfkit's. No kerning in table cells; headings and prose still go through
 * `text()`.
 *
 * Relies on pdfkit's EmbeddedFont (`doc._font.encode/widthOfString/id/ref`), stable since pdfkit 0.8.
 */
interface PdfkitFont {
  id: string;
  ascender: number;
  encode(text: string): [string[], unknown[]];
  widthOfString(text: string, size: number): number;
  ref(): unknown;
}

interface Glyph {
  hex: string;
  /** Advance at size 1000. */
  width: number;
}

export interface GlyphWriter {
  /** Width of `text` in points in the current font and size. */
  width(text: string): number;
  /** Starts a row: the text operators of the cells follow until `end()`. */
  begin(): void;
  /** Writes `text` with its top-left corner at (x, y) in pdfkit coordinates (y down), in the current font/size. */
  cell(text: string, x: number, y: number): void;
  end(): void;
}

const num = (n: number) => (Math.round(n * 100) / 100).toString();

const writers = new WeakMap<PDFKit.PDFDocument, GlyphWriter>();

/** The document's writer (one glyph cache per document). */
export function glyphWriter(doc: PDFKit.PDFDocument): GlyphWriter {
  let w = writers.get(doc);
  if (!w) writers.set(doc, (w = newGlyphWriter(doc)));
  return w;
}

function newGlyphWriter(doc: PDFKit.PDFDocument): GlyphWriter {
  const d = doc as unknown as {
    _font: PdfkitFont;
    _fontSize: number;
    page: { height: number; fonts: Record<string, unknown> };
    addContent(s: string): unknown;
  };
  const byFont = new Map<string, Map<string, Glyph>>();
  let ops: string[] = [];
  let fontInOps = '';

  const glyph = (font: PdfkitFont, cache: Map<string, Glyph>, ch: string): Glyph => {
    let g = cache.get(ch);
    if (!g) {
      const [hex] = font.encode(ch);
      g = { hex: hex.join(''), width: font.widthOfString(ch, 1000) };
      cache.set(ch, g);
    }
    return g;
  };
  const cacheOf = (font: PdfkitFont) => {
    let c = byFont.get(font.id);
    if (!c) byFont.set(font.id, (c = new Map()));
    return c;
  };

  return {
    width(text) {
      const font = d._font;
      const cache = cacheOf(font);
      let w = 0;
      for (const ch of text) w += glyph(font, cache, ch).width;
      return (w * d._fontSize) / 1000;
    },
    begin() {
      ops = ['q', `1 0 0 -1 0 ${num(d.page.height)} cm`, 'BT'];
      fontInOps = '';
    },
    cell(text, x, y) {
      if (!text) return;
      const font = d._font;
      const cache = cacheOf(font);
      let hex = '';
      for (const ch of text) hex += glyph(font, cache, ch).hex;
      if (d.page.fonts[font.id] == null) d.page.fonts[font.id] = font.ref();
      const key = `${font.id}/${d._fontSize}`;
      if (key !== fontInOps) {
        ops.push(`/${font.id} ${num(d._fontSize)} Tf`);
        fontInOps = key;
      }
      const baseline = d.page.height - y - (font.ascender / 1000) * d._fontSize;
      ops.push(`1 0 0 1 ${num(x)} ${num(baseline)} Tm <${hex}> Tj`);
    },
    end() {
      ops.push('ET', 'Q');
      d.addContent(ops.join('\n'));
      ops = [];
    },
  };
}
