// MFA coverage page: per municipality and VPS application the share of accounts whose holder has a second factor
// (a <meter> bar), the accounts still without one, password-only logins after the deadline, and a CSV export.
// Data from GET /api/v1/mfa/coverage (scoped by the server to the caller's tenants). Rendered with textContent
// only: usernames come from logs. Dates in Europe/Riga, DD.MM.YYYY in Latvian (format.js).
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { ApiError, getJson, tokenStore } from './api.js';
import { formatDate, formatDateTime, formatNumber } from './format.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { MFA_STRINGS } from './mfa.i18n.js';

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], MFA_STRINGS[lang]);

const VPS_APPS = ['NINO', 'NEKIP', 'SOPA', 'DZIMTS', 'PERS', 'JUPIS', 'GVEDIS', 'ALGAS', 'KADRI', 'BUDZIS', 'NOMA', 'LIETVARIS', 'BARIS', 'ENZ', 'BRIDZIS', 'APUS', 'AMIS', 'VISVARIS'];
const DEFAULT_DEADLINE = '2026-07-02'; // shared/DOMAIN.md: password-only login switched off no later than 2 July 2026

const state = { lang: initialLanguage(localStorage), data: null, tenants: new Map(), updatedAt: null };
const t = (key, vars) => translate(state.lang, key, vars);


