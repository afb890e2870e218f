// Dates and numbers for the dashboard: always in Europe/Riga time; dates DD.MM.YYYY in Latvian.

const ZONE = 'Europe/Riga';
const cache = new Map();

function formatter(lang, options) {
  const key = `${lang}|${JSON.stringify(options)}`;
  if (!cache.has(key)) cache.set(key, new Intl.DateTimeFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', { timeZone: ZONE, ...options }));
  return cache.get(key);
}

function parts(lang, date, options) {
  const out = {};
  for (const p of formatter(lang, options).formatToParts(date)) out[p.type] = p.value;
  return out;
}

/** "30.11.2026" in Latvian (built from parts: the lv locale would add a trailing dot), "30 Nov 2026" in English. */
export function formatDate(lang, value) {
  const date = new Date(value);
  if (lang === 'lv') {
    const p = parts(lang, date, { day: '2-digit', month: '2-digit', year: 'numeric' });
    return `${p.day}.${p.month}.${p.year}`;
  }
  return formatter(lang, { day: 'numeric', month: 'short', year: 'numeric' }).format(date);
}

/** "14:05", 24-hour clock, Riga time. */
export function formatTime(lang, value) {
  const p = parts(lang, new Date(value), { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return `${p.hour}:${p.minute}`;
}

/** Date and time: "30.11.2026 14:05". */
export function formatDateTime(lang, value) {
  return `${formatDate(lang, value)} ${formatTime(lang, value)}`;
}

/** Chart axis label of an hour: "14:00" for a day, "30.11. 14:00" / "30 Nov 14:00" for a week. */
export function formatHourLabel(lang, value, withDay) {
  const time = formatTime(lang, value);
  if (!withDay) return time;
  if (lang === 'lv') {
    const p = parts(lang, new Date(value), { day: '2-digit', month: '2-digit' });
    return `${p.day}.${p.month}. ${time}`;
  }
  return `${formatter(lang, { day: 'numeric', month: 'short' }).format(new Date(value))} ${time}`;
}

/** Thousands grouped the local way ("20 000" in Latvian, "20,000" in English). */
export function formatNumber(lang, n) {
  return new Intl.NumberFormat(lang === 'lv' ? 'lv-LV' : 'en-GB').format(n);
}

/** Bytes as B / KiB / MiB / GiB. */
export function formatBytes(lang, n) {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', { maximumFractionDigits: i === 0 ? 0 : 1 }).format(n)} ${units[i]}`;
}
