/**
 * Timestamps of log sources to ISO 8601 UTC (`@timestamp`).
 *
 * Sources that write wall-clock time without a zone (RFC 3164 syslog, Oracle EVENT_TIMESTAMP in the session
 * time zone, some application logs) are read as Europe/Riga time, where VPS runs; DST is taken from the IANA
 * time zone database through Intl.
 */

export const DEFAULT_ZONE = 'Europe/Riga';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

/** Month number (1–12) from an English abbreviation, case-insensitive. */
export function monthNumber(abbrev: string): number | undefined {
  return MONTHS[abbrev.slice(0, 3).toLowerCase()];
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
// Already canonical (what JavaScript's toISOString writes): returned as is once its fields are checked.
const CANONICAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{3}Z$/;
/** The `YYYY-MM-DDTHH:MM:SS.` prefix of the last canonical timestamp found valid (a stream stays in one second). */
let lastValidSecond = '';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * A formatter equal to `new Date(ms).toISOString()` that reuses the date-and-seconds prefix of its previous call
 * (timestamps of one stream arrive mostly in order, and toISOString is comparatively slow). Give each stream of
 * timestamps its own formatter so that they do not evict each other.
 */
export function createIsoFormatter(): (ms: number) => string {
  let isoSecond = NaN;
  let isoPrefix = '';
  return (ms) => {
    if (!(ms >= -62167219200000 && ms <= 253402300799999)) return new Date(ms).toISOString(); // outside years 0–9999
    const second = Math.floor(ms / 1000);
    if (second !== isoSecond) {
      isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
      isoSecond = second;
    }
    const frac = ms - second * 1000;
    return isoPrefix + (frac < 10 ? '00' : frac < 100 ? '0' : '') + frac + 'Z';
  };
}

/** `new Date(ms).toISOString()` for event times read by parsers (see createIsoFormatter). */
export const isoFromEpoch = createIsoFormatter();

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<number, number>();

/** Offset (ms) of `zone` from UTC at instant `utcMs`, cached per zone-hour. */
function zoneOffset(utcMs: number, zone: string): number {
  const hourKey = Math.floor(utcMs / 3_600_000);
  const cacheKey = zone === DEFAULT_ZONE ? hourKey : NaN;
  const hit = offsetCache.get(cacheKey);
  if (hit !== undefined) return hit;
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(hourKey * 3_600_000))) p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const offset = asUtc - hourKey * 3_600_000;
  if (!Number.isNaN(cacheKey)) {
    if (offsetCache.size > 10_000) offsetCache.clear();
    offsetCache.set(cacheKey, offset);
  }
  return offset;
}

/**
 * The UTC instant of a wall-clock time in `zone`. In the repeated hour after DST ends, the first (summer time)
 * instant is chosen; a time in the skipped hour maps forward.
 */
export function wallTimeToUtc(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, zone = DEFAULT_ZONE,
): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const first = wall - zoneOffset(wall, zone);
  return wall - zoneOffset(first, zone);
}

/** Validates calendar fields (Date.UTC silently rolls 31 Feb over into March). */
export function validFields(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  if (d <= 28) return true;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 ? (leap ? 29 : 28) : DAYS[mo - 1]);
}

/** Epoch milliseconds from fields plus an offset text (`Z`, `+02:00`, `+0200`, `+02`) or, without one, the zone. */
export function fieldsToEpoch(
  y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offset: string | undefined,
): number | undefined {
  if (!validFields(y, mo, d, h, mi, Math.min(s, 59))) return undefined;
  if (s === 60) s = 59; // leap second (RFC 3339 §5.7): keep it inside the minute
  if (offset === undefined) return wallTimeToUtc(y, mo, d, h, mi, s, ms);
  const base = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  if (offset === 'Z' || offset === 'z') return base;
  const sign = offset[0] === '-' ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  const oh = Number(digits.slice(0, 2));
  const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (oh > 23 || om > 59) return undefined;
  return base - sign * (oh * 60 + om) * 60_000;
}

/**
 * Parses a timestamp value to ISO 8601 UTC, or undefined when it is not one. Accepts ISO 8601 / RFC 3339 (`T` or
 * space, any fraction, `Z`/offset/none), epoch milliseconds and epoch seconds (numbers below 10¹¹).
 */
export function toIsoTimestamp(v: unknown): string | undefined {
  let ms: number | undefined;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined;
    ms = v < 1e11 ? v * 1000 : v;
  } else if (typeof v === 'string') {
    if (
      v.length === 24 && lastValidSecond !== '' && v.startsWith(lastValidSecond) && v.charCodeAt(23) === 90 /* Z */ &&
      isDigit(v.charCodeAt(20)) && isDigit(v.charCodeAt(21)) && isDigit(v.charCodeAt(22))
    ) {
      return v;
    }
    const c = v.length === 24 ? CANONICAL.exec(v) : null;
    if (c) {
      if (!validFields(+c[1], +c[2], +c[3], +c[4], +c[5], +c[6]) || c[6] === '60') return undefined;
      lastValidSecond = v.slice(0, 20);
      return v;
    }
    const m = ISO.exec(v.trim());
    if (!m) return /^\d{10,13}(\.\d+)?$/.test(v.trim()) ? toIsoTimestamp(Number(v.trim())) : undefined;
    const frac = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
    ms = fieldsToEpoch(+m[1], +m[2], +m[3], m[4] ? +m[4] : 0, m[5] ? +m[5] : 0, m[6] ? +m[6] : 0, frac, m[8]);
  }
  if (ms === undefined || !Number.isFinite(ms) || ms > 253402300799999) return undefined; // year ≤ 9999
  return isoFromEpoch(Math.floor(ms));
}
