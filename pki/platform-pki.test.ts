import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createSecretBox } from '../core/secret-box';
import { loadOrCreatePlatformPki } from './platform-pki';
import { createDocumentSigner } from './document-signer';
import { opensslVerify } from './testing/openssl';

jest.setTimeout(180_000);

const box = createSecretBox(Buffer.alloc(32, 7));
const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-pki-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

describe('platform PKI in the data dir', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tmp();
  });

  it('is created on first use: certificates public, private keys mode 0600 and sealed (no clear PEM on disk)', async () => {
    const pki = await loadOrCreatePlatformPki({ dataDir, secretBox: box });
    const dir = path.join(dataDir, 'pki');
    expect(fs.readdirSync(dir).sort()).toEqual(['ca.crt.pem', 'ca.key', 'signing.crt.pem', 'signing.key']);
    for (const key of ['ca.key', 'signing.key']) {
      expect(fs.statSync(path.join(dir, key)).mode & 0o777).toBe(0o600);
      const text = fs.readFileSync(path.join(dir, key), 'utf8');
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).toMatch(/^v1\./);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(dir, 'ca.crt.pem'), 'utf8')).toBe(pki.ca.certificate);
    expect(new X509Certificate(pki.signing.certificate).checkIssued(new X509Certificate(pki.ca.certificate))).toBe(true);
  });

  it('a restart reuses the same CA and signing certificate', async () => {
    const first = await loadOrCreatePlatformPki({ dataDir, secretBox: box });
    const again = await loadOrCreatePlatformPki({ dataDir, secretBox: box });
    expect(fingerprint(again.ca.certificate)).toBe(fingerprint(first.ca.certificate));
    expect(fingerprint(again.signing.certificate)).toBe(fingerprint(first.signing.certificate));
    // …and a new signer over the same dir signs with it: the CA saved before verifies the signature.
    const signer = createDocumentSigner({ dataDir, secretBox: box });
    const content = Buffer.from('restart');
    expect(opensslVerify(content, await signer.sign(content), first.ca.certificate).ok).toBe(true);
    expect(await signer.caCertificate()).toBe(first.ca.certificate);
  });

  it('refuses keys sealed under another secret key, naming the file', async () => {
    await expect(loadOrCreatePlatformPki({ dataDir, secretBox: createSecretBox(Buffer.alloc(32, 9)) })).rejects.toThrow(/cannot open .*ca\.key/);
  });

  it('renews the signing certificate from the same CA when fewer than 30 days are left, archiving the old one', async () => {
    const before = await loadOrCreatePlatformPki({ dataDir, secretBox: box });
    const later = new Date(Date.parse(new X509Certificate(before.signing.certificate).validTo) - 10 * 86_400_000);
    const after = await loadOrCreatePlatformPki({ dataDir, secretBox: box, now: later });
    expect(fingerprint(after.ca.certificate)).toBe(fingerprint(before.ca.certificate));
    expect(fingerprint(after.signing.certificate)).not.toBe(fingerprint(before.signing.certificate));
    expect(after.archived.map(fingerprint)).toEqual([fingerprint(before.signing.certificate)]);
    expect(fs.statSync(path.join(dataDir, 'pki', 'signing.key')).mode & 0o777).toBe(0o600);
    const inventory = await createDocumentSigner({ dataDir, secretBox: box }).inventory();
    expect(inventory.map((c) => c.purpose)).toEqual(['root-ca', 'document-signing', 'document-signing-replaced']);
  });
});

it('two processes starting at once end up with one CA', async () => {
  const dataDir = tmp();
  const [a, b] = await Promise.all([loadOrCreatePlatformPki({ dataDir, secretBox: box }), loadOrCreatePlatformPki({ dataDir, secretBox: box })]);
  expect(fingerprint(a.ca.certificate)).toBe(fingerprint(b.ca.certificate));
  expect(fs.readdirSync(dataDir)).toEqual(['pki']); // no temporary folder left behind
});
