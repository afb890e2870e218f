// Shared by incidents.html and incident.html: API calls (Bearer token or the cookie session with its CSRF token),
// element building with textContent only (titles and notes come from people), clocks in Riga time, language.
import { tokenStore } from './api.js';
import { $, el } from './dom.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { INCIDENT_STRINGS } from './incidents.i18n.js';
import { onLanguagePicked } from './layout.js';
import { apiCall } from './request.js';

export { $, el };

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], INCIDENT_STRINGS[lang]);

export const page = { lang: initialLanguage(localStorage), session: null };
export const t = (key, vars) => translate(page.lang, key, vars);


/** A call to the API: Bearer token when one is kept, else the cookie session with its CSRF token on changes. */
export const call = (method, url, body) => apiCall(method, url, body, { csrf: page.session?.csrfToken, networkMessage: t('inc.network') });

/** Downloads a file answer (PDF, JSON export) with the same credentials as call(). */
export async function download(url, fileName) {
  const token = tokenStore.get();
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {}, credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) throw { status: res.status, problem: await res.json().catch(() => ({})) };
  const a = el('a', { href: URL.createObjectURL(await res.blob()), download: fileName });
  document.body.append(a);
  a.click();
  a.remove();
}

/** Signs the page in: the API token of index.html#token, or the cookie session (else to the sign-in page). */
export async function signedIn() {
  if (tokenStore.get()) return true;
  try {
    page.session = await call('GET', '/api/v1/auth/session');
    return true;
  } catch {
    location.replace('signin.html');
    return false;
  }
}

export function errorText(err) {
  return t('inc.error', { detail: err?.problem?.detail || err?.problem?.title || String(err?.status ?? err) });
}

/** "5 h 12 min" left, or "overdue by 2 h 5 min". */
export function timeLeft(ms) {
  if (ms === null || ms === undefined) return t('inc.none');
  const abs = Math.abs(ms);
  const vars = { h: Math.floor(abs / 3600000), m: Math.floor((abs % 3600000) / 60000) };
  return ms >= 0 ? t('inc.left', vars) : t('inc.overdueBy', vars);
}

/** CSS class of a clock: its escalation step (colour) or its state. */
export function clockClass(c) {
  if (c.state === 'overdue') return 'clock clock-overdue';
  if (c.state === 'running') return `clock clock-step-${Math.min(c.stepRank || 0, 4)}`;
  return `clock clock-${c.state}`;
}

/** The UTC ISO instant of a Riga wall-clock time from an <input type=datetime-local> value (DST-safe). */
export function rigaLocalToIso(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const offset = (ms) => {
    const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(ms)).filter((x) => x.type !== 'literal').map((x) => [x.type, +x.value]));
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute) - Math.floor(ms / 60000) * 60000;
  };
  let guess = naive - 2 * 3600000;
  guess = naive - offset(guess);
  return new Date(naive - offset(guess)).toISOString();
}

export function onLanguageChange(apply) {
  onLanguagePicked((lang) => {
    page.lang = lang;
    apply();
  });
}
