import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * A random key kept in a file of the data dir (pseudonym key, secret-box key): read it, or create it once.
 *
 * The file is created exclusively (`wx`) with mode 0600 and fsynced, so when two processes start at once one writes
 * and both use what it wrote. `exact`: the file must hold exactly `bytes` bytes (else at least `bytes`).
 */
export function loadOrCreateKeyFile(file: string, opts: { bytes: number; exact?: boolean; what: string }): Buffer {
  const existing = readKeyFile(file, opts);
  if (existing) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(opts.bytes);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create ${opts.what} file ${file}`, { cause: err });
    return waitForKeyFile(file, opts); // another process won the exclusive create
  }
  try {
    fs.writeSync(fd, key);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return key;
}

function readKeyFile(file: string, opts: { bytes: number; exact?: boolean; what: string }, whileBeingWritten = false): Buffer | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${opts.what} file ${file}`, { cause: err });
  }
  // Empty or short: the process that created it may still be writing.
  if (buf.length === 0 || (whileBeingWritten && buf.length < opts.bytes)) return undefined;
  if (opts.exact ? buf.length !== opts.bytes : buf.length < opts.bytes)
    throw new Error(`${opts.what} file ${file} must hold ${opts.exact ? 'exactly' : 'at least'} ${opts.bytes} bytes`);
  return buf;
}

function waitForKeyFile(file: string, opts: { bytes: number; exact?: boolean; what: string }): Buffer {
  const deadline = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const buf = readKeyFile(file, opts, true);
    if (buf) return buf;
    if (Date.now() > deadline) throw new Error(`${opts.what} file ${file} stayed empty`);
    Atomics.wait(pause, 0, 0, 20);
  }
}
