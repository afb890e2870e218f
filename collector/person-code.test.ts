import { legacyCheckDigit, validatePersonCode } from './person-code';

describe('validatePersonCode', () => {
  // Check digits computed by hand with (1101 − Σ wᵢdᵢ) mod 11; 161175-19997 is python-stdnum's published example.
  it.each([
    ['161175-19997', '16117519997', 'legacy'],
    ['16117519997', '16117519997', 'legacy'],
    ['010190-12349', '01019012349', 'legacy'],
    ['151185-10009', '15118510009', 'legacy'],
    ['290200-21239', '29020021239', 'legacy'], // 29 Feb 2000: leap (divisible by 400)
    ['290296-10005', '29029610005', 'legacy'], // 29 Feb 1996
    ['290204-10007', '29020410007', 'legacy'], // 29 Feb 1904
    ['311299-10016', '31129910016', 'legacy'],
    ['120352-03456', '12035203456', 'legacy'], // century digit 0: 1852
    ['320000-00000', '32000000000', 'new'],
    ['32345678901', '32345678901', 'new'], // new format: no date, no check digit
    ['  329876-54321 ', '32987654321', 'new'],
  ])('accepts %s', (code, normalised, format) => {
    expect(validatePersonCode(code)).toEqual({ ok: true, normalised, format });
  });

  it.each([
    ['290200-12340', 'date'], // 29 Feb 1900: not a leap year (divisible by 100, not 400); check digit right
    ['290203-20001', 'date'], // 29 Feb 2003
    ['310490-12347', 'date'], // 31 April
    ['010193-31231', 'date'], // century digit 3
    ['011390-12343', 'date'], // month 13
    ['000190-12340', 'date'], // day 00
    ['161175-19998', 'check digit'],
    ['010190-12340', 'check digit'],
    ['150585-10090', 'check digit'], // (1101 − Σ) mod 11 = 10: no digit fits, never issued
    ['150585-10091', 'check digit'],
    ['161175_19997', 'format'],
    ['161175-1999', 'format'],
    ['1611751999a', 'format'],
    ['161175--9997', 'format'],
    ['', 'format'],
    ['16-1175-19997', 'format'],
  ])('rejects %s (%s)', (code, kind) => {
    const r = validatePersonCode(code);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.reason.startsWith(kind)).toBe(true);
      if (code) expect(r.reason).not.toContain(code.replace('-', '').slice(0, 6)); // never echoes the code
    }
  });

  it('computes 10 for bases that no check digit can complete', () => {
    expect(legacyCheckDigit('1505851009')).toBe(10);
    expect(legacyCheckDigit('1611751999')).toBe(7);
  });

  it('rejects non-strings without throwing', () => {
    expect(validatePersonCode(12345678901 as unknown as string).ok).toBe(false);
  });
});
