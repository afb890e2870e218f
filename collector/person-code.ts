/**
 * Latvian person codes (personas kods).
 *
 * - Legacy format `DDMMYY-CNNNN`, issued until 30 June 2017: birth date, century digit C (0 = 1800s, 1 = 1900s,
 *   2 = 2000s), three serial digits and a check digit.
 * - New format `32NNNN-NNNNN`, issued since 1 July 2017: no birth date and no check digit.
 *
 * The check digit is `(1101 − Σ wᵢ·dᵢ) mod 11` with weights 1,6,3,7,9,10,5,8,4,2 over the first ten digits; a
 * result of 10 cannot be written as one digit, so no valid code has it. The formula agrees with the published
 * example 161175-19997 (python-stdnum `lv.pvn`, whose weights 10,5,8,4,2,1,6,3,7,9 plus 1 are the same sum
 * mod 11). Unlike python-stdnum, a result of 10 is treated as invalid rather than as check digit 0.
 */

export type PersonCodeFormat = 'legacy' | 'new';

export type PersonCodeResult =
  | { ok: true; normalised: string; format: PersonCodeFormat }
  | { ok: false; reason: string };

const WEIGHTS = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

const FORMAT_REASON = 'format: expected DDMMYY-CNNNN or 32NNNN-NNNNN (11 digits, hyphen optional)';

/** Reads digit `i` of `s` (char code based; the caller has checked that all are digits). */
const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** Gregorian leap year. */
const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** True when `s` has exactly 11 characters, all ASCII digits. */
export function isElevenDigits(s: string): boolean {
  if (s.length !== 11) return false;
  for (let i = 0; i < 11; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * The check digit of a legacy code from its first ten digits, or 10 when no digit fits (such codes are never
 * issued). `digits` must hold at least ten ASCII digits.
 */
export function legacyCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += WEIGHTS[i] * digit(digits, i);
  return (1101 - sum) % 11;
}

/**
 * Validates 11 digits (no hyphen) as a person code. Fast path used by the text scrubber.
 * @returns undefined when valid, else the reason.
 */
export function personCodeDigitsProblem(d: string): string | undefined {
  if (!isElevenDigits(d)) return FORMAT_REASON;
  // New format since 1 July 2017: "32" prefix, no date and no check digit.
  if (d.charCodeAt(0) === 51 && d.charCodeAt(1) === 50) return undefined;
  const day = digit(d, 0) * 10 + digit(d, 1);
  const month = digit(d, 2) * 10 + digit(d, 3);
  const century = digit(d, 6);
  if (century > 2) return 'date: century digit must be 0, 1 or 2';
  const year = 1800 + century * 100 + digit(d, 4) * 10 + digit(d, 5);
  if (month < 1 || month > 12) return 'date: month must be 01 to 12';
  const max = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > max) return `date: day must be 01 to ${max} in that month`;
  if (legacyCheckDigit(d) !== digit(d, 10)) return 'check digit: does not match the first ten digits';
  return undefined;
}

/**
 * Validates a person code written `DDMMYY-CNNNN`, `32NNNN-NNNNN` or as 11 digits without the hyphen (surrounding
 * whitespace ignored). Reasons never repeat the code itself (it is personal data).
 *
 * @example validatePersonCode('161175-19997') // { ok: true, normalised: '16117519997', format: 'legacy' }
 */
export function validatePersonCode(input: string): PersonCodeResult {
  if (typeof input !== 'string') return { ok: false, reason: 'format: not a string' };
  const s = input.trim();
  let d: string;
  if (s.length === 12 && s.charCodeAt(6) === 45) d = s.slice(0, 6) + s.slice(7);
  else if (s.length === 11) d = s;
  else return { ok: false, reason: FORMAT_REASON };
  if (!isElevenDigits(d)) return { ok: false, reason: FORMAT_REASON };
  const problem = personCodeDigitsProblem(d);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, normalised: d, format: d.startsWith('32') ? 'new' : 'legacy' };
}