const pct = (share) => new Intl.NumberFormat(state.lang === 'lv' ? 'lv-LV' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(share);
/** A calendar date (YYYY-MM-DD) at noon UTC, so that it is the same day in Riga. */
const day = (ymd) => formatDate(state.lang, `${ymd}T12:00:00Z`);

function query() {
  const p = new URLSearchParams();
  if ($('mfa-tenant').value) p.set('tenant', $('mfa-tenant').value);
  if ($('mfa-app').value) p.set('app', $('mfa-app').value);
  const s = p.toString();
  return s ? `?${s}` : '';
}

function renderRows() {
  const body = $('mfa-rows');
  body.replaceChildren();
  const d = state.data;
  if (!d) return;
  const now = Date.now();
  for (const r of d.rows) {
    const due = r.required && Date.parse(`${r.deadline}T00:00:00+03:00`) <= now && r.share < 1;
    const tr = el('tr', { 'data-testid': 'mfa-row', className: due ? 'due' : '' });
    const share = el('td');
    const wrap = el('div', { className: 'share' });
    const meter = el('meter', { min: '0', max: '1', low: '0.5', high: '0.95', optimum: '1', value: String(r.share), 'aria-label': t('mfa.share.aria', { withFactor: r.withFactor, accounts: r.accounts }) });
    wrap.append(meter, el('span', { className: 'pct' }, pct(r.share)));
    share.append(wrap);
    tr.append(
      el('th', { scope: 'row' }, r.tenantName || r.tenant),
      el('td', {}, r.application || '—'),
      el('td', { className: 'num' }, formatNumber(state.lang, r.accounts)),
      share,
      el('td', { className: 'num' }, formatNumber(state.lang, r.byMethod.totp)),
      el('td', { className: 'num' }, formatNumber(state.lang, r.byMethod.webauthn)),
      el('td', { className: 'num' }, formatNumber(state.lang, r.passwordOnlyLogins)),
      el('td', { className: 'deadline' }, r.required ? day(r.deadline) : t('mfa.notRequired')),
    );
    body.append(tr);
  }
  $('mfa-empty').hidden = d.rows.length > 0;
  const tot = d.totals;
  $('mfa-total').textContent = t('mfa.total', { withFactor: formatNumber(state.lang, tot.withFactor), accounts: formatNumber(state.lang, tot.accounts), pct: pct(tot.share) });
  const deadlines = d.rows.filter((r) => r.required).map((r) => r.deadline).sort();
  $('mfa-deadline').textContent = t('mfa.deadlineNote', { date: day(deadlines[0] || DEFAULT_DEADLINE) });
}

function renderWithout() {
  const body = $('mfa-without');
  body.replaceChildren();
  const items = state.data?.withoutFactor ?? [];
  for (const u of items) {
    const who = el('td');
    who.append(el('span', {}, u.username));
    if (!u.enrolled) who.append(el('span', { className: 'sub' }, t('mfa.notEnrolled')));
    const seen = el('td');
    if (u.lastSeenAt) seen.append(el('time', { datetime: u.lastSeenAt }, formatDateTime(state.lang, u.lastSeenAt)));
    const tr = el('tr', { 'data-testid': 'mfa-without-row' });
    tr.append(who, el('td', {}, state.tenants.get(u.tenant) || u.tenant), el('td', {}, u.application), seen);
    body.append(tr);
  }
  $('mfa-without-empty').hidden = items.length > 0 || !state.data;
}

function renderPasswordOnly() {
  const body = $('mfa-pwonly');
  body.replaceChildren();
  const items = state.data?.passwordOnlyLogins ?? [];
  for (const l of items) {
    const when = el('td');
    when.append(el('time', { datetime: l.at }, formatDateTime(state.lang, l.at)));
    const who = el('td');
    who.append(el('span', {}, l.username), el('span', { className: 'sub' }, state.tenants.get(l.tenant) || l.tenant));
    const tr = el('tr', { 'data-testid': 'mfa-pwonly-row' });
    tr.append(when, who, el('td', {}, l.application || '—'), el('td', { className: 'mono' }, l.sourceIp || ''));
    body.append(tr);
  }
  $('mfa-pwonly-empty').hidden = items.length > 0 || !state.data;
  $('mfa-truncated').hidden = !state.data?.truncated;
}

function renderAll() {
  document.documentElement.lang = state.lang;
  $('lang').value = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  document.title = t('mfa.title');
  renderRows();
  renderWithout();
  renderPasswordOnly();
  $('mfa-updated').textContent = state.updatedAt ? t('mfa.updated', { time: formatDateTime(state.lang, state.updatedAt) }) : '';
}

function showError(err) {
  const box = $('mfa-error');
  box.hidden = false;
  box.textContent = err.problem?.code === 'step_up_required' ? t('mfa.stepUp') : err.status === 0 ? t('error.network') : t('error.generic', { detail: err.problem?.detail || err.message });
}

function fillTenantOptions() {
  const select = $('mfa-tenant');
  const chosen = select.value;
  for (const r of state.data?.rows ?? []) state.tenants.set(r.tenant, r.tenantName || r.tenant);
  select.replaceChildren(el('option', { value: '', 'data-i18n': 'mfa.all' }, t('mfa.all')));
  for (const [id, name] of [...state.tenants].sort((a, b) => a[1].localeCompare(b[1], 'lv'))) select.append(el('option', { value: id }, name));
  select.value = chosen;
}

async function load() {
  try {
    state.data = await getJson(`/api/v1/mfa/coverage${query()}`);
    state.updatedAt = new Date().toISOString();
    $('mfa-error').hidden = true;
    fillTenantOptions();
    renderAll();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401 && !tokenStore.get()) return location.replace('signin.html');
    showError(err instanceof ApiError ? err : new ApiError(0, {}));
  }
}

/** The CSV through fetch (a Bearer token cannot ride on a plain link), saved under the server's file name. */
async function downloadCsv() {
  const headers = { Accept: 'text/csv, application/problem+json' };
  if (tokenStore.get()) headers.Authorization = `Bearer ${tokenStore.get()}`;
  let res;
  try {
    res = await fetch(`/api/v1/mfa/coverage.csv${query()}`, { headers, cache: 'no-store' });
  } catch {
    return showError(new ApiError(0, {}));
  }
  if (!res.ok) return showError(new ApiError(res.status, await res.json().catch(() => ({}))));
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') || '')?.[1] || 'mfa-coverage.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

for (const app of VPS_APPS) $('mfa-app').append(el('option', { value: app }, app));
$('mfa-filter').addEventListener('submit', (ev) => {
  ev.preventDefault();
  load();
});
$('mfa-csv').addEventListener('click', () => downloadCsv());
onLanguagePicked((lang) => {
  state.lang = lang;
  renderAll();
});

renderAll();
load();
