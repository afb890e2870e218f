// The Sargs dashboard's first screen: the overview (events per application per hour, sources and their latest
// event, dead letters, backend health) for a signed-in account (cookie session from signin.html) or for an API
// token (index.html#token, kept for machines). Everything is rendered with textContent
// (never innerHTML): dead-letter reasons and source names come from senders and must not become markup.
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { api, ApiError, tokenStore } from './api.js';
import { formatBytes, formatDate, formatDateTime, formatHourLabel, formatNumber, formatTime } from './format.js';
import { initialLanguage, translate } from './i18n.js';

const STALE_MS = 60 * 60 * 1000; // a source silent for more than an hour is highlighted
const REFRESH_MS = 60 * 1000;
// One muted, distinct colour per VPS application (DOMAIN.md), stable across reloads; others take a hashed one.
const APP_COLOURS = {
  NINO: '#3b6e8f', NEKIP: '#86b0c9', SOPA: '#d08c60', PERS: '#6a9f6a', DZIMTS: '#a06fa8', JUPIS: '#c9b458',
  GVEDIS: '#5e9ea0', ALGAS: '#b5656b', KADRI: '#e3a9ad', BUDZIS: '#8f7a5b', NOMA: '#9bb36b', LIETVARIS: '#4f7cac',
  BARIS: '#c27ba0', ENZ: '#2f4858', BRIDZIS: '#d4a373', APUS: '#7b8794', AMIS: '#a3a36b', VISVARIS: '#5c6f9e',
};
const PALETTE = Object.values(APP_COLOURS);

const state = { lang: initialLanguage(localStorage), session: null, hours: 24, overview: null, dead: null, health: null, updatedAt: null, chart: null, timer: null };
const t = (key, vars) => translate(state.lang, key, vars);


function applyLanguage() {
  document.documentElement.lang = state.lang;
  $('lang').value = state.lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  document.title = t('app.title');
  $('dead-toggle').textContent = t($('dead-list').hidden ? 'dead.show' : 'dead.hide');
  renderAll();
}

function colourOf(app) {
  if (APP_COLOURS[app]) return APP_COLOURS[app];
  let h = 0;
  for (const c of app) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

/** Hour buckets from `from` to `to` (UTC hour starts) so empty hours show as gaps, not as missing bars. */
function hourBuckets(overview) {
  const first = Math.floor(Date.parse(overview.from) / 3600000) * 3600000;
  const last = Math.floor((Date.parse(overview.to) - 1) / 3600000) * 3600000;
  const hours = [];
  for (let h = first; h <= last; h += 3600000) hours.push(h);
  return hours;
}

function renderChart() {
  const o = state.overview;
  if (!o) return;
  const hours = hourBuckets(o);
  const index = new Map(hours.map((h, i) => [h, i]));
  const apps = [...new Set(o.hourly.map((r) => r.app))].sort();
  const series = new Map(apps.map((a) => [a, new Array(hours.length).fill(0)]));
  let total = 0;
  for (const r of o.hourly) {
    const i = index.get(Math.floor(Date.parse(r.hour) / 3600000) * 3600000);
    if (i === undefined) continue;
    series.get(r.app)[i] += r.count;
    total += r.count;
  }
  const withDay = state.hours > 24;
  const labels = hours.map((h) => formatHourLabel(state.lang, h, withDay));
  const canvas = $('events-chart');
  canvas.setAttribute('aria-label', t('chart.aria', {
    total: formatNumber(state.lang, total), apps: apps.length,
    from: formatDateTime(state.lang, o.from), to: formatDateTime(state.lang, o.to),
  }));
  $('chart-empty').hidden = total > 0;
  if (!window.Chart) return;
  const datasets = apps.map((app) => ({ label: app || t('app.none'), data: series.get(app), backgroundColor: colourOf(app), borderWidth: 0, stack: 'events' }));
  if (state.chart) state.chart.destroy();
  state.chart = new window.Chart(canvas, {
    type: 'bar',
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12, color: '#5b6675' } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0, color: '#5b6675', callback: (v) => formatNumber(state.lang, v) }, grid: { color: '#eef1f4' } },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 12, boxHeight: 12, color: '#2b3440' } },
        tooltip: { callbacks: { footer: (items) => `${t('chart.total')}: ${formatNumber(state.lang, items.reduce((s, i) => s + i.parsed.y, 0))}` } },
      },
    },
  });
}

function renderSources() {
  const o = state.overview;
  const body = $('sources-body');
  body.replaceChildren();
  if (!o) return;
  const now = Date.now();
  const rows = [...o.sources].sort((a, b) => a.tenant.localeCompare(b.tenant) || a.app.localeCompare(b.app) || a.dataset.localeCompare(b.dataset));
  for (const s of rows) {
    const stale = now - Date.parse(s.lastEventAt) > STALE_MS;
    const tr = el('tr', { 'data-testid': 'source-row', 'data-stale': String(stale), className: stale ? 'stale' : '' });
    tr.append(el('th', { scope: 'row' }, s.tenant), el('td', {}, s.app || t('app.none')), el('td', { className: 'mono' }, s.dataset));
    const last = el('td', { 'data-testid': 'source-last' });
    last.append(el('time', { datetime: s.lastEventAt }, formatDateTime(state.lang, s.lastEventAt)));
    if (stale) last.append(' ', el('span', { className: 'badge warn' }, t('sources.stale')));
    tr.append(last, el('td', { className: 'num' }, formatNumber(state.lang, s.events)));
    body.append(tr);
  }
  $('sources-empty').hidden = rows.length > 0;
}

