/**
 * Splits a syslog-over-TCP byte stream into messages (RFC 6587).
 *
 * Both framings of RFC 6587 are accepted and detected per message, as §3.4 allows a receiver to do:
 * - octet counting (§3.4.1): `MSG-LEN SP SYSLOG-MSG`, MSG-LEN a decimal without leading zero;
 * - non-transparent framing (§3.4.2): the message ends at LF; CRLF and NUL are tolerated as trailers.
 * A frame starting with a digit is octet-counted (a syslog message itself starts with `<`, RFC 5424 §6.2.1);
 * anything else is non-transparent.
 *
 * A message longer than `maxMessageBytes` (64 KiB by default) is cut to that length and marked `truncated`;
 * the rest of its frame is skipped, so the stream stays in step.
 */

/** One message taken from the stream. */
export interface SyslogFrame {
  message: string;
  /** The message was longer than the limit and was cut. */
  truncated: boolean;
}

/** 64 KiB: the largest message we keep; RFC 5425 §4.3.1 requires receivers to take at least 2 KiB. */
export const MAX_SYSLOG_MESSAGE_BYTES = 64 * 1024;

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
/** MSG-LEN of more than 9 digits is not a length we would accept anyway. */
const MAX_LEN_DIGITS = 9;

type Mode =
  | { kind: 'start' }
  | { kind: 'octets'; remaining: number; keep: number }
  | { kind: 'skip-to-lf' };

/**
 * Incremental RFC 6587 framer for one TCP connection. Feed it chunks as they arrive; it returns the messages
 * completed by each chunk and keeps the incomplete tail.
 *
 * @example
 * const framer = new SyslogFramer();
 * socket.on('data', (chunk) => framer.push(chunk).forEach(deliver));
 * socket.on('end', () => framer.end().forEach(deliver));
 */
export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  private mode: Mode = { kind: 'start' };
  /** Bytes of the current octet-counted message collected so far. */
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Whether the message being collected already exceeded the limit. */
  private cut = false;

  constructor(private readonly maxMessageBytes = MAX_SYSLOG_MESSAGE_BYTES) {}

  /** Adds a chunk; returns the messages it completed, in order. */
  push(chunk: Buffer): SyslogFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: SyslogFrame[] = [];
    let pos = 0;
    while (pos < this.buf.length) {
      const next = this.step(pos, out);
      if (next === pos) break; // need more bytes
      pos = next;
    }
    this.buf = pos >= this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    return out;
  }

  /** The connection closed: a non-empty unterminated message is delivered as it is. */
  end(): SyslogFrame[] {
    const out: SyslogFrame[] = [];
    if (this.mode.kind === 'octets') {
      // The peer closed inside an octet-counted frame: deliver what arrived, marked as cut.
      if (this.partsLen > 0) out.push(this.frame(Buffer.concat(this.parts), true));
    } else if (this.mode.kind === 'start' && this.buf.length > 0) {
      const m = trimTrailer(this.buf);
      if (m.length > 0) out.push(this.frame(m.subarray(0, this.maxMessageBytes), m.length > this.maxMessageBytes));
    }
    this.reset();
    this.buf = Buffer.alloc(0);
    return out;
  }

  /** Consumes bytes from `pos`; returns the new position (equal to `pos` when more input is needed). */
  private step(pos: number, out: SyslogFrame[]): number {
    const buf = this.buf;
    const mode = this.mode;
    if (mode.kind === 'octets') {
      const take = Math.min(mode.remaining, buf.length - pos);
      const keepNow = Math.min(take, mode.keep);
      if (keepNow > 0) {
        this.parts.push(buf.subarray(pos, pos + keepNow));
        this.partsLen += keepNow;
        mode.keep -= keepNow;
      }
      mode.remaining -= take;
      if (mode.remaining === 0) {
        out.push(this.frame(Buffer.concat(this.parts), this.cut));
        this.reset();
      }
      return pos + take;
    }
    if (mode.kind === 'skip-to-lf') {
      const end = findTerminator(buf, pos);
      if (end < 0) return buf.length;
      this.reset();
      return end + 1;
    }
    // Start of a frame: skip stray terminators between frames (a CRLF or NUL trailer of the previous one).
    const first = buf[pos];
    if (first === LF || first === CR || first === NUL) return pos + 1;
    if (first >= 0x31 && first <= 0x39) {
      const header = this.octetHeader(pos);
      if (header === 'more') return pos;
      if (header !== 'invalid') {
        const keep = Math.min(header.len, this.maxMessageBytes);
        this.mode = { kind: 'octets', remaining: header.len, keep };
        this.cut = header.len > this.maxMessageBytes;
        return header.next;
      }
      // Not a valid MSG-LEN: treat the frame as non-transparent (RFC 6587 §3.4.2).
    }
    const end = findTerminator(buf, pos);
    if (end < 0) {
      if (buf.length - pos > this.maxMessageBytes) {
        out.push(this.frame(buf.subarray(pos, pos + this.maxMessageBytes), true));
        this.mode = { kind: 'skip-to-lf' };
        return buf.length;
      }
      return pos; // wait for the terminator
    }
    const msg = trimTrailer(buf.subarray(pos, end));
    if (msg.length > 0) {
      const cut = msg.length > this.maxMessageBytes;
      out.push(this.frame(cut ? msg.subarray(0, this.maxMessageBytes) : msg, cut));
    }
    return end + 1;
  }

  /** Parses `MSG-LEN SP` at `pos` (RFC 6587 §3.4.1: NONZERO-DIGIT *DIGIT). */
  private octetHeader(pos: number): { len: number; next: number } | 'more' | 'invalid' {
    const buf = this.buf;
    let i = pos;
    while (i < buf.length && i - pos <= MAX_LEN_DIGITS) {
      const c = buf[i];
      if (c === SP) {
        if (i === pos) return 'invalid';
        return { len: Number(buf.toString('latin1', pos, i)), next: i + 1 };
      }
      if (c < 0x30 || c > 0x39) return 'invalid';
      i++;
    }
    return i - pos > MAX_LEN_DIGITS ? 'invalid' : 'more';
  }

  private frame(bytes: Buffer, truncated = false): SyslogFrame {
    return { message: bytes.toString('utf8'), truncated };
  }

  private reset(): void {
    this.mode = { kind: 'start' };
    this.parts = [];
    this.partsLen = 0;
    this.cut = false;
  }
}

/** Index of the LF or NUL that ends a non-transparent frame, or -1. */
function findTerminator(buf: Buffer, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (c === LF || c === NUL) return i;
  }
  return -1;
}

/** Drops a trailing CR (CRLF framing) and trailing NULs. */
export function trimTrailer(bytes: Buffer): Buffer {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === CR || bytes[end - 1] === LF || bytes[end - 1] === NUL)) end--;
  return bytes.subarray(0, end);
}
