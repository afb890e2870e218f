import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs the real `openssl cms -verify` over a detached signature, as a person checking an export would:
 *
 *   openssl cms -verify -binary -inform DER -in file.p7s -content file -CAfile ca.pem -out /dev/null
 *
 * (default purpose: S/MIME signing, so keyUsage and extendedKeyUsage are checked too).
 */
export function opensslVerify(content: Buffer, p7s: Buffer, caPem: string, extra: string[] = []): { ok: boolean; stderr: string; stdout: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-cms-'));
  try {
    fs.writeFileSync(path.join(dir, 'file'), content);
    fs.writeFileSync(path.join(dir, 'file.p7s'), p7s);
    fs.writeFileSync(path.join(dir, 'ca.pem'), caPem);
    const r = spawnSync(
      'openssl',
      ['cms', '-verify', '-binary', '-inform', 'DER', '-in', 'file.p7s', '-content', 'file', '-CAfile', 'ca.pem', '-out', os.devNull, ...extra],
      { cwd: dir, encoding: 'utf8' },
    );
    return { ok: r.status === 0, stderr: r.stderr, stdout: r.stdout };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `openssl <args>` with `input` on stdin; stdout as text. */
export function openssl(args: string[], input?: Buffer | string): string {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A copy of `bytes` with one byte changed. */
export function flipOneByte(bytes: Buffer, at = Math.floor(bytes.length / 2)): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] ^= 0x01;
  return copy;
}
