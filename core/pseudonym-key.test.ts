import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPseudonymKey } from './pseudonym-key';

describe('loadPseudonymKey', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-key-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses the configured key as UTF-8 bytes', () => {
    const k = 'a'.repeat(40);
    expect(loadPseudonymKey({ pseudonymKey: k, dataDir: dir })).toEqual(Buffer.from(k));
    expect(fs.existsSync(path.join(dir, 'pseudonym.key'))).toBe(false);
  });

  it('generates 32 random bytes into <dataDir>/pseudonym.key with mode 0600, then reuses them', () => {
    const sub = path.join(dir, 'data');
    const k1 = loadPseudonymKey({ dataDir: sub });
    expect(k1).toHaveLength(32);
    const file = path.join(sub, 'pseudonym.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadPseudonymKey({ dataDir: sub })).toEqual(k1);
    expect(fs.readFileSync(file)).toEqual(k1);
  });

  it('refuses a key file that is too short', () => {
    fs.writeFileSync(path.join(dir, 'pseudonym.key'), Buffer.alloc(8));
    expect(() => loadPseudonymKey({ dataDir: dir })).toThrow(/must hold at least 32 bytes/);
  });

  it('waits for the key another process is writing (lost the exclusive create) and uses it', () => {
    const file = path.join(dir, 'pseudonym.key');
    fs.writeFileSync(file, Buffer.alloc(0), { mode: 0o600 }); // the winner has created the file, not yet written
    const key = Buffer.alloc(32, 0xab);
    // The "winner": another process that writes the key 200 ms later (this thread blocks while waiting).
    const writer = spawn(process.execPath, [
      '-e',
      `setTimeout(() => require('fs').writeFileSync(process.argv[1], Buffer.alloc(32, 0xab)), 200)`,
      file,
    ]);
    try {
      expect(loadPseudonymKey({ dataDir: dir })).toEqual(key);
    } finally {
      writer.kill();
    }
  });
});
