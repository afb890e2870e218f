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

/** Riga hour of day (0–23) of an instant given as UTC milliseconds; DST-safe. */
export function rigaHourAt(ms: number): number {
  const local = ms + rigaOffsetMinutesAt(ms) * 60000;
  return Math.floor(local / 3600000) - Math.floor(local / 86400000) * 24;
}

