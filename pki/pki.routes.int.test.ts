import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSargs, type RunningSargs } from '../api/testing/start-sargs';
import { opensslVerify } from './testing/openssl';

jest.setTimeout(180_000);

/** The platform PKI through the real app (embedded backends): public CA certificate, certificate inventory. */
describe('platform PKI routes', () => {
  let sargs: RunningSargs;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-pki-routes-'));
    sargs = await startSargs({ dataDir });
  });
  afterAll(async () => {
    await sargs?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /api/v1/pki/ca.pem needs no sign-in and verifies what Sargs signs', async () => {
    const res = await fetch(`${sargs.url}/api/v1/pki/ca.pem`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-pem-file/);
    const pem = await res.text();
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n$/);
    expect(pem).toBe(fs.readFileSync(path.join(dataDir, 'pki', 'ca.crt.pem'), 'utf8'));
    const content = Buffer.from('pārbaude');
    const p7s = await sargs.runtime.ctx.pki.signer.sign(content);
    expect(opensslVerify(content, p7s, pem).ok).toBe(true);
  });

  it('GET /api/v1/pki/certificates lists the CA and the signing certificate for a platform admin', async () => {
    const res = await fetch(`${sargs.url}/api/v1/pki/certificates`, { headers: { authorization: `Bearer ${sargs.adminToken}` } });
    expect(res.status).toBe(200);
    const { certificates } = (await res.json()) as { certificates: Array<Record<string, unknown>> };
    expect(certificates.map((c) => c.purpose)).toEqual(['root-ca', 'document-signing']);
    for (const c of certificates) {
      expect(c).toMatchObject({ source: 'platform', status: 'valid', keyAlgorithm: 'rsa 3072' });
      expect(c.serial).toMatch(/^[0-9a-f]{32}$/);
      expect(c.sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      expect(Date.parse(c.notBefore as string)).toBeLessThan(Date.now());
    }
    expect(certificates[0].subject).toBe('CN=Sargs Platform Root CA, O=Sargs, C=LV');
    expect(certificates[1].issuer).toBe('CN=Sargs Platform Root CA, O=Sargs, C=LV');
    expect(certificates[0].daysLeft as number).toBeGreaterThan(3600);
  });

  it('the inventory needs a principal', async () => {
    const res = await fetch(`${sargs.url}/api/v1/pki/certificates`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('a restart on the same data dir serves the same CA', async () => {
    const before = await (await fetch(`${sargs.url}/api/v1/pki/ca.pem`)).text();
    await sargs.close();
    sargs = await startSargs({ dataDir });
    const after = await (await fetch(`${sargs.url}/api/v1/pki/ca.pem`)).text();
    expect(after).toBe(before);
    expect(fs.statSync(path.join(dataDir, 'pki', 'signing.key')).mode & 0o777).toBe(0o600);
  });
});
