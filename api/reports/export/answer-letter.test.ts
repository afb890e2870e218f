import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueRootCa, issueSigningCertificate } from '../../../pki/issue-certificates';
import { signDetached } from '../../../pki/cms-sign';
import type { DocumentSigner } from '../../../pki/signer';
import { flipOneByte, opensslVerify } from '../../../pki/testing/openssl';
import { answerLetter, controllerDetails } from './index';
import { defaultGdprLetterFile } from './gdpr-letter-policy';
import { pdfText } from './testing/pdf-text';
import { sampleReport } from './testing/sample-report';

jest.setTimeout(180_000);

let signer: DocumentSigner;
let caPem: string;
const controller = {
  name: 'Rīgas valstspilsētas pašvaldība',
  registrationNumber: '90011524360',
  address: 'Rātslaukums 1, Rīga, LV-1539',
  email: 'dome@riga.lv',
  dpo: { name: 'Dace Liepiņa', email: 'dpo@riga.lv' },
};

beforeAll(async () => {
  const ca = await issueRootCa({ organization: 'Sargs Test' });
  const signing = await issueSigningCertificate({ ca, organization: 'Sargs Test' });
  caPem = ca.certificate;
  signer = {
    sign: async (content) => signDetached(content, { certificate: signing.certificate, chain: [ca.certificate], key: signing.key }),
    certificates: async () => signing.certificate + ca.certificate,
    caCertificate: async () => ca.certificate,
    inventory: async () => [],
  };
});

/** The letter's text on one line per paragraph-ish: PDF lines joined with spaces. */
const flat = (pdf: Buffer) => pdfText(pdf).text.replace(/\s+/g, ' ');

describe('answer letter to an access request (GDPR Art. 15(1))', () => {
  it('in Latvian: controller, reference, masked code, period, and every Art. 15(1) item from the report', async () => {
    const report = sampleReport(200);
    const letter = await answerLetter(report, 'lv', controller, signer);
    expect(letter.fileName).toBe('access-request-answer-DPO-2026-17-2026-11-30.lv.pdf');
    expect(letter.contentType).toBe('application/pdf');
    const text = flat(letter.bytes);
    expect(text).toContain('Rīgas valstspilsētas pašvaldība');
    expect(text).toContain('Reģ. Nr. 90011524360');
    expect(text).toContain('Datums: 30.11.2026');
    expect(text).toContain('Mūsu Nr. DPO-2026/17');
    expect(text).toContain('Datu subjektam (personas kods 010190-*****)');
    expect(text).toContain('laikposmā 01.01.2026 – 31.12.2026');
    expect(text).toContain('piekļuva 200 reizes, no tām 120 reizes citu pašvaldību vai valsts iestāžu lietotāji (5 organizācijas)');
    // (a) purposes recorded with the accesses
    expect(text).toContain('Apstrādes nolūki');
    expect(text).toContain('Dzīvesvietas deklarācijas pārbaude (50)');
    // (b) categories
    expect(text).toContain('dzīvesvieta (67)');
    // (c) recipients: the organisations that accessed, with their affiliation
    expect(text).toContain('Ķekavas novads (kekavas-novads) — cita pašvaldība: 40');
    expect(text).toContain('Valsts ieņēmumu dienests (vid) — valsts iestāde: 40');
    // (d) retention, (e) rights, (f) complaint to DVI, (g) source, (h) automated decisions
    expect(text).toContain('Glabāšanas laiks');
    expect(text).toMatch(/labo neprecīzus personas datus \(16\. pants\), dzēš tos \(17\. pants\) vai ierobežo to apstrādi \(18\. pants\), kā arī tiesības iebilst/);
    expect(text).toContain('Datu valsts inspekcijai');
    expect(text).toContain('Datu avots');
    expect(text).toContain('SOPA (34)');
    expect(text).toContain('Automatizēta lēmumu pieņemšana');
    // (the file name may wrap after a hyphen)
    expect(text).toMatch(/Pielikumā: pārskats par piekļuvi personas datiem \(person-access- ?DPO-2026-17-2026-11-30\.lv\.pdf\)/);
    expect(text).toContain('Datu aizsardzības speciālists: Dace Liepiņa, dpo@riga.lv');
    expect(text).toContain(`(${letter.signature.fileName})`);
    expect(text).toMatch(/1\. lapa no \d/);
  });

  it('in English', async () => {
    const letter = await answerLetter(sampleReport(20), 'en', controller, signer);
    const text = flat(letter.bytes);
    expect(text).toContain('Answer to a request for access to personal data');
    expect(text).toContain('To the data subject (personal code 010190-*****)');
    expect(text).toContain('in the period 2026-01-01 – 2026-12-31');
    expect(text).toContain('Recipients (point (c))');
    expect(text).toContain('Data State Inspectorate');
    expect(text).toContain('Right to lodge a complaint');
    expect(text).toContain('rectify');
    expect(text).toContain('object to the processing');
  });

  it('is signed: openssl cms -verify accepts it and fails after one byte changes', async () => {
    const letter = await answerLetter(sampleReport(10), 'lv', controller, signer);
    expect(opensslVerify(letter.bytes, letter.signature.bytes, caPem).ok).toBe(true);
    expect(opensslVerify(flipOneByte(letter.bytes), letter.signature.bytes, caPem).ok).toBe(false);
  });

  it('takes its wording from the policy file a DPO edits', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-letter-'));
    const file = path.join(dir, 'gdpr-letter.yaml');
    fs.writeFileSync(file, fs.readFileSync(defaultGdprLetterFile(), 'utf8').replace('Jums ir tiesības pieprasīt', 'Jums, cienījamā persona, ir tiesības pieprasīt'));
    const letter = await answerLetter(sampleReport(3), 'lv', controller, signer, { policyFile: file });
    expect(flat(letter.bytes)).toContain('Jums, cienījamā persona, ir tiesības pieprasīt');
    fs.writeFileSync(file, 'version: 1\nlv: {}\n');
    await expect(answerLetter(sampleReport(3), 'lv', controller, signer, { policyFile: file })).rejects.toThrow(/gdpr-letter\.yaml are invalid:[\s\S]*lv\.title/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names a municipality as the controller from the tenant list', () => {
    expect(controllerDetails('riga')).toEqual({ name: 'Rīgas valstspilsētas pašvaldība' });
    expect(controllerDetails('adazu-novads')).toEqual({ name: 'Ādažu novada pašvaldība' });
    expect(controllerDetails('no-such-tenant')).toEqual({ name: 'no-such-tenant' });
  });

  it('refuses a controller without a name', async () => {
    await expect(answerLetter(sampleReport(1), 'lv', { name: ' ' }, signer)).rejects.toThrow(/controller\.name is required/);
  });
});
