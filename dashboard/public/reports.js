// Person access report page (GDPR Art. 15, issue 5): a DPO enters a person code and a period (and the request
// reference), the server checks the dpo role and a fresh second factor (step-up: asked for here when needed), and
// the page shows the summary and every access, with the signed PDF (Latvian, English), CSV and JSON and their
// detached .p7s signatures to download. Cookie session only (the report is a DPO's, never an API token's).
// Rendered with textContent only: names and purposes come from logs. Riga time, DD.MM.YYYY in Latvian (format.js).
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { formatDate, formatDateTime, formatNumber } from './format.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { REPORT_STRINGS } from './reports.i18n.js';
import { applyPageLanguage, jsonRequest } from './request.js';

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], REPORT_STRINGS[lang]);

const state = { lang: initialLanguage(localStorage), session: null, report: null, downloads: [], pending: null };
const t = (key, vars) => translate(state.lang, key, vars);


const call = (method, url, body) => jsonRequest(method, url, body, { csrf: method === 'GET' ? undefined : state.session?.csrfToken, networkMessage: t('reports.network') });

/** The day after a YYYY-MM-DD date: the API's period end is exclusive, the form's "to" inclusive. */
function nextDay(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

function showError(err) {
  const code = err?.problem?.code;
  if (err?.status === 401 && code !== 'step_up_required') {
    location.replace('signin.html');
    return;
  }
  const box = $('reports-error');
  box.textContent = code === 'dpo_required' ? t('reports.forbidden') : t('reports.error', { detail: err?.problem?.detail || err?.problem?.title || String(err?.status ?? err) });
  box.hidden = false;
}

async function produce(body) {
  $('reports-error').hidden = true;
  $('r-person-error').textContent = '';
  $('reports-busy').hidden = false;
  try {
    const r = await call('POST', '/api/v1/reports/person-access', body);
    state.report = r.report;
    state.downloads = r.downloads;
    state.pending = null;
    $('stepup-form').hidden = true;
    render();
  } catch (err) {
    if (err?.problem?.code === 'step_up_required') {
      // Keep the request and ask for the second factor; it is sent again once confirmed.
      state.pending = body;
      $('stepup-form').hidden = false;
      $('s-error').textContent = '';
      $('s-code').focus();
    } else if (err?.problem?.field === 'person') {
      $('r-person-error').textContent = err.problem.detail;
      $('r-person').setAttribute('aria-invalid', 'true');
      $('r-person').focus();
    } else showError(err);
  } finally {
    $('reports-busy').hidden = true;
  }
}

function countRows(tableId, counts, label) {
  const body = document.querySelector(`[data-testid=${tableId}] tbody`);
  body.replaceChildren(
    ...counts.map((c) => {
      const tr = el('tr');
      tr.append(el('td', {}, c.key === '' ? t('reports.notRecorded') : label(c.key)), el('td', {}, formatNumber(state.lang, c.count)));
      return tr;
    }),
  );
}

const monthLabel = (key) => {
  const [y, m] = key.split('-');
  return state.lang === 'lv' ? `${m}.${y}` : `${y}-${m}`;
};

function render() {
  const r = state.report;
  $('report').hidden = !r;
  if (!r) return;
  $('rep-h').textContent = t('reports.reportHeading', { person: r.personMasked, total: formatNumber(state.lang, r.summary.total) });
  const lastDay = new Date(Date.parse(r.period.to) - 1);
  const facts = [
    ['reports.fact.period', `${formatDate(state.lang, r.period.from)} – ${formatDate(state.lang, lastDay)}`],
    ['reports.fact.controller', r.controller === '*' ? t('reports.allControllers') : r.controller],
    ...(r.reference ? [['reports.fact.reference', r.reference]] : []),
    ['reports.fact.generated', `${formatDateTime(state.lang, r.generatedAt)}, ${r.generatedBy.user} (${r.generatedBy.organization})`],
    ['reports.fact.external', formatNumber(state.lang, r.summary.external)],
    ['reports.fact.id', r.id],
  ];
  $('rep-facts').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, t(k)), el('dd', { 'data-testid': `fact-${k.split('.').pop()}` }, v)]));

  const wanted = [['pdf', 'lv'], ['pdf', 'en'], ['csv', 'lv'], ['json', 'lv']];
  $('rep-downloads').replaceChildren(
    ...wanted.map(([format, lang]) => {
      const d = state.downloads.find((x) => x.format === format && x.lang === lang);
      const li = el('li');
      li.append(el('a', { href: d.href, download: '', 'data-testid': `dl-${format}-${lang}` }, t(`reports.dl.${format}.${lang}`)), ' (');
      li.append(el('a', { href: d.signature, download: '', 'data-testid': `sig-${format}-${lang}` }, t('reports.signature')), ')');
      return li;
    }),
  );

  countRows('s-org', r.summary.byOrganization, (k) => k);
  countRows('s-app', r.summary.byApplication, (k) => k);
  countRows('s-cat', r.summary.byDataCategory, (k) => k);
  countRows('s-month', r.summary.byMonth, monthLabel);

  $('rep-rows').replaceChildren(
    ...r.accesses.map((a) => {
      const tr = el('tr', { 'data-testid': 'access-row' });
      tr.append(
        el('td', {}, formatDateTime(state.lang, a.at)),
        el('td', {}, a.user || '—'),
        el('td', { title: a.organizationName || '' }, a.organization || '—'),
        el('td', { className: `kind-${a.organizationKind}` }, t(`reports.kind.${a.organizationKind}`)),
        el('td', {}, a.application || '—'),
        el('td', {}, a.action || '—'),
        el('td', {}, a.dataCategory || '—'),
        el('td', {}, a.purpose || '—'),
      );
      return tr;
    }),
  );
  $('rep-empty').hidden = r.accesses.length > 0;
  $('rep-truncated').hidden = !r.truncated;
}

