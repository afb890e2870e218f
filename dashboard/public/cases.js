// Subject-request cases page: the register of deadline compliance per municipality, the cases of the caller's
// tenants (the server scopes them) with their deadline state and time left, a form to register a request, and the
// case panel (deadlines, linked reports, attachments, timeline, actions). Signed in with the cookie session (changes
// carry its CSRF token) or an API token (sessionStorage). Rendered with textContent only; Riga time (format.js).
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { $, el } from './dom.js';
import { tokenStore } from './api.js';
import { formatDate, formatDateTime, formatNumber } from './format.js';
import { initialLanguage, LANGUAGES, STRINGS, translate } from './i18n.js';
import { CASE_STRINGS } from './cases.i18n.js';
import { applyPageLanguage, sessionOrSignIn } from './request.js';

for (const lang of LANGUAGES) Object.assign(STRINGS[lang], CASE_STRINGS[lang]);

const RIGHTS = ['access', 'rectification', 'erasure', 'restriction', 'objection', 'portability'];
const STATES = ['on-track', 'due-soon', 'overdue', 'answered-in-time', 'answered-late'];
const CHANNELS = ['e-mail', 'e-address', 'letter', 'in-person', 'portal', 'phone', 'other'];
const IDENTITY = ['eparaksts', 'smart-id', 'latvija-lv', 'e-address', 'in-person-id-document', 'signed-letter', 'other'];
const DECISIONS = ['grant', 'partial-grant', 'refuse', 'more-information-needed', 'fee', 'other'];
const OUTCOMES = ['answered', 'partially-fulfilled', 'refused', 'withdrawn', 'identity-not-verified'];
const NOTICE = ['e-mail', 'e-address', 'letter', 'portal', 'other'];
const PAGE = 50;

const state = { lang: initialLanguage(localStorage), session: null, cases: [], total: 0, register: null, current: null };
const t = (key, vars) => translate(state.lang, key, vars);


/** A call to the API: Bearer token when one is kept, else the cookie session with its CSRF token on changes. */
async function call(method, url, body, { raw, contentType } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (method !== 'GET' && state.session?.csrfToken) headers['X-CSRF-Token'] = state.session.csrfToken;
  if (raw !== undefined) headers['Content-Type'] = contentType || 'application/octet-stream';
  else if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, { method, headers, credentials: 'same-origin', cache: 'no-store', body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  } catch {
    throw { status: 0, problem: { detail: t('cases.network') } };
  }
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) throw { status: res.status, problem: data };
  return data;
}

const problemText = (err) => err?.problem?.detail || err?.problem?.title || String(err?.status ?? err);

function showError(err) {
  if (err?.status === 401) {
    location.replace(tokenStore.get() ? 'index.html#token' : 'signin.html');
    return;
  }
  $('cases-error').textContent = t('cases.error', { detail: problemText(err) });
  $('cases-error').hidden = false;
}

/**
 * A Riga wall-clock time from a datetime-local input as an ISO instant, whatever the browser's own zone: the
 * offset of Europe/Riga at that moment is read from Intl (DST-safe; a time in the skipped spring hour moves on).
 */
function rigaInputToIso(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return undefined;
  const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  const offsetAt = (ms) => {
    const p = {};
    for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms)))
      p[x.type] = x.value;
    return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute) - ms;
  };
  let guess = naive - 2 * 3_600_000;
  guess = naive - offsetAt(guess);
  return new Date(naive - offsetAt(guess)).toISOString();
}

