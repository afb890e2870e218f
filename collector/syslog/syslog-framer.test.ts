import { SyslogFramer, type SyslogFrame } from './syslog-framer';

const m1 = '<13>1 2026-11-30T20:39:27.961Z vm sargs - - [timeQuality tzKnown="1"] hello';
const m2 = '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed for lonvick on /dev/pts/8';
const m3 = '<13>1 - - sargs - M1 [x@1 a="b"] Rīga ūdens — UTF-8 ✓';
const octet = (m: string) => `${Buffer.byteLength(m)} ${m}`;

function feed(framer: SyslogFramer, chunks: Buffer[]): SyslogFrame[] {
  const out: SyslogFrame[] = [];
  for (const c of chunks) out.push(...framer.push(c));
  return out;
}

function splitAt(buf: Buffer, ...points: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('SyslogFramer (RFC 6587)', () => {
  // One stream mixing both framings, message by message (RFC 6587 §3.4 detection per frame).
  const stream = Buffer.from(`${octet(m1)}${m2}\n${octet(m3)}${m1}\r\n${m3}\0${octet(m2)}${m2}\n`);
  const expected = [m1, m2, m3, m1, m3, m2, m2];

  it('frames a stream with octet counting and LF, CRLF and NUL trailers in one chunk', () => {
    const got = feed(new SyslogFramer(), [stream]);
    expect(got.map((f) => f.message)).toEqual(expected);
    expect(got.every((f) => !f.truncated)).toBe(true);
  });

  it('gives the same messages whatever byte the stream is split at', () => {
    for (let i = 0; i <= stream.length; i++) {
      const got = feed(new SyslogFramer(), splitAt(stream, i));
      expect({ i, got: got.map((f) => f.message) }).toEqual({ i, got: expected });
    }
  });

  it('gives the same messages when split at every pair of positions (sampled) and byte by byte', () => {
    for (let i = 0; i <= stream.length; i += 7) {
      for (let j = i; j <= stream.length; j += 5) {
        const got = feed(new SyslogFramer(), splitAt(stream, i, j));
        expect({ i, j, got: got.map((f) => f.message) }).toEqual({ i, j, got: expected });
      }
    }
    const oneByOne = [...stream].map((b) => Buffer.from([b]));
    expect(feed(new SyslogFramer(), oneByOne).map((f) => f.message)).toEqual(expected);
  });

  it('counts octets, not characters, for multi-byte UTF-8 split inside a character', () => {
    const buf = Buffer.from(octet(m3));
    const cut = buf.indexOf(Buffer.from('ū')) + 1; // inside the two bytes of ū
    expect(feed(new SyslogFramer(), splitAt(buf, cut)).map((f) => f.message)).toEqual([m3]);
  });

  it('keeps a newline inside an octet-counted message (the reason for octet counting, §3.4.1)', () => {
    const m = '<13>1 - - app - - - line one\nline two';
    expect(feed(new SyslogFramer(), [Buffer.from(octet(m) + octet(m))]).map((f) => f.message)).toEqual([m, m]);
  });

  it('holds an unterminated newline-framed message until its LF, and delivers it at end of stream', () => {
    const framer = new SyslogFramer();
    expect(framer.push(Buffer.from(`${m1}\n${m2}`)).map((f) => f.message)).toEqual([m1]);
    expect(framer.end().map((f) => f.message)).toEqual([m2]);
  });

  it('truncates an octet-counted message over the limit and stays in step', () => {
    const big = `<13>1 - - app - - - ${'x'.repeat(200)}`;
    const framer = new SyslogFramer(100);
    const got = feed(framer, splitAt(Buffer.from(octet(big) + octet(m1)), 10, 100));
    expect(got).toEqual([
      { message: big.slice(0, 100), truncated: true },
      { message: m1, truncated: false },
    ]);
  });

  it('truncates a newline-framed message over the limit and skips to its LF', () => {
    const big = `<13>1 - - app - - - ${'y'.repeat(300)}`;
    const framer = new SyslogFramer(100);
    const got = feed(framer, splitAt(Buffer.from(`${big}\n${m2}\n`), 50, 120, 200));
    expect(got).toEqual([
      { message: big.slice(0, 100), truncated: true },
      { message: m2, truncated: false },
    ]);
  });

  it('treats a digit-led frame without a valid MSG-LEN as newline-framed', () => {
    const got = feed(new SyslogFramer(), [Buffer.from('12abc not a length\n0 zero is no MSG-LEN\n')]);
    expect(got.map((f) => f.message)).toEqual(['12abc not a length', '0 zero is no MSG-LEN']);
  });

  it('ignores empty lines between frames', () => {
    const got = feed(new SyslogFramer(), [Buffer.from(`\n\r\n${m1}\n\n\0${m2}\n`)]);
    expect(got.map((f) => f.message)).toEqual([m1, m2]);
  });
});
