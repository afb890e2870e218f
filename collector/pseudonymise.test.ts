import { createHash, createHmac } from 'node:crypto';
import { AppError } from '../core/errors';
import { createPseudonymiser } from './pseudonymise';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const p = createPseudonymiser(key);
const CLEAR = /\b\d{6}-?\d{5}\b/;

describe('person', () => {
  it('is pk_ + 32 hex of HMAC-SHA256(key, 11 digits), hyphen-insensitive and deterministic', () => {
    const expected = 'pk_' + createHmac('sha256', key).update('16117519997').digest('hex').slice(0, 32);
    expect(p.person('161175-19997')).toBe(expected);
    expect(p.person('16117519997')).toBe(expected);
    expect(createPseudonymiser(Buffer.from(key)).person('161175-19997')).toBe(expected);
  });

  it('differs per key and per code', () => {
    const other = createPseudonymiser(Buffer.from('another key of at least 32 bytes!!'));
    expect(other.person('161175-19997')).not.toBe(p.person('161175-19997'));
    expect(p.person('320000-00000')).not.toBe(p.person('161175-19997'));
  });

  it('throws AppError 400 with field person and the reason, never the code', () => {
    try {
      p.person('161175-19998');
      throw new Error('did not throw');
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.status).toBe(400);
      expect(e.details.field).toBe('person');
      expect(e.message).toMatch(/check digit/);
      expect(e.message).not.toMatch(/161175/);
    }
  });
});

describe('scrubText', () => {
  it('leaves text without codes untouched (same string)', () => {
    const s = 'GET /index.html 200 2024-03-05T10:15:30Z id=12345';
    expect(p.scrubText(s)).toBe(s);
  });

  it('replaces hyphenated codes even with a wrong check digit, and valid bare codes', () => {
    const out = p.scrubText('pk=161175-19997; typo 161175-19998; bare 16117519997, new 32345678901.');
    expect(out).toBe(
      `pk=${p.person('161175-19997')}; typo ${'pk_' + createHmac('sha256', key).update('16117519998').digest('hex').slice(0, 32)}; bare ${p.person('161175-19997')}, new ${p.person('32345678901')}.`,
    );
    expect(out).not.toMatch(CLEAR);
  });

  it('keeps bare 11-digit numbers that are not codes, and digits glued to letters or longer runs', () => {
    const s = 'phone 37120000000 ts 16117519998 long 1611751999777 id A161175-19997 x';
    expect(p.scrubText(s)).toBe(s);
  });
});

describe('scrubDeep', () => {
  it('scrubs every string in nested objects and arrays, keys untouched, input not mutated', () => {
    const input = {
      '161175-19997': 'key stays',
      a: { b: ['x 161175-19997', 1, null, { c: 'SELECT * FROM p WHERE pk=\'16117519997\'' }] },
      n: 42,
      t: true,
    };
    const copy = JSON.parse(JSON.stringify(input));
    const out = p.scrubDeep(input);
    expect(input).toEqual(copy);
    expect(Object.keys(out)).toContain('161175-19997');
    expect(out.a.b[0]).toBe(`x ${p.person('161175-19997')}`);
    expect(out.a.b[1]).toBe(1);
    expect(out.a.b[2]).toBeNull();
    expect(JSON.stringify(Object.values(out))).not.toMatch(CLEAR);
  });

  it('leaves out __proto__ keys and undefined values', () => {
    const input = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}');
    const out = p.scrubDeep({ ...input, u: undefined }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect('u' in out).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('eventId', () => {
  it('is deterministic, 22 base64url characters, and separates parts', () => {
    const id = p.eventId(['riga', 'vps.audit', 'raw']);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(p.eventId(['riga', 'vps.audit', 'raw'])).toBe(id);
    expect(p.eventId(['riga', 'vps.audi', 'traw'])).not.toBe(id);
    // Keyed with a key derived from the pseudonym key (domain separation from person pseudonyms), cut to 16 bytes.
    const eventKey = createHmac('sha256', key).update('sargs/event-id/v2').digest('hex');
    const expected = createHash('sha256').update(`${eventKey}\0riga\0vps.audit\0raw`).digest().subarray(0, 16);
    expect(id).toBe(expected.toString('base64url'));
  });

  it('hashes non-ASCII text as UTF-8', () => {
    const eventKey = createHmac('sha256', key).update('sargs/event-id/v2').digest('hex');
    const text = 'Rīgas valstspilsēta — ŠĶŪŅĀ ✓';
    const expected = createHash('sha256').update(`${eventKey}\0`).update(text, 'utf8').digest().subarray(0, 16);
    expect(p.eventId([text])).toBe(expected.toString('base64url'));
  });

  it('differs between keys', () => {
    expect(createPseudonymiser(Buffer.alloc(32, 1)).eventId(['riga', 'x'])).not.toBe(createPseudonymiser(Buffer.alloc(32, 2)).eventId(['riga', 'x']));
  });
});

describe('with a binary key (non-ASCII HMAC pads)', () => {
  it.each([32, 64, 100])('matches createHmac for a %i-byte key', (len) => {
    const k = Buffer.alloc(len, 0xe7);
    const q = createPseudonymiser(k);
    const expected = 'pk_' + createHmac('sha256', k).update('32345678901').digest('hex').slice(0, 32);
    expect(q.person('323456-78901')).toBe(expected);
  });
});

it('refuses a short key', () => {
  expect(() => createPseudonymiser(Buffer.alloc(8))).toThrow(/at least 16 bytes/);
});
