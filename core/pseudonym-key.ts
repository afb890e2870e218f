import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const KEY_FILE = 'pseudonym.key';
const KEY_BYTES = 32;

/**
 * The secret key for person-code pseudonyms and event ids (collector/pseudonymise.ts).
 *
 * Order: the configured key (SARGS_PSEUDONYM_KEY, used as its UTF-8 bytes), else `<dataDir>/pseudonym.key`, else
 * 32 random bytes written to that file. The file is created exclusively (`wx`) with mode 0600, so when two
 * processes start at once one writes and both use what it wrote. Losing the key makes earlier pseudonyms
 * unsearchable: back the file up with the data.
 */
export function loadPseudonymKey(config: { pseudonymKey?: string; dataDir: string }): Buffer {
  if (config.pseudonymKey !== undefined && config.pseudonymKey !== '') return Buffer.from(config.pseudonymKey, 'utf8');
  const file = path.join(config.dataDir, KEY_FILE);
  const existing = readKeyFile(file);
  if (existing) return existing;
  fs.mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(KEY_BYTES);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`cannot create pseudonym key file ${file}`, { cause: err });
    }
    // Another process won the exclusive create; wait briefly for its write to land.
    return waitForKeyFile(file);
  }
  try {
    fs.writeSync(fd, key);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return key;
}

function readKeyFile(file: string, whileBeingWritten = false): Buffer | undefined {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read pseudonym key file ${file}`, { cause: err });
  }
  // Empty or short: the process that created it may still be writing.
  if (buf.length === 0 || (whileBeingWritten && buf.length < KEY_BYTES)) return undefined;
  if (buf.length < KEY_BYTES) throw new Error(`pseudonym key file ${file} is shorter than ${KEY_BYTES} bytes`);
  return buf;
}

function waitForKeyFile(file: string): Buffer {
  const deadline = Date.now() + 5000;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    const buf = readKeyFile(file, true);
    if (buf) return buf;
    if (Date.now() > deadline) throw new Error(`pseudonym key file ${file} stayed empty`);
    Atomics.wait(pause, 0, 0, 20);
  }
}
