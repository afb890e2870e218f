// Alerts page: filter and sort the alerts of the caller's tenants (the server scopes them), counts by severity,
// municipality and rule in charts (chart.js), and a detail panel to assign, set the status and comment. Signed in
// with the cookie session (state changes carry its CSRF token) or an API token (sessionStorage, as index.html).
// Rendered with textContent only: titles, entities and comments come from logs and people. Riga time (format.js).
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { tokenStore } from './api.js';
import { formatDateTime, formatNumber } from './format.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { ALERT_STRINGS } from './alerts.i18n.js';
import { apiCall, applyPageLanguage, sessionOrSignIn } from './request.js';

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], ALERT_STRINGS[lang]);

const STATUSES = ['open', 'acknowledged', 'in_progress', 'closed_true_positive', 'closed_false_positive', 'closed_benign'];
const LEVELS = ['critical', 'high', 'medium', 'low', 'informational'];
const LEVEL_COLOURS = { informational: '#9aa5b1', low: '#86b0c9', medium: '#c9b458', high: '#d08c60', critical: '#b5323a' };

const state = { lang: initialLanguage(localStorage), session: null, alerts: [], total: 0, next: undefined, stats: null, current: null, charts: {} };
const t = (key, vars) => translate(state.lang, key, vars);


/** A call to the API: Bearer token when one is kept, else the cookie session with its CSRF token on changes. */
const call = (method, url, body) => apiCall(method, url, body, { csrf: state.session?.csrfToken, networkMessage: t('alerts.network') });

function showError(err) {
  if (err?.status === 401) {
    location.replace(tokenStore.get() ? 'index.html#token' : 'signin.html');
    return;
  }
  $('alerts-error').textContent = t('alerts.error', { detail: err?.problem?.detail || err?.problem?.title || String(err?.status ?? err) });
  $('alerts-error').hidden = false;
}

function filterQuery() {
  const p = new URLSearchParams();
  const fields = { status: 'f-status', level: 'f-level', tenant: 'f-tenant', ruleId: 'f-rule', assignee: 'f-assignee' };
  for (const [name, id] of Object.entries(fields)) if ($(id).value.trim()) p.set(name, $(id).value.trim());
  p.set('sort', $('f-sort').value);
  return p;
}

async function loadList(append) {
  const p = filterQuery();
  if (append && state.next) p.set('after', state.next);
  const page = await call('GET', `/api/v1/alerts?${p}`);
  state.alerts = append ? [...state.alerts, ...page.alerts] : page.alerts;
  state.total = page.total;
  state.next = page.next;
}

async function load(append = false) {
  try {
    await Promise.all([loadList(append), append ? undefined : call('GET', '/api/v1/alerts/stats').then((s) => (state.stats = s))]);
    $('alerts-error').hidden = true;
    render();
  } catch (err) {
    showError(err);
  }
}

function levelBadge(level) {
  return el('span', { className: `level level-${level}` }, t(`level.${level}`));
}

function renderRows() {
  const body = $('alerts-rows');
  body.replaceChildren();
  for (const a of state.alerts) {
    const tr = el('tr', { 'data-testid': 'alert-row', tabindex: '0', 'data-id': a.id });
    const level = el('td');
    level.append(levelBadge(a.level));
    tr.append(
      el('td', {}, formatDateTime(state.lang, a.lastSeen)),
      level,
      el('td', {}, a.title),
      el('td', {}, a.tenant),
      el('td', {}, a.entity || a.groupKey || '—'),
      el('td', { className: 'num' }, formatNumber(state.lang, a.count)),
      el('td', {}, t(`status.${a.status}`)),
      el('td', {}, a.assignee || '—'),
    );
    const open = () => showDetail(a.id);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => (e.key === 'Enter' ? open() : undefined));
    body.append(tr);
  }
  $('alerts-empty').hidden = state.alerts.length > 0;
  $('alerts-more').hidden = !state.next;
  $('alerts-total').textContent = t('alerts.total', { shown: formatNumber(state.lang, state.alerts.length), total: formatNumber(state.lang, state.total) });
}