function renderDeadLetters() {
  const o = state.overview;
  if (o) $('dead-count').textContent = t('dead.count', { count: formatNumber(state.lang, o.deadLetters.total) });
  const body = $('dead-body');
  body.replaceChildren();
  const items = state.dead?.items ?? [];
  for (const d of items) {
    const tr = el('tr', { 'data-testid': 'deadletter-row' });
    const when = el('td');
    when.append(el('time', { datetime: d.receivedAt }, formatDateTime(state.lang, d.receivedAt)));
    const source = el('td');
    source.append(el('span', {}, d.source), el('span', { className: 'sub' }, [d.tenant, d.transport, d.parser].filter(Boolean).join(' · ')));
    const reason = el('td', {}, d.reason);
    if (d.field) reason.append(' ', el('code', {}, d.field));
    tr.append(when, source, reason);
    body.append(tr);
  }
  $('dead-empty').hidden = items.length > 0;
}

function renderHealth() {
  const h = state.health;
  const list = $('health-list');
  list.replaceChildren();
  if (!h) return;
  const overall = $('health-status');
  overall.textContent = t(h.status === 'ok' ? 'health.ok' : 'health.degraded');
  overall.className = `health-overall ${h.status === 'ok' ? 'ok' : 'bad'}`;
  for (const name of ['events', 'state', 'jobs']) {
    const b = h.backends?.[name];
    if (!b) continue;
    const li = el('li', { 'data-testid': `health-${name}`, className: b.ok ? 'ok' : 'bad' });
    li.append(el('span', { className: 'dot', 'aria-hidden': 'true' }), el('span', { className: 'what' }, t(`health.${name}`)),
      el('span', { className: 'kind mono' }, b.kind), el('span', { className: 'state' }, t(b.ok ? 'health.ok' : 'health.fail')));
    if (b.detail) li.append(el('span', { className: 'sub' }, b.detail));
    list.append(li);
  }
  $('health-spool').textContent = h.spool ? t('health.spool', { depth: formatNumber(state.lang, h.spool.depth), bytes: formatBytes(state.lang, h.spool.bytes) }) : '';
}

function renderAll() {
  renderChart();
  renderSources();
  renderDeadLetters();
  renderHealth();
  $('overview').querySelector('.updated').textContent = state.updatedAt
    ? t('overview.updated', { time: `${formatDate(state.lang, state.updatedAt)} ${formatTime(state.lang, state.updatedAt)}` })
    : t('overview.loading');
}

function showSignIn(message) {
  clearInterval(state.timer);
  state.timer = null;
  $('overview').hidden = true;
  $('signout').hidden = true;
  $('signin').hidden = false;
  $('signin-error').textContent = message || '';
  $('token').focus();
}

function showError(err) {
  const box = $('overview-error');
  box.hidden = false;
  box.textContent = err.status === 0 ? t('error.network') : t('error.generic', { detail: err.problem?.detail || err.problem?.title || err.message });
}

/** Loads everything; a 401 sends the user back to sign-in with the problem's detail. */
async function load() {
  try {
    const [overview, dead, health] = await Promise.all([
      api.overview(state.hours),
      api.deadLetters(20),
      api.health().catch(() => null),
    ]);
    Object.assign(state, { overview, dead, health, updatedAt: new Date().toISOString() });
    $('overview-error').hidden = true;
    renderAll();
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      if (!tokenStore.get()) {
        location.replace('signin.html'); // the cookie session ended (idle or absolute timeout)
        return false;
      }
      tokenStore.clear();
      showSignIn(err.problem?.detail || t('signin.expired'));
      return false;
    }
    showError(err instanceof ApiError ? err : new ApiError(0, {}));
    return true;
  }
}

async function showOverview() {
  $('signin').hidden = true;
  $('overview').hidden = false;
  $('signout').hidden = false;
  renderAll();
  if (await load()) {
    clearInterval(state.timer);
    state.timer = setInterval(() => { if (!document.hidden) load(); }, REFRESH_MS);
  }
}

$('signin-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = $('token').value.trim();
  if (!token) {
    $('signin-error').textContent = t('signin.missing');
    return;
  }
  tokenStore.set(token);
  $('token').value = '';
  showOverview();
});

$('signout').addEventListener('click', async () => {
  if (!tokenStore.get() && state.session) {
    // Cookie session: end it on the server (a state change, so with the session's CSRF token), then sign in again.
    await fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'X-CSRF-Token': state.session.csrfToken } }).catch(() => undefined);
    location.replace('signin.html');
    return;
  }
  tokenStore.clear();
  Object.assign(state, { overview: null, dead: null, health: null, updatedAt: null });
  showSignIn('');
});

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});

$('range').addEventListener('change', () => {
  state.hours = Number($('range').value) === 168 ? 168 : 24;
  load();
});

$('refresh').addEventListener('click', () => load());

$('dead-toggle').addEventListener('click', () => {
  const list = $('dead-list');
  list.hidden = !list.hidden;
  $('dead-toggle').setAttribute('aria-expanded', String(!list.hidden));
  $('dead-toggle').textContent = t(list.hidden ? 'dead.show' : 'dead.hide');
});

/** The signed-in cookie session (GET /api/v1/auth/session), or null. */
async function currentSession() {
  try {
    const res = await fetch('/api/v1/auth/session', { headers: { Accept: 'application/json' }, cache: 'no-store' });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

applyLanguage();
// A person signs in with an account (signin.html); an API token remains the way in for machines (index.html#token).
if (tokenStore.get()) showOverview();
else if (location.hash === '#token') showSignIn('');
else {
  currentSession().then((session) => {
    state.session = session;
    if (session) showOverview();
    else location.replace('signin.html');
  });
}
