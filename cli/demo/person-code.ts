/**
 * Latvian person codes (personas kods) for demo residents. Both formats of DOMAIN.md: `DDMMYY-CNNNN` with the
 * check digit, and `32NNNN-NNNNN` (issued since 1 July 2017, no birth date, no check digit).
 */
import type { Rng } from './prng';

const WEIGHTS = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/**
 * The check digit of an old-format code from its first ten digits:
 * (1101 − Σ wᵢ·dᵢ) mod 11 with weights 1,6,3,7,9,10,5,8,4,2. Returns 10 when no digit fits (such codes are not
 * issued).
 */
export function personCodeCheckDigit(firstTen: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += WEIGHTS[i]! * Number(firstTen[i]);
  return (((1101 - sum) % 11) + 11) % 11;
}

/**
 * The first valid old-format code of a person born on `ddmmyy` in the 1900s (the lowest serial whose check digit
 * exists): a fixed, valid code for tests.
 */
export function oldFormatPersonCode(ddmmyy: string): string {
  for (let serial = 0; ; serial++) {
    const firstTen = `${ddmmyy}1${String(serial).padStart(3, '0')}`;
    const check = personCodeCheckDigit(firstTen);
    if (check < 10) return `${ddmmyy}-1${firstTen.slice(7)}${check}`;
  }
}

/** True when `code` is a well-formed person code of either format (old format: date and check digit valid). */
export function isValidPersonCode(code: string): boolean {
  if (/^32\d{4}-\d{5}$/.test(code)) return true;
  const m = /^(\d{2})(\d{2})(\d{2})-([012])(\d{4})$/.exec(code);
  if (!m) return false;
  const [, dd, mm, yy, century] = m;
  const year = 1800 + Number(century) * 100 + Number(yy);
  const date = new Date(Date.UTC(year, Number(mm) - 1, Number(dd)));
  if (date.getUTCDate() !== Number(dd) || date.getUTCMonth() !== Number(mm) - 1) return false;
  const digits = code.replace('-', '');
  return personCodeCheckDigit(digits) === Number(digits[10]);
}

/**
 * A valid random person code. About a fifth are the new `32…` format (younger residents and newcomers).
 * Old-format codes encode a birth date between 1935 and 2016 (century digit 1 for 1900s, 2 for 2000s).
 */
export function generatePersonCode(rng: Rng): string {
  if (rng.chance(0.2)) {
    return `32${String(rng.int(0, 9999)).padStart(4, '0')}-${String(rng.int(0, 99999)).padStart(5, '0')}`;
  }
  for (;;) {
    const year = rng.int(1935, 2016);
    const dayOfYear = rng.int(0, 364);
    const d = new Date(Date.UTC(year, 0, 1 + dayOfYear));
    const dd = String(d.getUTCDate()).padStart(2, '0');
    const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
    const yy = String(year % 100).padStart(2, '0');
    const century = year >= 2000 ? '2' : '1';
    const serial = String(rng.int(0, 999)).padStart(3, '0');
    const firstTen = `${dd}${mm}${yy}${century}${serial}`;
    const check = personCodeCheckDigit(firstTen);
    if (check === 10) continue; // codes whose check would be 10 are never issued
    return `${dd}${mm}${yy}-${century}${serial}${check}`;
  }
}
