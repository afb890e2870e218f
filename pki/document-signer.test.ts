import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { createSecretBox } from '../core/secret-box';
import { createDocumentSigner } from './document-signer';
import { issueRootCa, issueSigningCertificate, type IssuedCertificate } from './issue-certificates';
import { opensslVerify } from './testing/openssl';

jest.setTimeout(180_000);

/** A deployment's own CA (SARGS_SIGNING_CERT / SARGS_SIGNING_KEY): the signing certificate, then the root. */
let own: { ca: IssuedCertificate; signing: IssuedCertificate };
let dir: string;
const box = createSecretBox(Buffer.alloc(32, 3));
const pemKey = (k: IssuedCertificate['key']) => k.export({ type: 'pkcs8', format: 'pem' }).toString();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-own-ca-'));
  const ca = await issueRootCa({ organization: 'Pašvaldība' });
  own = { ca, signing: await issueSigningCertificate({ ca, organization: 'Pašvaldība' }) };
  fs.writeFileSync(path.join(dir, 'chain.pem'), own.signing.certificate + own.ca.certificate);
  fs.writeFileSync(path.join(dir, 'key.pem'), pemKey(own.signing.key), { mode: 0o600 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a deployment brings its own signing certificate and key', () => {
  it('signs with them, serves their root as the CA, lists them as configured, and creates no platform PKI', async () => {
    const dataDir = path.join(dir, 'data');
    const signer = createDocumentSigner({ dataDir, secretBox: box, signingCertFile: path.join(dir, 'chain.pem'), signingKeyFile: path.join(dir, 'key.pem') });
    const content = Buffer.from('ā č ē ģ ī ķ ļ ņ š ū ž');
    const p7s = await signer.sign(content);
    expect(opensslVerify(content, p7s, own.ca.certificate).ok).toBe(true);
    expect(await signer.caCertificate()).toBe(own.ca.certificate);
    expect(await signer.certificates()).toBe(own.signing.certificate + own.ca.certificate);
    const inv = await signer.inventory();
    expect(inv.map((c) => [c.purpose, c.source])).toEqual([
      ['document-signing', 'configured'],
      ['root-ca', 'configured'],
    ]);
    expect(inv[0].subject).toBe('CN=Pašvaldība Document Signing, O=Pašvaldība, C=LV');
    expect(inv[0].sha256Fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(inv[0].keyAlgorithm).toBe('rsa 3072');
    expect(fs.existsSync(path.join(dataDir, 'pki'))).toBe(false);
  });

  it('refuses, naming the problem: a key of another certificate, a chain without its root, a non-RSA key, a missing file', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    fs.writeFileSync(path.join(dir, 'other.pem'), pemKey(other));
    fs.writeFileSync(path.join(dir, 'leaf.pem'), own.signing.certificate);
    fs.writeFileSync(path.join(dir, 'ec.pem'), pemKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey));
    fs.writeFileSync(path.join(dir, 'reversed.pem'), own.ca.certificate + own.signing.certificate);
    const signer = (cert: string, key: string) =>
      createDocumentSigner({ dataDir: dir, secretBox: box, signingCertFile: path.join(dir, cert), signingKeyFile: path.join(dir, key) });
    await expect(signer('chain.pem', 'other.pem').sign(Buffer.from('x'))).rejects.toThrow(/key does not belong to the first certificate/);
    await expect(signer('leaf.pem', 'key.pem').sign(Buffer.from('x'))).rejects.toThrow(/followed by its issuers up to the root CA/);
    await expect(signer('chain.pem', 'ec.pem').sign(Buffer.from('x'))).rejects.toThrow(/RSA key is needed/);
    await expect(signer('reversed.pem', 'key.pem').caCertificate()).rejects.toThrow(/SARGS_SIGNING/);
    await expect(signer('chain.pem', 'missing.pem').inventory()).rejects.toThrow(/SARGS_SIGNING_KEY: .*missing\.pem/);
  });
});
