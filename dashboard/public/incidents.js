// Incident register: the cases of the caller's tenants (the server scopes them) with their next legal deadline in
// Riga time, the time left and the colour of the escalation step reached; a form to open a case by hand.
import './layout.js'; // the shared top bar, before anything looks up #lang
import { formatDateTime } from './format.js';
import { $, call, clockClass, el, errorText, onLanguageChange, page, rigaLocalToIso, signedIn, t, timeLeft } from './incidents-common.js';
import { applyPageLanguage } from './request.js';

const STATUSES = ['open', 'investigating', 'contained', 'resolved', 'closed'];
const SEVERITIES = ['low', 'medium', 'high', 'critical'];
const state = { incidents: [] };

function fillSelects() {
  const f = $('f-status');
  const keep = f.value;
  f.replaceChildren(el('option', { value: '' }, t('inc.all')), ...STATUSES.map((s) => el('option', { value: s }, t(`st.${s}`))));
  f.value = keep;
  const s = $('n-severity');
  const keepSev = s.value || 'medium';
  s.replaceChildren(...SEVERITIES.map((v) => el('option', { value: v }, t(`sev.${v}`))));
  s.value = keepSev;
}

function render() {
  const body = $('incident-rows');
  body.replaceChildren();
  for (const i of state.incidents) {
    const tr = el('tr', { 'data-testid': 'incident-row', 'data-id': i.id });
    const title = el('td');
    title.append(el('a', { href: `incident.html?id=${encodeURIComponent(i.id)}` }, i.title));
    const c = i.nextClock;
    const left = el('td');
    if (c) left.append(el('span', { className: clockClass(c), 'data-testid': 'next-left' }, timeLeft(c.msLeft)));
    else left.textContent = t('inc.none');
    tr.append(
      title,
      el('td', {}, t(`sev.${i.severity}`)),
      el('td', {}, t(`st.${i.status}`)),
      el('td', {}, [i.ownerTenant, ...i.affectedTenants.filter((x) => x !== i.ownerTenant)].join(', ')),
      el('td', {}, formatDateTime(page.lang, i.awareAt)),
      el('td', { 'data-testid': 'next-obligation' }, c ? `${t(`ob.${c.obligation}`)}${c.obligation.startsWith('gdpr') ? ` (${c.key.split(':')[1]})` : ''}` : t('inc.none')),
      el('td', { 'data-testid': 'next-due' }, c ? c.dueRiga : t('inc.none')),
      left,
    );
    body.append(tr);
  }
  $('incidents-empty').hidden = state.incidents.length > 0;
}

async function load() {
  try {
    const q = $('f-status').value ? `?status=${encodeURIComponent($('f-status').value)}` : '';
    state.incidents = (await call('GET', `/api/v1/incidents${q}`)).incidents;
    $('incidents-error').hidden = true;
    render();
  } catch (err) {
    if (err?.status === 401) return location.replace('signin.html');
    $('incidents-error').textContent = errorText(err);
    $('incidents-error').hidden = false;
  }
}

function applyLanguage() {
  applyPageLanguage(page.lang, t, 'inc.title');
  fillSelects();
  render();
}

onLanguageChange(applyLanguage);
$('incidents-filter').addEventListener('submit', (e) => {
  e.preventDefault();
  load();
});
$('incident-new').addEventListener('submit', async (e) => {
  e.preventDefault();
  const awareAt = rigaLocalToIso($('n-aware').value);
  const body = { title: $('n-title').value.trim(), severity: $('n-severity').value, awareAt };
  if ($('n-owner').value.trim()) body.ownerTenant = $('n-owner').value.trim();
  try {
    const created = await call('POST', '/api/v1/incidents', body);
    location.assign(`incident.html?id=${encodeURIComponent(created.incident.id)}`);
  } catch (err) {
    $('new-message').textContent = errorText(err);
  }
});

async function start() {
  applyLanguage();
  if (await signedIn()) await load();
}

start();
