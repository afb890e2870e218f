// Watch-list page: the entries of the `sargs.watchlist` detection pseudo-field in the caller's tenants (the server
// scopes them), a form to add persons by person code, and removal with a confirmation step. Person codes go only into
// the POST body: never into a URL, storage or the page after a successful add (the textarea is cleared); the server
// answers with pseudonyms only. Signed in with the cookie session (changes carry its CSRF token) or an API token.
// Rendered with textContent only: lists, notes and user names are typed by people. Riga time (format.js).
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { tokenStore } from './api.js';
import { formatDateTime, formatNumber } from './format.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { WATCHLIST_STRINGS } from './watchlist.i18n.js';
import { apiCall, applyPageLanguage, sessionOrSignIn } from './request.js';

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], WATCHLIST_STRINGS[lang]);

const state = { lang: initialLanguage(localStorage), session: null, entries: [], tenants: [], confirming: null };
const t = (key, vars) => translate(state.lang, key, vars);

/** A call to the API: Bearer token when one is kept, else the cookie session with its CSRF token on changes. */
const call = (method, url, body) => apiCall(method, url, body, { csrf: state.session?.csrfToken, networkMessage: t('wl.network') });

/** `pk_` and the first 8 hex digits: enough to tell entries apart on screen; the whole pseudonym is in the title. */
const shortPseudonym = (p) => (p && p.length > 11 ? `${p.slice(0, 11)}…` : p || '—');

function showError(err, lineOf) {
  if (err?.status === 401) {
    location.replace(tokenStore.get() ? 'index.html#token' : 'signin.html');
    return;
  }
  const p = err?.problem ?? {};
  const lines = [t('wl.error', { detail: p.detail || p.title || String(err?.status ?? err) })];
  // personCodes[i] of the request is line lineOf[i] of the textarea (blank lines are not sent).
  for (const issue of Array.isArray(p.issues) ? p.issues : []) {
    const m = /^personCodes\[(\d+)\]$/.exec(issue?.field ?? '');
    if (m && lineOf) lines.push(t('wl.errorLine', { line: lineOf[Number(m[1])] ?? Number(m[1]) + 1, reason: issue.reason }));
  }
  $('wl-error').textContent = lines.join(' · ');
  $('wl-error').hidden = false;
  $('wl-message').textContent = '';
}

function clearError() {
  $('wl-error').hidden = true;
  $('wl-error').textContent = '';
}

async function load() {
  try {
    const r = await call('GET', '/api/v1/watchlist');
    state.entries = r.entries ?? [];
    state.tenants = r.tenants ?? [];
    render();
  } catch (err) {
    showError(err);
  }
}

const tenantLabel = (id) => (id === '*' ? t('wl.tenant.all') : id);

function fillTenants() {
  const sel = $('wl-tenant');
  const keep = sel.value;
  sel.replaceChildren(...state.tenants.map((id) => el('option', { value: id }, tenantLabel(id))));
  if (state.tenants.includes(keep)) sel.value = keep;
  else if (state.session?.tenant && state.tenants.includes(state.session.tenant)) sel.value = state.session.tenant;
}

function actionsCell(entry) {
  const td = el('td', { className: 'wl-actions' });
  if (state.confirming === entry.id) {
    const yes = el('button', { type: 'button', className: 'button', 'data-testid': 'wl-confirm' }, t('wl.confirm.yes'));
    const no = el('button', { type: 'button', className: 'button quiet', 'data-testid': 'wl-cancel' }, t('wl.confirm.no'));
    yes.addEventListener('click', () => remove(entry.id));
    no.addEventListener('click', () => {
      state.confirming = null;
      renderRows();
    });
    td.append(el('span', { className: 'confirm' }, t('wl.confirm')), yes, ' ', no);
    queueMicrotask(() => no.focus());
  } else {
    const button = el('button', { type: 'button', className: 'button quiet', 'data-testid': 'wl-remove', 'aria-label': `${t('wl.remove')}: ${entry.list}, ${shortPseudonym(entry.person)}` }, t('wl.remove'));
    button.addEventListener('click', () => {
      state.confirming = entry.id;
      renderRows();
    });
    td.append(button);
  }
  return td;
}

function renderRows() {
  const body = $('wl-rows');
  body.replaceChildren(
    ...state.entries.map((e) => {
      const tr = el('tr', { 'data-testid': 'wl-row', 'data-id': e.id });
      tr.append(
        el('td', {}, e.list),
        el('td', {}, tenantLabel(e.tenant)),
        el('td', {}, e.user || t('wl.everyone')),
        el('td', {}, e.note || '—'),
        el('td', {}, e.createdBy),
        el('td', {}, formatDateTime(state.lang, e.createdAt)),
        el('td', { className: 'mono', title: e.person }, shortPseudonym(e.person)),
        actionsCell(e),
      );
      return tr;
    }),
  );
  $('wl-empty').hidden = state.entries.length > 0;
  $('wl-count').textContent = t('wl.count', { count: formatNumber(state.lang, state.entries.length) });
}

function render() {
  fillTenants();
  renderRows();
}

async function remove(id) {
  try {
    await call('DELETE', `/api/v1/watchlist/${encodeURIComponent(id)}`);
    state.confirming = null;
    clearError();
    $('wl-message').textContent = t('wl.removed');
    await load();
  } catch (err) {
    state.confirming = null;
    renderRows();
    showError(err);
  }
}

async function add(e) {
  e.preventDefault();
  clearError();
  $('wl-message').textContent = '';
  const codes = [];
  const lineOf = [];
  $('wl-codes').value.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    codes.push(line);
    lineOf.push(i + 1);
  });
  if (!codes.length) {
    showError({ problem: { detail: t('wl.noCodes') } });
    $('wl-codes').focus();
    return;
  }
  const body = { list: $('wl-list').value.trim(), tenant: $('wl-tenant').value || '*', personCodes: codes };
  const user = $('wl-user').value.trim();
  const note = $('wl-note').value.trim();
  if (user) body.user = user;
  if (note) body.note = note;
  const submit = $('wl-form').querySelector('button[type=submit]');
  submit.disabled = true;
  try {
    const r = await call('POST', '/api/v1/watchlist', body);
    $('wl-codes').value = '';
    $('wl-message').textContent = t('wl.added', { added: formatNumber(state.lang, r.added), already: formatNumber(state.lang, r.alreadyListed) });
    await load();
  } catch (err) {
    showError(err, lineOf);
  } finally {
    submit.disabled = false;
  }
}

function applyLanguage() {
  applyPageLanguage(state.lang, t, 'wl.title');
  render();
}

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});
$('wl-form').addEventListener('submit', add);

async function start() {
  applyLanguage();
  state.session = await sessionOrSignIn();
  if (state.session === undefined) return;
  await load();
}

start();
