// Municipality view: who from other municipalities and state institutions read the municipality's residents' data in
// a period (GET /api/v1/municipality/{tenant}/cross-access), a chart by organisation (chart.js), the table by
// organisation × application × data category with outliers highlighted and their reason, drill-down to the events,
// and the monthly reports. Rendered with textContent only (names and users come from logs). Riga time (format.js).
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { tokenStore } from './api.js';
import { formatDate, formatDateTime, formatNumber } from './format.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { MUNICIPALITY_STRINGS } from './municipality.i18n.js';
import { applyPageLanguage, jsonRequest } from './request.js';

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], MUNICIPALITY_STRINGS[lang]);

const state = { lang: initialLanguage(localStorage), session: null, view: null, stored: null, reports: [], drill: null, chart: null };
const t = (key, vars) => translate(state.lang, key, vars);


/** A call to the API: Bearer token when one is kept, else the cookie session. */
async function call(url) {
  const token = tokenStore.get();
  if (!token) return jsonRequest('GET', url, undefined, { networkMessage: t('mv.network') });
  let res;
  try {
    res = await fetch(url, { headers: { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch {
    throw { status: 0, problem: { detail: t('mv.network') } };
  }
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw { status: res.status, problem: data };
  return data;
}

function showError(err) {
  if (err?.status === 401) {
    location.replace(tokenStore.get() ? 'index.html#token' : 'signin.html');
    return;
  }
  $('mv-error').textContent = t('mv.error', { detail: err?.problem?.detail || err?.problem?.title || String(err?.status ?? err) });
  $('mv-error').hidden = false;
}

/** The previous calendar month in Riga, YYYY-MM. */
function previousMonth() {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit' }).formatToParts(new Date())) p[x.type] = x.value;
  const y = Number(p.year);
  const m = Number(p.month);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

const tenant = () => $('f-tenant').value.trim();
function periodQuery() {
  const p = new URLSearchParams();
  if ($('f-mode').value === 'month') p.set('month', $('f-month').value);
  else {
    p.set('from', $('f-from').value);
    p.set('to', $('f-to').value);
  }
  return p;
}

const orgLabel = (r) => r.name || r.organization || t('mv.notRecorded');
const category = (c) => (c ? t(`cat.${c}`) === `cat.${c}` ? c : t(`cat.${c}`) : t('mv.none'));
const reasons = (r) => r.outliers.map((f) => f.text[state.lang] ?? f.text.en);

function renderSummary() {
  const v = state.view;
  if (!v) return ($('mv-summary').textContent = '');
  const last = new Date(Date.parse(v.period.to) - 1);
  let text = t('mv.summary', {
    name: v.name || v.residentsOf,
    from: formatDate(state.lang, v.period.from),
    to: formatDate(state.lang, last),
    accesses: formatNumber(state.lang, v.totals.accesses),
    organizations: formatNumber(state.lang, v.totals.organizations),
    outliers: formatNumber(state.lang, v.totals.outlierOrganizations),
  });
  if (state.stored) text += ` · ${t('mv.rep.stored', { month: state.stored, at: formatDateTime(state.lang, v.generatedAt) })}`;
  $('mv-summary').textContent = text;
}

function renderChart() {
  const v = state.view;
  if (!window.Chart || !v) return;
  state.chart?.destroy();
  const rows = v.organizations.slice(0, 15);
  const canvas = $('c-org');
  canvas.setAttribute('aria-label', rows.map((r) => `${orgLabel(r)}: ${r.accesses}${r.outliers.length ? ` (${reasons(r).join('; ')})` : ''}`).join('; ') || t('mv.empty'));
  state.chart = new window.Chart(canvas, {
    type: 'bar',
    data: {
      labels: rows.map(orgLabel),
      datasets: [{ label: t('mv.accesses'), data: rows.map((r) => r.accesses), backgroundColor: rows.map((r) => (r.outliers.length ? '#b5323a' : '#4f7cac')) }],
    },
    options: {
      indexAxis: 'y',
      animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: (ctx) => reasons(rows[ctx.dataIndex]).join('\n') } } },
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
}

function renderRows() {
  const body = $('mv-rows');
  body.replaceChildren();
  const v = state.view;
  for (const r of v?.rows ?? []) {
    const tr = el('tr', { 'data-testid': 'mv-row', ...(r.outliers.length ? { className: 'outlier', 'data-outlier': 'true' } : {}) });
    const reason = el('td', { className: 'reason', 'data-testid': 'mv-reason' });
    if (r.outliers.length) {
      const ul = el('ul');
      for (const text of reasons(r)) ul.append(el('li', {}, text));
      reason.append(ul);
    }
    const drill = el('td');
    // The unrecorded organisation ('') is not one organisation: no drill-down for it.
    if (r.organization) {
      const b = el('button', { type: 'button', className: 'button quiet', 'data-testid': 'mv-drill', 'aria-label': t('mv.drillLabel', { org: orgLabel(r), app: r.application || t('mv.none'), category: category(r.dataCategory) }) }, t('mv.drill'));
      b.addEventListener('click', () => openDrill(r));
      drill.append(b);
    }
    tr.append(
      el('td', {}, orgLabel(r)),
      el('td', {}, t(`kind.${r.kind}`)),
      el('td', {}, r.application || t('mv.none')),
      el('td', {}, category(r.dataCategory)),
      el('td', { className: 'num' }, formatNumber(state.lang, r.accesses)),
      el('td', { className: 'num' }, formatNumber(state.lang, r.distinctPersons)),
      el('td', { className: 'num' }, formatNumber(state.lang, r.distinctUsers)),
      reason,
      drill,
    );
    body.append(tr);
  }
  $('mv-empty').hidden = !v || v.rows.length > 0;
}

function renderDrill() {
  const d = state.drill;
  $('ev-panel').hidden = !d;
  if (!d) return;
  $('ev-title').textContent = t('mv.ev.title', { org: orgLabel(d.row), app: d.row.application || t('mv.none'), category: category(d.row.dataCategory) });
  $('ev-total').textContent = t('mv.ev.total', { shown: formatNumber(state.lang, d.events.length), total: formatNumber(state.lang, d.total) });
  $('ev-rows').replaceChildren(
    ...d.events.map((e) => {
      const tr = el('tr', { 'data-testid': 'ev-row' });
      tr.append(
        el('td', {}, formatDateTime(state.lang, e['@timestamp'])),
        el('td', {}, e.user?.name || e.user?.id || t('mv.none')),
        el('td', {}, e.service?.name || t('mv.none')),
        el('td', {}, e.event?.action || t('mv.none')),
        el('td', {}, category(e.vps?.data_category)),
        el('td', {}, e.vps?.purpose || t('mv.none')),
        el('td', { className: 'mono' }, e.vps?.subject?.person || t('mv.none')),
      );
      return tr;
    }),
  );
  $('ev-more').hidden = !d.next;
}

function renderReports() {
  $('rep-rows').replaceChildren(
    ...state.reports.map((r) => {
      const tr = el('tr', { 'data-testid': 'rep-row' });
      const open = el('td');
      if (r.state === 'built') {
        const b = el('button', { type: 'button', className: 'button quiet', 'data-testid': 'rep-open' }, t('mv.rep.open'));
        b.addEventListener('click', () => openReport(r.month));
        open.append(b);
      }
      tr.append(
        el('td', {}, `${formatDate(state.lang, r.period.from)}–${formatDate(state.lang, Date.parse(r.period.to) - 1)}`),
        el('td', {}, t(`mv.rep.state.${r.state}`)),
        el('td', { className: 'num' }, r.accesses === undefined ? t('mv.none') : formatNumber(state.lang, r.accesses)),
        el('td', { className: 'num' }, r.outlierOrganizations === undefined ? t('mv.none') : formatNumber(state.lang, r.outlierOrganizations)),
        el('td', {}, r.deliveredAt ? formatDateTime(state.lang, r.deliveredAt) : t('mv.none')),
        open,
      );
      return tr;
    }),
  );
  $('rep-empty').hidden = state.reports.length > 0;
}

function render() {
  renderSummary();
  renderChart();
  renderRows();
  renderDrill();
  renderReports();
  const q = periodQuery();
  q.set('lang', state.lang);
  $('mv-csv').href = `/api/v1/municipality/${encodeURIComponent(tenant())}/cross-access.csv?${q}`;
}

const base = () => `/api/v1/municipality/${encodeURIComponent(tenant())}`;

async function load() {
  try {
    const [view, reports] = await Promise.all([call(`${base()}/cross-access?${periodQuery()}`), call(`${base()}/reports`)]);
    state.view = view;
    state.stored = null;
    state.reports = reports.reports;
    state.drill = null;
    $('mv-error').hidden = true;
    const u = new URL(location.href);
    u.search = `?tenant=${encodeURIComponent(tenant())}&${periodQuery()}`;
    history.replaceState(null, '', u);
    render();
  } catch (err) {
    showError(err);
  }
}

async function openReport(month) {
  try {
    const r = await call(`${base()}/reports/${encodeURIComponent(month)}`);
    state.view = r.view;
    state.stored = month;
    state.drill = null;
    $('f-mode').value = 'month';
    $('f-month').value = month;
    syncMode();
    render();
  } catch (err) {
    showError(err);
  }
}

async function loadDrill(append) {
  const d = state.drill;
  const p = new URLSearchParams({ from: state.view.period.from, to: state.view.period.to, organization: d.row.organization, size: '50' });
  if (d.row.application) p.set('app', d.row.application);
  if (d.row.dataCategory) p.set('dataCategory', d.row.dataCategory);
  if (append && d.next) p.set('after', d.next);
  const page = await call(`${base()}/cross-access/events?${p}`);
  d.events = append ? [...d.events, ...page.events] : page.events;
  d.total = page.total;
  d.next = page.next;
}

async function openDrill(row) {
  state.drill = { row, events: [], total: 0, next: undefined };
  try {
    await loadDrill(false);
    renderDrill();
    $('ev-panel').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    showError(err);
  }
}

function syncMode() {
  const month = $('f-mode').value === 'month';
  $('month-fields').hidden = !month;
  $('range-fields').hidden = month;
  $('f-month').required = month;
  $('f-from').required = !month;
  $('f-to').required = !month;
}

function applyLanguage() {
  applyPageLanguage(state.lang, t, 'mv.title');
  render();
}

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});
$('f-mode').addEventListener('change', syncMode);
$('mv-form').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('ev-close').addEventListener('click', () => {
  state.drill = null;
  renderDrill();
});
$('ev-more').addEventListener('click', async () => {
  try {
    await loadDrill(true);
    renderDrill();
  } catch (err) {
    showError(err);
  }
});

async function start() {
  const q = new URLSearchParams(location.search);
  $('f-month').value = q.get('month') || previousMonth();
  if (q.get('from') && q.get('to')) {
    $('f-mode').value = 'range';
    $('f-from').value = q.get('from');
    $('f-to').value = q.get('to');
  }
  syncMode();
  applyLanguage();
  if (!tokenStore.get()) {
    try {
      state.session = await call('/api/v1/auth/session');
    } catch {
      location.replace('signin.html');
      return;
    }
  }
  $('f-tenant').value = q.get('tenant') || state.session?.tenant || '';
  if (tenant()) await load();
}

start();
