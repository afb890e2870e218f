/**
 * Europe/Riga wall-clock helpers and the Latvian working-day calendar, shared by the demo generator (staff habits
 * are in local time, events are in UTC) and detection (`sargs.riga.hour`, `sargs.riga.working_day`).
 * Offsets come from the IANA zone via Intl, so DST changes are handled. Working days follow DOMAIN.md (Mon–Fri less Latvian public holidays, 4 May and 18 November moved to Monday
 * when they fall on a weekend).
 */

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Riga',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** A Riga calendar date (month 1–12). */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

const offsetCache = new Map<number, number>();

/** Minutes Riga is ahead of UTC at an instant (120 in winter, 180 in summer); cached per UTC hour. */
export function rigaOffsetMinutes(at: Date): number {
  return rigaOffsetMinutesAt(at.getTime());
}

/** Minutes Riga is ahead of UTC at an instant given as UTC milliseconds; cached per UTC hour. */
export function rigaOffsetMinutesAt(ms: number): number {
  const hourKey = Math.floor(ms / 3600000);
  let off = offsetCache.get(hourKey);
  if (off === undefined) {
    const p: Record<string, number> = {};
    const probe = new Date(hourKey * 3600000);
    for (const part of partsFormat.formatToParts(probe)) if (part.type !== 'literal') p[part.type] = Number(part.value);
    off = Math.round((Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!) - probe.getTime()) / 60000);
    offsetCache.set(hourKey, off);
  }
  return off;
}

/** Riga wall-clock parts of an instant (weekday 0 = Sunday). */
export function rigaParts(at: Date): LocalDate & { hour: number; minute: number; second: number; weekday: number } {
  const l = new Date(at.getTime() + rigaOffsetMinutes(at) * 60000);
  return {
    year: l.getUTCFullYear(), month: l.getUTCMonth() + 1, day: l.getUTCDate(),
    hour: l.getUTCHours(), minute: l.getUTCMinutes(), second: l.getUTCSeconds(), weekday: l.getUTCDay(),
  };
}

/** The UTC instant of a Riga wall-clock time (`minutes` after local midnight of `date`; may exceed 24 h). */
export function rigaLocalToUtc(date: LocalDate, minutes: number): Date {
  const naive = Date.UTC(date.year, date.month - 1, date.day) + minutes * 60000;
  let guess = new Date(naive - 120 * 60000);
  guess = new Date(naive - rigaOffsetMinutes(guess) * 60000);
  return new Date(naive - rigaOffsetMinutes(guess) * 60000);
}

/** The Riga date `n` days after `date`. */
export function addDays(date: LocalDate, n: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Day of week of a local date, 0 = Sunday. */
export function weekday(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** Western Easter Sunday (anonymous Gregorian algorithm). */
function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return { year, month, day };
}

const key = (d: LocalDate): string => `${d.month}-${d.day}`;

/** Latvian public holidays of a year (DOMAIN.md "Working days"), as `month-day` keys. */
function holidays(year: number): Set<string> {
  const set = new Set(['1-1', '5-1', '5-4', '6-23', '6-24', '11-18', '12-24', '12-25', '12-26', '12-31']);
  const easter = easterSunday(year);
  set.add(key(addDays(easter, -2))); // Good Friday
  set.add(key(addDays(easter, 1))); // Easter Monday
  for (const [month, day] of [[5, 4], [11, 18]] as const) {
    const wd = weekday({ year, month, day });
    // 4 May and 18 November falling on a weekend: the next Monday is off
    if (wd === 6) set.add(key(addDays({ year, month, day }, 2)));
    if (wd === 0) set.add(key(addDays({ year, month, day }, 1)));
  }
  return set;
}

/** True for a Latvian working day (Mon–Fri, not a public holiday). */
export function isLatvianWorkingDay(date: LocalDate): boolean {
  const wd = weekday(date);
  if (wd === 0 || wd === 6) return false;
  return !holidays(date.year).has(key(date));
}

const workingDayCache = new Map<number, boolean>();

/** Riga hour of day (0–23) of an instant given as UTC milliseconds; DST-safe. */
export function rigaHourAt(ms: number): number {
  const local = ms + rigaOffsetMinutesAt(ms) * 60000;
  return Math.floor(local / 3600000) - Math.floor(local / 86400000) * 24;
}

/** True when the instant (UTC milliseconds) falls on a Latvian working day in Riga; cached per local day. */
export function isRigaWorkingDayAt(ms: number): boolean {
  const localDay = Math.floor((ms + rigaOffsetMinutesAt(ms) * 60000) / 86400000);
  let working = workingDayCache.get(localDay);
  if (working === undefined) {
    const d = new Date(localDay * 86400000);
    working = isLatvianWorkingDay({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    workingDayCache.set(localDay, working);
  }
  return working;
}