/** The current Riga wall-clock time as a datetime-local value. */
function rigaInputNow() {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Riga', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date()))
    p[x.type] = x.value;
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** "atlikušas 3 d. 4 st." / "nokavēts par 2 d. 5 st." for an open case; the answer date for a closed one. */
function timeLeft(c) {
  if (c.status === 'closed') return t('cases.answeredOn', { date: formatDate(state.lang, c.closure.closedAt) });
  const ms = Date.parse(c.deadlines.answerDueAt) - Date.now();
  const abs = Math.abs(ms);
  const d = Math.floor(abs / 86_400_000);
  const h = Math.floor((abs % 86_400_000) / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  if (ms < 0) return d > 0 ? t('cases.overdueBy', { d, h }) : t('cases.overdueByHours', { h, m });
  return d > 0 ? t('cases.left', { d, h }) : t('cases.leftHours', { h, m });
}

const stateBadge = (s) => el('span', { className: `state state-${s}`, 'data-testid': 'state' }, t(`state.${s}`));

function filterQuery(offset) {
  const p = new URLSearchParams();
  for (const [name, id] of Object.entries({ status: 'f-status', state: 'f-state', right: 'f-right', tenant: 'f-tenant' })) if ($(id).value.trim()) p.set(name, $(id).value.trim());
  p.set('size', String(PAGE));
  p.set('offset', String(offset));
  return p;
}

async function load(append = false) {
  try {
    const [page, register] = await Promise.all([
      call('GET', `/api/v1/cases?${filterQuery(append ? state.cases.length : 0)}`),
      append ? state.register : call('GET', '/api/v1/cases/register'),
    ]);
    state.cases = append ? [...state.cases, ...page.cases] : page.cases;
    state.total = page.total;
    state.register = register;
    $('cases-error').hidden = true;
    render();
  } catch (err) {
    showError(err);
  }
}

function renderRegister() {
  const body = $('register-rows');
  body.replaceChildren();
  if (!state.register) return;
  const pct = (v) => (v === null ? t('cases.none') : formatNumber(state.lang, v));
  const row = (name, r, testid) => {
    const tr = el('tr', { 'data-testid': testid });
    tr.append(
      el('td', {}, name),
      ...[r.total, r.open, r.overdue, r.dueSoon, r.closed].map((n) => el('td', { className: 'num' }, formatNumber(state.lang, n))),
      el('td', { className: 'num' }, pct(r.inTimePercent)),
      el('td', { className: 'num' }, formatNumber(state.lang, r.extended)),
    );
    if (r.overdue > 0) tr.children[3].classList.add('time-left', 'overdue');
    return tr;
  };
  for (const r of state.register.rows) body.append(row(r.name ? `${r.name} (${r.tenant})` : r.tenant, r, 'register-row'));
  if (state.register.rows.length > 1) body.append(row(t('cases.reg.all'), state.register.totals, 'register-total'));
}

function renderRows() {
  const body = $('cases-rows');
  body.replaceChildren();
  for (const c of state.cases) {
    const tr = el('tr', { 'data-testid': 'case-row', tabindex: '0', 'data-id': c.id, className: c.deadlineState });
    const st = el('td');
    st.append(stateBadge(c.deadlineState));
    tr.append(
      el('td', {}, c.reference),
      el('td', {}, c.tenant),
      el('td', {}, t(`right.${c.right}`)),
      el('td', {}, formatDate(state.lang, c.receivedAt)),
      el('td', { 'data-testid': 'due' }, formatDateTime(state.lang, c.deadlines.answerDueAt)),
      el('td', { className: `time-left${c.deadlineState === 'overdue' ? ' overdue' : ''}`, 'data-testid': 'time-left' }, timeLeft(c)),
      st,
    );
    const open = () => showDetail(c.id);
    tr.addEventListener('click', open);
    tr.addEventListener('keydown', (e) => (e.key === 'Enter' ? open() : undefined));
    body.append(tr);
  }
  $('cases-empty').hidden = state.cases.length > 0;
  $('cases-more').hidden = state.cases.length >= state.total;
  $('cases-total').textContent = t('cases.total', { shown: formatNumber(state.lang, state.cases.length), total: formatNumber(state.lang, state.total) });
}

function listOf(id, items, build) {
  $(id).replaceChildren(...items.map(build));
}

function deadlineRow(dl, term, value, className) {
  const dd = el('dd', className ? { className } : {});
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  dl.append(el('dt', {}, term), dd);
}

function renderDetail() {
  const c = state.current;
  $('case-detail').hidden = !c;
  if (!c) return;
  const dt = (v) => formatDateTime(state.lang, v);
  $('d-title').textContent = `${c.reference} · ${t(`right.${c.right}`)} · ${c.tenant}`;
  $('d-meta').textContent = [
    t('cases.meta.requester', { name: c.requester.name }),
    ...(c.requester.person ? [t('cases.meta.code', { code: c.requester.person.masked })] : []),
    ...(c.requester.contact ? [c.requester.contact] : []),
    c.identity ? t('cases.meta.identity', { method: t(`identity.${c.identity.method}`), by: c.identity.verifiedBy, date: dt(c.identity.verifiedAt) }) : t('cases.identityNone'),
    ...(c.channel ? [t('cases.meta.channel', { channel: t(`channel.${c.channel}`) })] : []),
    t('cases.meta.received', { date: dt(c.receivedAt) }),
    ...(c.summary ? [c.summary] : []),
  ].join(' · ');

  const dl = $('d-deadlines');
  dl.replaceChildren();
  const answer = el('span');
  answer.append(el('span', { 'data-testid': 'd-due' }, `${dt(c.deadlines.answerDueAt)} `), stateBadge(c.deadlineState), el('span', { className: `time-left${c.deadlineState === 'overdue' ? ' overdue' : ''}`, 'data-testid': 'd-time-left' }, ` ${timeLeft(c)}`));
  deadlineRow(dl, t('cases.dl.answer'), answer);
  if (c.deadlines.extension) {
    const e = c.deadlines.extension;
    deadlineRow(dl, t('cases.dl.original'), dt(c.deadlines.originalDueAt));
    deadlineRow(dl, t('cases.dl.extension'), t('cases.dl.extensionText', { months: e.months, reason: e.reason, date: dt(e.noticeAt), method: t(`notice.${e.noticeMethod}`) }));
  }
  const ps = c.deadlines.processorSupport;
  if (ps) {
    const text = t('cases.dl.processorText', { requested: dt(ps.requestedAt), due: dt(ps.dueAt) }) + (ps.providedAt ? ` · ${t('cases.dl.processorDone', { provided: dt(ps.providedAt) })}` : '');
    deadlineRow(dl, t('cases.dl.processor'), text, c.processorOverdue ? 'time-left overdue' : undefined);
  }
  if (c.closure)
    deadlineRow(dl, t('cases.dl.closure'), t('cases.dl.closureText', { outcome: t(`outcome.${c.closure.outcome}`), date: dt(c.closure.closedAt), inTime: t(c.closure.inTime ? 'cases.inTime' : 'cases.late') }));

  listOf('d-reports', [...c.reports.map((r) => ({ ...r, linked: true })), ...(c.producedReports ?? [])], (r) => {
    if (r.linked) return el('li', {}, `${r.reportId} (${dt(r.linkedAt)}, ${r.linkedBy})`);
    // Produced for this case (its caseId names the case) but not linked yet: one click links it.
    const li = el('li', { className: 'muted' }, `${r.reportId} (${t('cases.produced', { date: dt(r.generatedAt), by: r.generatedBy })}) `);
    const b = el('button', { type: 'button', className: 'button quiet' }, t('cases.link'));
    b.addEventListener('click', () => act('/reports', { reportId: r.reportId }));
    li.append(b);
    return li;
  });
  listOf('d-attachments', c.attachments, (a) => {
    const li = el('li');
    li.append(el('a', { href: `/api/v1/cases/${encodeURIComponent(c.id)}/attachments/${encodeURIComponent(a.id)}`, download: a.name }, a.name), el('span', { className: 'muted' }, ` ${formatNumber(state.lang, a.size)} B · SHA-256 ${a.sha256.slice(0, 16)}…`));
    return li;
  });
  listOf('d-timeline', [...c.timeline].reverse(), (e) => {
    const li = el('li', { 'data-testid': 'timeline-entry' });
    const detail = e.kind === 'decision' ? t(`decision.${e.details.decision}`) : e.kind === 'closed' ? t(`outcome.${e.details.outcome}`) : e.kind === 'reminder' ? `${e.details.offset} · ${dt(e.details.dueAt)}` : '';
    li.append(el('span', { className: 'when' }, `${dt(e.at)} `), el('span', {}, `${e.by}: ${t(`tl.${e.kind}`)}${detail ? ` (${detail})` : ''}${e.text ? ` — ${e.text}` : ''}`));
    return li;
  });
  const open = c.status === 'open';
  for (const id of ['d-decision-form', 'd-extend-form', 'd-close-form']) $(id).hidden = !open;
  $('d-processor-requested').hidden = !open || !!ps;
  $('d-processor-provided').hidden = !open || !ps || !!ps.providedAt;
}

function render() {
  renderRegister();
  renderRows();
  renderDetail();
}

async function showDetail(id) {
  try {
    state.current = await call('GET', `/api/v1/cases/${encodeURIComponent(id)}`);
    $('d-message').textContent = '';
    if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
    renderDetail();
    $('case-detail').scrollIntoView({ block: 'nearest' });
  } catch (err) {
    showError(err);
  }
}

/** One action on the open case; the answer is the updated case (or an attachment, then the case is re-read). */
async function act(path, body, opts) {
  const c = state.current;
  if (!c) return false;
  try {
    const answer = await call('POST', `/api/v1/cases/${encodeURIComponent(c.id)}${path}`, body, opts);
    state.current = answer.timeline ? answer : await call('GET', `/api/v1/cases/${encodeURIComponent(c.id)}`);
    state.cases = state.cases.map((x) => (x.id === c.id ? { ...x, ...state.current } : x));
    render();
    $('d-message').textContent = t('cases.saved');
    void load();
    return true;
  } catch (err) {
    if (err?.status === 401) showError(err);
    else $('d-message').textContent = t('cases.error', { detail: problemText(err) });
    return false;
  }
}

function options(id, values, prefix, withAll) {
  const sel = $(id);
  const keep = sel.value;
  sel.replaceChildren(...(withAll ? [el('option', { value: '' }, t('cases.all'))] : []), ...values.map((v) => el('option', { value: v }, t(`${prefix}.${v}`))));
  if (keep) sel.value = keep;
}

function applyLanguage() {
  applyPageLanguage(state.lang, t, 'cases.title');
  options('f-status', ['open', 'closed'], 'status', true);
  options('f-state', STATES, 'state', true);
  options('f-right', RIGHTS, 'right', true);
  options('n-right', RIGHTS, 'right', false);
  options('n-channel', CHANNELS, 'channel', false);
  options('n-identity', IDENTITY, 'identity', true);
  options('d-decision-kind', DECISIONS, 'decision', false);
  options('d-outcome', OUTCOMES, 'outcome', false);
  options('d-extend-method', NOTICE, 'notice', false);
  $('n-identity').options[0].textContent = t('cases.identityNone');
  for (const [id, key] of [['d-decision-kind', 'cases.decision'], ['d-decision', 'cases.decision'], ['d-outcome', 'cases.outcome'], ['d-close-summary', 'cases.closureSummary']]) $(id).setAttribute('aria-label', t(key));
  render();
}

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});
$('cases-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('cases-more').addEventListener('click', () => load(true));
$('d-close').addEventListener('click', () => {
  state.current = null;
  history.replaceState(null, '', location.pathname);
  renderDetail();
});
$('new-open').addEventListener('click', () => {
  $('new-case').hidden = false;
  if (!$('n-received').value) $('n-received').value = rigaInputNow();
  if (!$('n-tenant').value && state.session?.tenant) $('n-tenant').value = state.session.tenant;
  $('n-name').focus();
});
$('n-cancel').addEventListener('click', () => ($('new-case').hidden = true));
$('n-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = {
    tenant: $('n-tenant').value.trim(),
    right: $('n-right').value,
    receivedAt: rigaInputToIso($('n-received').value),
    channel: $('n-channel').value,
    requester: { name: $('n-name').value.trim() },
  };
  if ($('n-contact').value.trim()) body.requester.contact = $('n-contact').value.trim();
  if ($('n-code').value.trim()) body.requester.personCode = $('n-code').value.trim();
  if ($('n-identity').value) body.identity = { method: $('n-identity').value };
  if ($('n-summary').value.trim()) body.summary = $('n-summary').value.trim();
  try {
    const c = await call('POST', '/api/v1/cases', body);
    $('n-message').textContent = t('cases.created', { reference: c.reference });
    $('n-form').reset();
    $('new-case').hidden = true;
    await load();
    await showDetail(c.id);
  } catch (err) {
    if (err?.status === 401) return showError(err);
    $('n-message').textContent = t('cases.error', { detail: problemText(err) });
  }
});
$('d-note-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if ($('d-note').value.trim() && (await act('/notes', { text: $('d-note').value.trim() }))) $('d-note').value = '';
});
$('d-decision-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if ($('d-decision').value.trim() && (await act('/decisions', { kind: $('d-decision-kind').value, text: $('d-decision').value.trim() }))) $('d-decision').value = '';
});
$('d-report-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  if ($('d-report').value.trim() && (await act('/reports', { reportId: $('d-report').value.trim() }))) $('d-report').value = '';
});
$('d-attach-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = $('d-file').files[0];
  if (!file) return;
  if (await act(`/attachments?name=${encodeURIComponent(file.name)}`, undefined, { raw: file, contentType: file.type })) $('d-file').value = '';
});
$('d-extend-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  await act('/extend', { months: Number($('d-extend-months').value), reason: $('d-extend-reason').value.trim(), noticeAt: rigaInputToIso($('d-extend-notice').value) ?? '', noticeMethod: $('d-extend-method').value });
});
$('d-processor-requested').addEventListener('click', () => act('/processor-support', { event: 'requested' }));
$('d-processor-provided').addEventListener('click', () => act('/processor-support', { event: 'provided' }));
$('d-close-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  await act('/close', { outcome: $('d-outcome').value, ...($('d-close-summary').value.trim() ? { summary: $('d-close-summary').value.trim() } : {}) });
});

async function start() {
  applyLanguage();
  state.session = await sessionOrSignIn();
  if (state.session === undefined) return;
  await load();
  const id = location.hash.slice(1);
  if (/^[0-9a-f-]{36}$/.test(id)) await showDetail(id);
}

start();