function applyLanguage() {
  applyPageLanguage(state.lang, t, 'reports.title');
  render();
}

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});

$('report-form').addEventListener('submit', (e) => {
  e.preventDefault();
  $('r-person').removeAttribute('aria-invalid');
  const personCode = $('r-person').value.trim();
  if (!personCode) {
    $('r-person-error').textContent = t('reports.missingPerson');
    return;
  }
  if (!$('r-from').value || !$('r-to').value) {
    showError({ problem: { detail: t('reports.missingPeriod') } });
    return;
  }
  const body = { personCode, from: $('r-from').value, to: nextDay($('r-to').value) };
  if ($('r-reference').value.trim()) body.reference = $('r-reference').value.trim();
  if ($('r-controller').value.trim()) body.controller = $('r-controller').value.trim();
  produce(body);
});

$('stepup-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const code = $('s-code').value.replace(/\s/g, '');
  if (!code) return;
  // Six digits: the authenticator app; anything else: a recovery code.
  const path = /^\d{6,8}$/.test(code) ? '/api/v1/auth/step-up/totp' : '/api/v1/auth/step-up/recovery';
  try {
    state.session = await call('POST', path, { code });
    $('s-code').value = '';
    $('stepup-form').hidden = true;
    if (state.pending) await produce(state.pending);
  } catch (err) {
    $('s-error').textContent = t('reports.stepUpFailed', { detail: err?.problem?.detail || String(err?.status ?? err) });
  }
});

async function start() {
  applyLanguage();
  // Default period: the last 12 months up to today (Riga dates).
  const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Riga' });
  const [y, m, d] = today.split('-').map(Number);
  $('r-to').value = today;
  $('r-from').value = new Date(Date.UTC(y - 1, m - 1, d + 1)).toISOString().slice(0, 10);
  try {
    state.session = await call('GET', '/api/v1/auth/session');
  } catch {
    location.replace('signin.html');
  }
}

start();
