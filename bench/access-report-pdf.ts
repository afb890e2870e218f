/**
 * bench/access-report-pdf — issue 5's export figure without Elasticsearch: the signed PDF of a person access report
 * with 10,000 accesses (target: under 5 s), in Latvian and English, signed with a platform PKI made in a temporary
 * data dir (as GET /api/v1/reports/{id}.pdf does), against two peers measured in the same run:
 *   - the signed CSV export of the same report (the cheapest signed export);
 *   - the same access table drawn with pdfkit's own text() per cell (the straightforward way, on 2,000 rows,
 *     scaled to 10,000), which the table writer (api/reports/export/pdf-glyphs.ts) replaces.
 *
 *   npm run build && node dist/bench/access-report-pdf.js [accesses=10000] [rounds=3]
 *
 * bench/access-report (the full report over Elasticsearch) uses exportReport the same way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createSecretBox } from '../core/secret-box';
import { createDocumentSigner } from '../pki/document-signer';
import { exportReport } from '../api/reports/export';
import { FONT, newPdf, pdfBytes } from '../api/reports/export/pdf-document';
import { sampleReport } from '../api/reports/export/testing/sample-report';
import { formatDateTime } from '../api/reports/export/riga-time';
import { randomBytes } from 'node:crypto';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The access table the straightforward way: pdfkit text() with a width per cell (line wrapping, kerning). */
async function naiveTablePdf(rows: string[][]): Promise<Buffer> {
  const doc = newPdf({ layout: 'landscape', margins: { top: 46, bottom: 40, left: 36, right: 36 }, lang: 'lv', info: { Title: 'peer', CreationDate: new Date() } });
  const widths = [84, 74, 112, 78, 74, 44, 50, 76, 128, 50];
  doc.font(FONT.regular).fontSize(7);
  for (const r of rows) {
    if (doc.y + 20 > doc.page.height - 40) doc.addPage();
    const y = doc.y;
    let x = 36;
    let h = 0;
    r.forEach((cell, i) => {
      doc.text(cell, x + 2.5, y + 2, { width: widths[i] - 5, height: 18, ellipsis: true });
      h = Math.max(h, doc.y - y);
      x += widths[i];
    });
    doc.y = y + h + 2;
  }
  return pdfBytes(doc);
}

/** Signed PDF of `report`: time and size (bench/access-report may call this). */
export async function measurePdfExport(report: ReturnType<typeof sampleReport>, signer: ReturnType<typeof createDocumentSigner>, lang: 'lv' | 'en') {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await exportReport(report, 'pdf', lang, signer);
  const c = process.cpuUsage(c0);
  return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, bytes: out.bytes.length, signatureBytes: out.signature.bytes.length };
}

async function main() {
  const n = Number(process.argv[2] ?? 10_000);
  const rounds = Number(process.argv[3] ?? 3);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-bench-pdf-'));
  try {
    const signer = createDocumentSigner({ dataDir, secretBox: createSecretBox(randomBytes(32)) });
    await signer.caCertificate(); // make the platform CA before timing
    const report = sampleReport(n);
    await exportReport(sampleReport(50), 'pdf', 'lv', signer); // load the fonts once, as a running server has

    const results: Record<string, number[]> = { lv: [], en: [], csv: [], cpu: [] };
    let size = 0;
    for (let r = 0; r < rounds; r++) {
      for (const lang of ['lv', 'en'] as const) {
        const m = await measurePdfExport(report, signer, lang);
        results[lang].push(m.ms);
        results.cpu.push(m.cpuMs);
        size = m.bytes;
      }
      const t0 = performance.now();
      await exportReport(report, 'csv', 'lv', signer);
      results.csv.push(performance.now() - t0);
    }
    const peerRows = Math.min(2_000, n);
    const rows = report.accesses.slice(0, peerRows).map((a) => [formatDateTime(a.at, 'lv'), a.user, a.organizationName ?? a.organization, a.organizationKind, a.roles.join(', '), a.application, a.action, a.dataCategory ?? '', a.purpose ?? '', a.outcome ?? '']);
    const t0 = performance.now();
    await naiveTablePdf(rows);
    const naiveScaled = ((performance.now() - t0) * n) / peerRows;

    const lv = median(results.lv);
    const en = median(results.en);
    const csv = median(results.csv);
    console.log(`access report PDF, ${n.toLocaleString('en')} accesses, signed (median of ${rounds}; ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}):`);
    console.log(`  PDF lv            ${lv.toFixed(0).padStart(6)} ms   (${(size / 1024 / 1024).toFixed(2)} MB)   target < 5000 ms: ${lv < 5000 ? 'met' : 'NOT met'}`);
    console.log(`  PDF en            ${en.toFixed(0).padStart(6)} ms   target < 5000 ms: ${en < 5000 ? 'met' : 'NOT met'}`);
    console.log(`  CPU time per PDF  ${median(results.cpu).toFixed(0).padStart(6)} ms   (wall time above includes waiting for a core)`);
    console.log(`  peer: CSV signed  ${csv.toFixed(0).padStart(6)} ms   PDF/CSV ratio ${(lv / csv).toFixed(1)}`);
    console.log(`  peer: pdfkit text() per cell, ${peerRows} rows scaled to ${n}: ${naiveScaled.toFixed(0)} ms   ratio ${(naiveScaled / lv).toFixed(1)}x slower than the export`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
