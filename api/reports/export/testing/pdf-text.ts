import { inflateSync } from 'node:zlib';

/**
 * Text of a PDF made by pdfkit, page by page, for tests (no pdftotext on the build machine). Reads every object,
 * inflates FlateDecode streams, maps each font resource to its ToUnicode CMap and decodes the show-text operators
 * (Tj, TJ) of each page's content; runs on one baseline make a line, lines top to bottom, runs left to right.
 * Only what pdfkit writes is supported (2-byte CIDs, direct /Length, one content stream per page).
 */
export interface PdfText {
  pages: string[][];
  /** Every line of every page, joined with '\n'. */
  text: string;
  /** The document information dictionary entries that are literal strings (Title, Author, …), raw. */
  info: string;
}

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

export function pdfText(pdf: Buffer): PdfText {
  const objects = readObjects(pdf);
  const cmaps = new Map<string, Map<string, string>>(); // font resource name -> cid hex -> text
  const pages: string[][] = [];
  const pageOrder = pageOrderOf(objects);
  for (const id of pageOrder) {
    const page = objects.get(id)!;
    const fonts = fontResources(page, objects);
    for (const [name, fontId] of fonts) {
      if (cmaps.has(`${name}@${fontId}`)) continue;
      const font = objects.get(fontId);
      const tu = /\/ToUnicode\s+(\d+)\s+0\s+R/.exec(font?.dict ?? '');
      const stream = tu ? objects.get(tu[1])?.stream : undefined;
      cmaps.set(`${name}@${fontId}`, stream ? parseCmap(stream.toString('latin1')) : new Map());
    }
    const contents = /\/Contents\s+(\d+)\s+0\s+R/.exec(page.dict);
    const content = contents ? objects.get(contents[1])?.stream?.toString('latin1') ?? '' : '';
    const lookup = new Map([...fonts].map(([name, fontId]) => [name, cmaps.get(`${name}@${fontId}`)!]));
    pages.push(pageLines(content, lookup));
  }
  const infoRef = /\/Info\s+(\d+)\s+0\s+R/.exec(pdf.toString('latin1'));
  return { pages, text: pages.map((p) => p.join('\n')).join('\n'), info: infoRef ? objects.get(infoRef[1])?.dict ?? '' : '' };
}

function readObjects(pdf: Buffer): Map<string, PdfObject> {
  const s = pdf.toString('latin1');
  const out = new Map<string, PdfObject>();
  const re = /(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const start = m.index + m[0].length;
    const end = s.indexOf('endobj', start);
    const body = s.slice(start, end);
    const si = body.indexOf('stream');
    if (si >= 0 && /\/Length\s+(\d+)/.test(body.slice(0, si))) {
      const len = Number(/\/Length\s+(\d+)/.exec(body.slice(0, si))![1]);
      let dataStart = start + si + 'stream'.length;
      if (s[dataStart] === '\r') dataStart++;
      if (s[dataStart] === '\n') dataStart++;
      let data = pdf.subarray(dataStart, dataStart + len);
      if (/\/Filter\s*\/FlateDecode/.test(body.slice(0, si))) data = inflateSync(data);
      out.set(m[1], { dict: body.slice(0, si), stream: data });
    } else {
      out.set(m[1], { dict: body });
    }
    re.lastIndex = end;
  }
  return out;
}

function pageOrderOf(objects: Map<string, PdfObject>): string[] {
  const root = [...objects.values()].find((o) => /\/Type\s*\/Pages\b/.test(o.dict) && !/\/Parent/.test(o.dict));
  const kids = (o: PdfObject | undefined): string[] => {
    const k = /\/Kids\s*\[([^\]]*)\]/.exec(o?.dict ?? '');
    if (!k) return [];
    return [...k[1].matchAll(/(\d+)\s+0\s+R/g)].flatMap(([, id]) => (/\/Type\s*\/Pages\b/.test(objects.get(id)?.dict ?? '') ? kids(objects.get(id)) : [id]));
  };
  return kids(root);
}

function fontResources(page: PdfObject, objects: Map<string, PdfObject>): Map<string, string> {
  let res = page.dict;
  const ref = /\/Resources\s+(\d+)\s+0\s+R/.exec(page.dict);
  if (ref) res = objects.get(ref[1])?.dict ?? '';
  const fontDict = /\/Font\s*<<([\s\S]*?)>>/.exec(res);
  const out = new Map<string, string>();
  if (fontDict) for (const [, name, id] of fontDict[1].matchAll(/\/([\w.+-]+)\s+(\d+)\s+0\s+R/g)) out.set(name, id);
  return out;
}

function utf16be(hex: string): string {
  let s = '';
  for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return s;
}

function parseCmap(text: string): Map<string, string> {
  const map = new Map<string, string>();
  const pad = (n: number) => n.toString(16).padStart(4, '0');
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const [, src, dst] of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F\s]+)>/g)) map.set(src.toLowerCase().padStart(4, '0'), utf16be(dst.replace(/\s+/g, '')));
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, rest] of block[1].matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const a = parseInt(lo, 16);
      const b = parseInt(hi, 16);
      if (rest.startsWith('[')) {
        // A destination may hold several UTF-16 units separated by spaces (ligatures: <0066 0069> is 'fi').
        const dsts = [...rest.matchAll(/<([0-9a-fA-F\s]+)>/g)].map((x) => x[1].replace(/\s+/g, ''));
        for (let c = a; c <= b; c++) map.set(pad(c), utf16be(dsts[c - a] ?? ''));
      } else {
        const base = parseInt(rest.slice(1, -1), 16);
        for (let c = a; c <= b; c++) map.set(pad(c), String.fromCharCode(base + c - a));
      }
    }
  }
  return map;
}

function pageLines(content: string, fonts: Map<string, Map<string, string>>): string[] {
  const runs: Array<{ x: number; y: number; text: string }> = [];
  let cmap = new Map<string, string>();
  let x = 0;
  let y = 0;
  const decode = (hex: string) => {
    let s = '';
    for (let i = 0; i + 4 <= hex.length; i += 4) s += cmap.get(hex.slice(i, i + 4).toLowerCase()) ?? '\ufffd';
    return s;
  };
  const re = /\/([\w.+-]+)\s+[\d.]+\s+Tf|([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+Tm|<([0-9a-fA-F]*)>\s*Tj|\[([^\]]*)\]\s*TJ/g;
  for (const m of content.matchAll(re)) {
    if (m[1]) cmap = fonts.get(m[1]) ?? new Map();
    else if (m[2] !== undefined) {
      x = Number(m[6]);
      y = Number(m[7]);
    } else if (m[8] !== undefined) runs.push({ x, y, text: decode(m[8]) });
    else if (m[9] !== undefined) runs.push({ x, y, text: [...m[9].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => decode(h[1])).join('') });
  }
  const lines = new Map<number, Array<{ x: number; text: string }>>();
  for (const r of runs) {
    const key = Math.round(r.y);
    const line = lines.get(key) ?? [];
    line.push({ x: r.x, text: r.text });
    lines.set(key, line);
  }
  return [...lines.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([, l]) =>
      l
        .sort((a, b) => a.x - b.x)
        .map((r) => r.text)
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    .filter(Boolean);
}