function barChart(id, rows, label, colours) {
  if (!window.Chart || !rows) return;
  state.charts[id]?.destroy();
  const canvas = $(id);
  canvas.setAttribute('aria-label', rows.map((r) => `${label(r)}: ${r.count}`).join('; ') || t('alerts.empty'));
  state.charts[id] = new window.Chart(canvas, {
    type: 'bar',
    data: { labels: rows.map(label), datasets: [{ data: rows.map((r) => r.count), backgroundColor: colours ? rows.map(colours) : '#4f7cac' }] },
    options: { indexAxis: 'y', animation: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
}

function renderCharts() {
  const s = state.stats;
  if (!s) return;
  const byLevel = [...s.byLevel].sort((a, b) => LEVELS.indexOf(a.key) - LEVELS.indexOf(b.key));
  barChart('c-level', byLevel, (r) => t(`level.${r.key}`), (r) => LEVEL_COLOURS[r.key] ?? '#9aa5b1');
  barChart('c-tenant', s.byTenant, (r) => r.key);
  barChart('c-rule', [...s.byRule].sort((a, b) => b.count - a.count).slice(0, 10), (r) => r.title || r.key);
}

function listOf(id, items, line) {
  const ul = $(id);
  ul.replaceChildren(...items.map((x) => el('li', {}, line(x))));
}

function renderDetail() {
  const a = state.current;
  $('alert-detail').hidden = !a;
  if (!a) return;
  $('d-title').textContent = `${a.title} (${t(`level.${a.level}`)})`;
  $('d-meta').textContent = [
    `${t('alerts.rule')}: ${a.ruleId}`,
    `${t('alerts.tenant')}: ${a.tenant}`,
    `${t('alerts.entity')}: ${a.entity || a.groupKey || '—'}`,
    `${t('alerts.count')}: ${formatNumber(state.lang, a.count)}`,
    `${t('alerts.firstSeen')}: ${formatDateTime(state.lang, a.firstSeen)}`,
    `${t('alerts.lastSeen')}: ${formatDateTime(state.lang, a.lastSeen)}`,
    ...(a.tags?.length ? [a.tags.join(', ')] : []),
  ].join(' · ');
  // Sigma rules from the public collection keep their author (the Detection Rule License asks for attribution).
  $('d-author').hidden = !a.author;
  $('d-author').textContent = a.author ? t('alerts.author', { author: a.author }) : '';
  $('d-suppressed').hidden = !a.suppressedBy;
  $('d-suppressed').textContent = a.suppressedBy ? t('alerts.suppressed', { id: a.suppressedBy }) : '';
  $('d-assignee').value = a.assignee || '';
  $('d-status').value = a.status;
  listOf('d-evidence', a.evidence ?? [], (id) => id);
  listOf('d-comments', a.comments ?? [], (c) => `${formatDateTime(state.lang, c.at)} ${c.by}: ${c.text}`);
  listOf('d-history', a.history ?? [], (h) => `${formatDateTime(state.lang, h.at)} ${h.by}: ${h.action}${h.from || h.to ? ` (${h.from ?? '—'} → ${h.to ?? '—'})` : ''}`);
}

function render() {
  renderRows();
  renderCharts();
  renderDetail();
}

async function showDetail(id) {
  try {
    state.current = await call('GET', `/api/v1/alerts/${encodeURIComponent(id)}`);
    $('d-message').textContent = '';
    renderDetail();
    $('alert-detail').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    showError(err);
  }
}

/** One triage action on the open alert; the answer is the updated alert (with its history). */
async function triage(action, body) {
  const a = state.current;
  if (!a) return;
  try {
    state.current = await call('POST', `/api/v1/alerts/${encodeURIComponent(a.id)}/${action}`, body);
    state.alerts = state.alerts.map((x) => (x.id === a.id ? state.current : x));
    $('d-message').textContent = t('alerts.saved');
    render();
  } catch (err) {
    if (err?.status === 401) return showError(err);
    $('d-message').textContent = t('alerts.error', { detail: err?.problem?.detail || String(err?.status) });
  }
}

function fillSelects() {
  for (const [id, values, prefix, withAll] of [['f-status', STATUSES, 'status', true], ['f-level', LEVELS, 'level', true], ['d-status', STATUSES, 'status', false]]) {
    const sel = $(id);
    const keep = sel.value;
    sel.replaceChildren(...(withAll ? [el('option', { value: '', 'data-i18n': 'alerts.all' }, t('alerts.all'))] : []), ...values.map((v) => el('option', { value: v }, t(`${prefix}.${v}`))));
    sel.value = keep;
  }
}

function applyLanguage() {
  applyPageLanguage(state.lang, t, 'alerts.title');
  fillSelects();
  render();
}

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});
$('alerts-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  state.next = undefined;
  load();
});
$('alerts-more').addEventListener('click', () => load(true));
$('d-close').addEventListener('click', () => {
  state.current = null;
  renderDetail();
});
$('d-assign').addEventListener('click', () => triage('assign', { assignee: $('d-assignee').value.trim() || null }));
$('d-assign-me').addEventListener('click', () => state.session?.user?.username && triage('assign', { assignee: state.session.user.username }));
$('d-set-status').addEventListener('click', () => triage('status', { status: $('d-status').value }));
$('d-comment-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('d-comment').value.trim();
  if (!text) return;
  await triage('comments', { text });
  if ($('d-message').textContent === t('alerts.saved')) $('d-comment').value = '';
});

async function start() {
  applyLanguage();
  state.session = await sessionOrSignIn();
  if (state.session === undefined) return;
  $('d-assign-me').hidden = !state.session;
  await load();
}

start();
