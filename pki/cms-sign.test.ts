import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { issueRootCa, issueSigningCertificate, type IssuedCertificate } from './issue-certificates';
import { signDetached } from './cms-sign';
import { flipOneByte, openssl, opensslVerify } from './testing/openssl';

jest.setTimeout(120_000);

let ca: IssuedCertificate;
let signing: IssuedCertificate;

beforeAll(async () => {
  ca = await issueRootCa({ organization: 'Sargs Test' });
  signing = await issueSigningCertificate({ ca, organization: 'Sargs Test' });
});

describe('detached CMS signatures checked by the openssl CLI', () => {
  const content = Buffer.from('Pārskats par piekļuvi personas datiem — ā č ē ģ ī ķ ļ ņ š ū ž\n'.repeat(2000), 'utf8');

  it('openssl cms -verify accepts the signature with the platform CA (default S/MIME signing purpose)', () => {
    const p7s = signDetached(content, { certificate: signing.certificate, chain: [ca.certificate], key: signing.key });
    const r = opensslVerify(content, p7s, ca.certificate);
    expect(r.stderr).toContain('Verification successful');
    expect(r.ok).toBe(true);
  });

  it('fails after one byte of the content changes', () => {
    const p7s = signDetached(content, { certificate: signing.certificate, chain: [ca.certificate], key: signing.key });
    for (const at of [0, 1000, content.length - 1]) {
      const r = opensslVerify(flipOneByte(content, at), p7s, ca.certificate);
      expect(r.ok).toBe(false);
      expect(r.stderr).toMatch(/verification failure|content verify error/i);
    }
  });

  it('fails against another CA', async () => {
    const other = await issueRootCa({ organization: 'Someone Else' });
    const p7s = signDetached(content, { certificate: signing.certificate, chain: [ca.certificate], key: signing.key });
    expect(opensslVerify(content, p7s, other.certificate).ok).toBe(false);
  });

  it('is SignedData, detached, SHA-256, with the signer certificate and a signing-time attribute', () => {
    const at = new Date('2026-11-30T12:00:00Z');
    const p7s = signDetached(content, { certificate: signing.certificate, chain: [ca.certificate], key: signing.key }, at);
    const printed = openssl(['cms', '-cmsout', '-print', '-inform', 'DER'], p7s);
    expect(printed).toContain('contentType: pkcs7-signedData');
    expect(printed).toMatch(/eContent: <ABSENT>/); // detached
    expect(printed).toContain('algorithm: sha256');
    expect(printed).toContain('object: signingTime');
    expect(printed).toContain('Nov 30 12:00:00 2026 GMT');
    expect(printed).toContain('object: messageDigest');
    expect(printed).toContain('Sargs Test Document Signing');
  });
});

describe('the certificates', () => {
  it('root CA: CA:TRUE pathlen 0, keyCertSign + cRLSign, self-signed, RSA 3072, about ten years', () => {
    const text = openssl(['x509', '-noout', '-text'], ca.certificate);
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Certificate Sign, CRL Sign/);
    expect(text).toContain('Public-Key: (3072 bit)');
    expect(text).toContain('Issuer: C = LV, O = Sargs Test, CN = Sargs Test Platform Root CA');
    expect(text).toContain('Subject: C = LV, O = Sargs Test, CN = Sargs Test Platform Root CA');
    expect(text).toContain('sha256WithRSAEncryption');
  });

  it('signing certificate: digitalSignature + nonRepudiation, emailProtection + documentSigning, CA:FALSE, chained to the CA', () => {
    const text = openssl(['x509', '-noout', '-text'], signing.certificate);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s+E-mail Protection, 1\.3\.6\.1\.5\.5\.7\.3\.36/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toContain('Authority Key Identifier');
    const serial = /Serial Number:\s*\n?\s*([0-9a-f:]+)/i.exec(text)![1];
    expect(serial.replace(/:/g, '').length).toBe(32); // 128 random bits
    const days = (Date.parse(/Not After : (.*)/.exec(text)![1]) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(700);
    expect(days).toBeLessThan(740);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-x509-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certificate);
    expect(openssl(['verify', '-CAfile', path.join(dir, 'ca.pem'), '-purpose', 'smimesign'], signing.certificate)).toContain('OK');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serials differ between certificates', async () => {
    const again = await issueSigningCertificate({ ca, organization: 'Sargs Test', key: signing.key });
    const serial = (pem: string) => openssl(['x509', '-noout', '-serial'], pem);
    expect(serial(again.certificate)).not.toBe(serial(signing.certificate));
  });
});
