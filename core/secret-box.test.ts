import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { createSecretBox, loadSecretBox } from './secret-box';

describe('loadSecretBox', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-box-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('seals to v1.<iv>.<tag>.<ct> with a fresh IV each time and opens it again', () => {
    const box = loadSecretBox({ secretKey: 'k'.repeat(40), dataDir: dir });
    const a = box.seal('JBSWY3DPEHPK3PXP');
    const b = box.seal('JBSWY3DPEHPK3PXP');
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('JBSWY3DP');
    expect(box.open(a)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.open(b)).toBe('JBSWY3DPEHPK3PXP');
    expect(fs.existsSync(path.join(dir, 'secret.key'))).toBe(false);
  });

  it('derives the key as SHA-256 of the configured secret key', () => {
    const sk = 'configured-secret-key-of-at-least-32-chars';
    const sealed = loadSecretBox({ secretKey: sk, dataDir: dir }).seal('x');
    expect(createSecretBox(createHash('sha256').update(sk).digest()).open(sealed)).toBe('x');
  });

  it('generates <dataDir>/secret.key once (32 bytes, mode 0600) and reuses it', () => {
    const sub = path.join(dir, 'data');
    const sealed = loadSecretBox({ dataDir: sub }).seal('seed');
    const file = path.join(sub, 'secret.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file)).toHaveLength(32);
    expect(loadSecretBox({ dataDir: sub }).open(sealed)).toBe('seed');
  });

  it('refuses to open under another key, altered data or a foreign format', () => {
    const box = loadSecretBox({ secretKey: 'a'.repeat(40), dataDir: dir });
    const other = loadSecretBox({ secretKey: 'b'.repeat(40), dataDir: dir });
    const sealed = box.seal('seed');
    expect(() => other.open(sealed)).toThrow(/wrong key or altered data/);
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[0] ^= 1;
    expect(() => box.open([...parts.slice(0, 3), ct.toString('base64url')].join('.'))).toThrow(/altered/);
    expect(() => box.open('seed')).toThrow(/not a sealed value/);
    expect(() => box.open('v2.' + parts.slice(1).join('.'))).toThrow(/not a sealed value/);
  });

  it('refuses a key file of the wrong length', () => {
    fs.writeFileSync(path.join(dir, 'secret.key'), Buffer.alloc(8));
    expect(() => loadSecretBox({ dataDir: dir })).toThrow(/exactly 32 bytes/);
  });
});
