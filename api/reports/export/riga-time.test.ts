import { formatDate, formatDateTime, formatMonth, formatPeriod } from './riga-time';

describe('Riga time in exports', () => {
  it('EET in winter, EEST in summer, across both DST changes of 2026', () => {
    expect(formatDateTime('2026-01-15T10:00:00Z', 'lv')).toBe('15.01.2026 12:00:00');
    expect(formatDateTime('2026-03-29T00:59:59Z', 'lv')).toBe('29.03.2026 02:59:59'); // last second of EET
    expect(formatDateTime('2026-03-29T01:00:00Z', 'lv')).toBe('29.03.2026 04:00:00'); // first of EEST
    expect(formatDateTime('2026-10-25T00:59:59Z', 'lv')).toBe('25.10.2026 03:59:59');
    expect(formatDateTime('2026-10-25T01:00:00Z', 'en')).toBe('2026-10-25 03:00:00'); // 03:00 again, EET
  });

  it('dates DD.MM.YYYY in Latvian, ISO in English; a period shows its last day (the end is exclusive)', () => {
    expect(formatDate('2026-12-31T22:30:00Z', 'lv')).toBe('01.01.2027');
    expect(formatDate('2026-12-31T21:30:00Z', 'en')).toBe('2026-12-31');
    expect(formatPeriod({ from: '2025-12-31T22:00:00Z', to: '2026-12-31T22:00:00Z' }, 'lv')).toBe('01.01.2026 – 31.12.2026');
    expect(formatPeriod({ from: '2026-02-28T22:00:00Z', to: '2026-03-31T21:00:00Z' }, 'en')).toBe('2026-03-01 – 2026-03-31');
    expect(formatMonth('2026-02', 'lv')).toBe('02.2026');
    expect(formatMonth('2026-02', 'en')).toBe('2026-02');
  });

  it('refuses a time it cannot read', () => {
    expect(() => formatDate('yesterday', 'lv')).toThrow(/not a time/);
  });
});
