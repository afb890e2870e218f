import { issueRootCa, issueSigningCertificate } from '../../../pki/issue-certificates';
import { signDetached } from '../../../pki/cms-sign';
import type { DocumentSigner } from '../../../pki/signer';
import { flipOneByte, opensslVerify } from '../../../pki/testing/openssl';
import { exportReport } from './index';
import { csvField } from './report-csv';
import { pdfText } from './testing/pdf-text';
import { sampleReport } from './testing/sample-report';

jest.setTimeout(180_000);

let signer: DocumentSigner;
let caPem: string;

beforeAll(async () => {
  const ca = await issueRootCa({ organization: 'Sargs Test' });
  const signing = await issueSigningCertificate({ ca, organization: 'Sargs Test' });
  caPem = ca.certificate;
  signer = {
    sign: async (content, o) => signDetached(content, { certificate: signing.certificate, chain: [ca.certificate], key: signing.key }, o?.signingTime),
    certificates: async () => signing.certificate + ca.certificate,
    caCertificate: async () => ca.certificate,
    inventory: async () => [],
  };
});

/** Riga wall-clock time written out independently of riga-time.ts: EEST (+3) from 29.03.2026 01:00 UTC to 25.10.2026 01:00 UTC. */
const riga = (iso: string) => {
  const t = Date.parse(iso);
  const d = new Date(t + (t >= Date.parse('2026-03-29T01:00:00Z') && t < Date.parse('2026-10-25T01:00:00Z') ? 3 : 2) * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}.${p(d.getUTCMonth() + 1)}.${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};

const LATVIAN = ['ā', 'č', 'ē', 'ģ', 'ī', 'ķ', 'ļ', 'ņ', 'š', 'ū', 'ž'];

describe('PDF export', () => {
  it('in Latvian: title, controller, masked code, period DD.MM.YYYY, reference, generated-at (Riga), signature file, summary', async () => {
    const report = sampleReport(120);
    const out = await exportReport(report, 'pdf', 'lv', signer);
    expect(out.contentType).toBe('application/pdf');
    expect(out.fileName).toBe('person-access-DPO-2026-17-2026-11-30.lv.pdf');
    expect(out.signature.fileName).toBe('person-access-DPO-2026-17-2026-11-30.lv.pdf.p7s');
    expect(out.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const { pages, text } = pdfText(out.bytes);
    const first = pages[0].join('\n');
    expect(first).toContain('Pārskats par piekļuvi personas datiem');
    expect(first).toContain('Pārzinis: Rīgas valstspilsēta (riga)');
    expect(first).toContain('Personas kods: 010190-*****');
    expect(first).toContain('Periods: 01.01.2026 – 31.12.2026');
    expect(first).toContain('Pieprasījuma numurs: DPO-2026/17');
    expect(first).toContain('Sagatavots: 30.11.2026 14:34:56 (Europe/Riga)'); // 12:34:56 UTC, EET (+2) in November
    expect(first).toContain(`Paraksts: ${out.signature.fileName}`);
    expect(first).toContain('SHA-256');
    expect(text).toContain('Kopsavilkums');
    expect(text).toContain('Piekļuves kopā: 120');
    expect(report.summary.external).toBe(72);
    expect(text).toContain('No tām citu pašvaldību un valsts iestāžu lietotāji: 72');
    for (const heading of ['Pa organizācijām', 'Pa lietotnēm', 'Pa datu kategorijām', 'Pa mēnešiem']) expect(text).toContain(heading);
    expect(text).toContain('Ķekavas novads (kekavas-novads) 24');
    expect(text).toMatch(/dzīvesvieta \d+/);
    expect(text).toContain('12.2026');
    // Every Latvian letter renders as itself (DejaVu glyphs with a ToUnicode map, not '?' or a fallback).
    for (const ch of LATVIAN) expect(text).toContain(ch);
    expect(text).toContain('ģirts.šūmanis');
    expect(text).not.toContain('\ufffd');
  });

  it('in English: the same facts with English labels, ISO dates', async () => {
    const out = await exportReport(sampleReport(30), 'pdf', 'en', signer);
    expect(out.fileName).toBe('person-access-DPO-2026-17-2026-11-30.en.pdf');
    const { text } = pdfText(out.bytes);
    expect(text).toContain('Report on access to personal data');
    expect(text).toContain('Controller: Rīgas valstspilsēta (riga)');
    expect(text).toContain('Personal code: 010190-*****');
    expect(text).toContain('Period: 2026-01-01 – 2026-12-31');
    expect(text).toContain('Request reference: DPO-2026/17');
    expect(text).toContain('Generated at: 2026-11-30 14:34:56 (Europe/Riga)');
    expect(text).toContain(`Signature: ${out.signature.fileName}`);
    expect(text).toContain('By organisation');
    expect(text).toContain('All accesses');
    expect(text).toContain('other municipality');
    expect(text).toContain('state institution');
    expect(text).toMatch(/Page 1 of \d+/);
  });

  it('lists every access in a paginated table: header repeated on each page, page n of m, newest first', async () => {
    const report = sampleReport(600);
    const out = await exportReport(report, 'pdf', 'lv', signer);
    const { pages } = pdfText(out.bytes);
    expect(pages.length).toBeGreaterThan(8);
    pages.forEach((lines, i) => expect(lines).toContain(`${i + 1}. lapa no ${pages.length}`));
    const tablePages = pages.filter((lines) => lines.some((l) => /^\d\d\.\d\d\.2026 \d\d:\d\d:\d\d /.test(l)));
    expect(tablePages.length).toBeGreaterThan(8);
    for (const lines of tablePages) expect(lines.some((l) => l.startsWith('Laiks Lietotājs Organizācija Piederība Lomas Lietotne Darbība'))).toBe(true);
    // Running header from page 2 on.
    for (const lines of pages.slice(1)) expect(lines[0]).toContain('DPO-2026/17 · 010190-*****');
    // Every access appears once, in the report's order (its Riga time starts a row).
    const times = pages.flat().map((l) => /^(\d\d\.\d\d\.2026 \d\d:\d\d:\d\d) /.exec(l)?.[1]).filter(Boolean);
    expect(times).toHaveLength(600);
    expect(times).toEqual(report.accesses.map((a) => riga(a.at)));
  });

  it('says so when nothing was accessed', async () => {
    const out = await exportReport(sampleReport(0), 'pdf', 'lv', signer);
    expect(pdfText(out.bytes).text).toContain('Periodā nav reģistrēta neviena piekļuve.');
  });
});

describe('CSV export', () => {
  it('is RFC 4180 with a header row, UTF-8 with a BOM, CRLF line ends, one row per access', async () => {
    const report = sampleReport(25);
    const out = await exportReport(report, 'csv', 'lv', signer);
    expect(out.contentType).toBe('text/csv; charset=utf-8');
    expect(out.fileName).toBe('person-access-DPO-2026-17-2026-11-30.lv.csv');
    expect([...out.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = out.bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.slice(0, -2).split('\r\n');
    expect(lines).toHaveLength(26);
    expect(lines[0]).toBe(
      'Laiks (Rīga),Laiks (UTC),Lietotājs,Organizācija,Organizācijas nosaukums,Piederība,Lomas,Lietotne,Darbība,Datu kategorija,Datu kategorijas nosaukums,Mērķis / tiesiskais pamats,Rezultāts,Žurnāls,Notikuma ID',
    );
    const a = report.accesses[0];
    expect(lines[1].startsWith(`${riga(a.at)},${a.at},`)).toBe(true);
    expect(lines[1]).toContain(`,${a.at},jānis.bērziņš,riga,Rīgas valstspilsēta,pārziņa,sociālais darbinieks,`);
    // A purpose with a comma is quoted.
    expect(text).toContain('"Sociālās palīdzības lieta SD-2026/0412 — pabalsta piešķiršana (Sociālo pakalpojumu un sociālās palīdzības likums, 35. pants)"');
  });

  it('English headers', async () => {
    const out = await exportReport(sampleReport(2), 'csv', 'en', signer);
    expect(out.bytes.toString('utf8').slice(1).split('\r\n')[0]).toBe(
      'Time (Riga),Time (UTC),User,Organisation,Organisation name,Affiliation,Roles,Application,Action,Data category,Data category name,Purpose / legal basis,Outcome,Log,Event id',
    );
  });

  it('quotes per RFC 4180 and defuses spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});

describe('JSON export', () => {
  it('holds the report unchanged under a format name and version', async () => {
    const report = sampleReport(5);
    const out = await exportReport(report, 'json', 'en', signer);
    expect(out.contentType).toBe('application/json');
    expect(out.fileName).toBe('person-access-DPO-2026-17-2026-11-30.json');
    expect(JSON.parse(out.bytes.toString('utf8'))).toEqual({ format: 'sargs.person-access-report', version: 1, lang: 'en', report });
  });
});

describe('every export is signed', () => {
  it.each(['pdf', 'csv', 'json'] as const)('%s: openssl cms -verify accepts its .p7s, and fails after one byte changes', async (format) => {
    const out = await exportReport(sampleReport(40), format, 'lv', signer);
    expect(out.signature.contentType).toBe('application/pkcs7-signature');
    expect(out.sha256).toMatch(/^[0-9a-f]{64}$/);
    const ok = opensslVerify(out.bytes, out.signature.bytes, caPem);
    expect(ok.stderr).toContain('Verification successful');
    expect(opensslVerify(flipOneByte(out.bytes), out.signature.bytes, caPem).ok).toBe(false);
    expect(opensslVerify(flipOneByte(out.bytes, out.bytes.length - 1), out.signature.bytes, caPem).ok).toBe(false);
  });

  it('refuses an unknown format or language', async () => {
    await expect(exportReport(sampleReport(1), 'xml' as never, 'lv', signer)).rejects.toThrow(/format must be pdf, csv or json/);
    await expect(exportReport(sampleReport(1), 'pdf', 'de' as never, signer)).rejects.toThrow(/lang must be 'lv' or 'en'/);
  });
});
