import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/** Complete lines read from a file, and how many bytes they span (including their newlines). */
export interface LineChunk {
  lines: string[];
  /** Bytes consumed from the start offset: up to and including the last newline taken. */
  consumed: number;
  /** Lines longer than the limit, cut (still delivered). */
  truncated: number;
}

export interface ReadLinesOptions {
  maxLines: number;
  /** Bytes read at most per call; a line longer than this is cut to it. */
  maxBytes: number;
  /**
   * The file will not grow any more (it was rotated away and is being finished): a last line without newline
   * is taken too. Otherwise a partial last line waits for its newline.
   */
  final?: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads complete lines from `offset`: at most `maxLines` lines within `maxBytes`. Empty lines are skipped (but
 * consumed); a trailing CR (CRLF files) is dropped.
 */
export async function readLines(fh: FileHandle, offset: number, opts: ReadLinesOptions): Promise<LineChunk> {
  const buf = Buffer.allocUnsafe(opts.maxBytes);
  const { bytesRead } = await fh.read(buf, 0, opts.maxBytes, offset);
  const lines: string[] = [];
  let start = 0;
  let truncated = 0;
  while (lines.length < opts.maxLines && start < bytesRead) {
    const lf = buf.indexOf(LF, start);
    let end: number;
    let next: number;
    if (lf >= 0 && lf < bytesRead) {
      end = lf;
      next = lf + 1;
    } else if (start === 0 && bytesRead === opts.maxBytes) {
      // One line longer than the read size: deliver its first maxBytes and go on after them.
      end = bytesRead;
      next = bytesRead;
      truncated++;
    } else if (opts.final) {
      end = bytesRead;
      next = bytesRead;
    } else {
      break; // partial last line: wait for its newline
    }
    const lineEnd = end > start && buf[end - 1] === CR ? end - 1 : end;
    if (lineEnd > start) lines.push(buf.toString('utf8', start, lineEnd));
    start = next;
  }
  return { lines, consumed: start, truncated };
}

/** Bytes of the first line that identify a file: enough to tell a rewritten file from the one we read. */
const FINGERPRINT_BYTES = 1024;

/**
 * SHA-256 hex of the file's first line (its first 1 KiB when longer); `''` when no first line is complete yet.
 */
export async function firstLineFingerprint(fh: FileHandle): Promise<string> {
  const buf = Buffer.alloc(FINGERPRINT_BYTES);
  const { bytesRead } = await fh.read(buf, 0, FINGERPRINT_BYTES, 0);
  const lf = buf.subarray(0, bytesRead).indexOf(LF);
  if (lf < 0 && bytesRead < FINGERPRINT_BYTES) return '';
  return createHash('sha256')
    .update(buf.subarray(0, lf < 0 ? FINGERPRINT_BYTES : lf))
    .digest('hex');
}

/** `dev:ino` of a file, from a bigint stat so large inode numbers stay exact. */
export function inodeOf(st: { dev: bigint; ino: bigint }): string {
  return `${st.dev}:${st.ino}`;
}
