// Case page: summary, clocks (due in Riga time, time left, colour of the escalation step), classification aids,
// tasks, notices with draft / review / send (step-up) / sent by other means / export, and the timeline.
// Rendered with textContent only: everything shown comes from people and logs.
import './layout.js'; // the shared top bar, before anything looks up #lang
import { formatDateTime } from './format.js';
import { $, call, clockClass, download, el, errorText, onLanguageChange, page, rigaLocalToIso, signedIn, t, timeLeft } from './incidents-common.js';
import { applyPageLanguage } from './request.js';

const STATUSES = ['open', 'investigating', 'contained', 'resolved', 'closed'];
const KINDS = ['nis2-early-warning', 'nis2-notification', 'nis2-intermediate', 'nis2-final', 'gdpr-processor-to-controller', 'gdpr-controller-to-dvi'];
const CHANNELS = ['cert-portal', 'dvi-eform', 'email', 'letter', 'phone', 'other'];
const id = new URLSearchParams(location.search).get('id') ?? '';
const base = `/api/v1/incidents/${encodeURIComponent(id)}`;
const state = { d: null, pendingSend: null };

const yes = (b) => t(b ? 'inc.yes' : 'inc.no');

function say(text) {
  $('c-message').textContent = text;
}

function renderSummary() {
  const { incident: i } = state.d;
  $('c-title').textContent = i.title;
  $('c-meta').textContent = [`${t('inc.col.severity')}: ${t(`sev.${i.severity}`)}`, `${t('inc.status')}: ${t(`st.${i.status}`)}`, `${t('inc.owner')}: ${i.ownerTenant}`, `${t('inc.col.aware')}: ${formatDateTime(page.lang, i.awareAt)}`].join(' · ');
  $('c-description').textContent = i.description;
  $('c-affected').textContent = `${t('inc.affected')}: ${i.affected.map((a) => `${a.tenant} (${[...a.applications, ...a.dataCategories].join(', ') || '—'}; ${a.personsAffected})`).join('; ') || '—'}`;
  $('c-status').value = i.status;
  const c = i.classification;
  $('cls-result').textContent = c ? t('inc.cls.result', { sig: yes(c.significant), pd: yes(c.answers.personalDataBreach), cb: yes(c.answers.crossBorder), by: c.by, at: formatDateTime(page.lang, c.at) }) : t('inc.cls.none');
}

function renderClocks() {
  const body = $('clock-rows');
  body.replaceChildren();
  for (const c of state.d.clocks) {
    const left = el('td');
    left.append(el('span', { className: clockClass(c), 'data-testid': 'clock-left' }, c.state === 'running' || c.state === 'overdue' ? timeLeft(c.msLeft) : t(`cs.${c.state}`)));
    body.append(el('tr', { 'data-testid': 'clock-row', 'data-key': c.key }, undefined));
    body.lastChild.append(
      el('td', {}, t(`ob.${c.obligation}`)),
      el('td', {}, c.key.includes(':') ? c.key.split(':')[1] : c.tenant),
      el('td', { 'data-testid': 'clock-due' }, c.dueRiga ?? t('inc.none')),
      left,
      el('td', {}, t(`cs.${c.state}`)),
      el('td', {}, c.step ?? t('inc.none')),
    );
  }
  $('clocks-empty').hidden = state.d.clocks.length > 0;
}

function renderTasks() {
  $('tasks').replaceChildren(...state.d.tasks.map((task) => {
    const li = el('li', { 'data-testid': 'task' });
    const box = el('input', { type: 'checkbox', 'aria-label': t('inc.task.done') });
    box.checked = task.done;
    box.addEventListener('change', () => act('POST', `${base}/tasks/${task.id}`, { done: box.checked }));
    li.append(box, ` ${task.title}${task.assignee ? ` → ${task.assignee}` : ''}${task.dueAt ? ` (${formatDateTime(page.lang, task.dueAt)})` : ''}`);
    return li;
  }));
}

function noticeBlock(n) {
  const box = el('div', { className: 'notice', 'data-testid': 'notice', 'data-kind': n.kind, 'data-audience': n.audience ?? '' });
  box.append(el('h3', {}, `${t(`ob.${n.kind}`)}${n.audience ? ` — ${n.audience}` : ''} · ${t(`ns.${n.status}`)}`));
  box.append(el('pre', { 'data-testid': 'notice-text' }, [n.content.subject, '', ...n.content.sections.map((s) => `${s.heading}\n${s.text}`)].join('\n')));
  box.append(el('p', { className: 'hash', 'data-testid': 'notice-hash' }, `${t('inc.notice.hash')}: ${n.contentHash}`));
  box.append(el('p', {}, `${t('inc.notice.to')}: ${n.recipients.join(', ') || '—'} (${n.channel})`));
  const buttons = el('div', { className: 'inline-form' });
  const button = (key, testid, fn) => {
    const b = el('button', { type: 'button', className: 'button quiet', 'data-testid': testid }, t(key));
    b.addEventListener('click', fn);
    buttons.append(b);
  };
  if (n.status !== 'sent') button('inc.notice.approve', 'notice-approve', () => act('POST', `${base}/notices/${n.id}/review`, { decision: 'approve' }));
  const sendings = state.d.sendings.filter((s) => s.noticeId === n.id);
  // Sent again only when every earlier sending died (the outbox gave up after its retries).
  if (n.status === 'approved' || (n.status === 'sent' && sendings.length > 0 && sendings.every((s) => s.state === 'dead'))) button('inc.notice.send', 'notice-send', () => send(n));
  button('inc.notice.pdf', 'notice-pdf', () => download(`${base}/notices/${n.id}/export?format=pdf`, `${n.kind}.pdf`).catch((e) => say(errorText(e))));
  button('inc.notice.json', 'notice-json', () => download(`${base}/notices/${n.id}/export?format=json`, `${n.kind}.json`).catch((e) => say(errorText(e))));
  box.append(buttons);
  if (n.status !== 'draft') {
    const form = el('form', { className: 'inline-form', 'data-testid': 'elsewhere-form' });
    const channel = el('select', { 'aria-label': t('inc.notice.channel') });
    channel.append(...CHANNELS.map((c) => el('option', { value: c }, c)));
    const to = el('input', { size: '16', 'aria-label': t('inc.notice.to'), 'data-testid': 'elsewhere-to' });
    const at = el('input', { type: 'datetime-local', 'aria-label': t('inc.notice.sentAt'), 'data-testid': 'elsewhere-at' });
    const submit = el('button', { type: 'submit', className: 'button quiet', 'data-testid': 'elsewhere-submit' }, t('inc.notice.record'));
    form.append(el('span', {}, `${t('inc.notice.elsewhere')}:`), channel, to, at, submit);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      act('POST', `${base}/notices/${n.id}/sent-elsewhere`, { channel: channel.value, to: [to.value.trim()], sentAt: rigaLocalToIso(at.value) }, true);
    });
    box.append(form);
  }
  if (sendings.length) {
    box.append(el('h4', {}, t('inc.notice.sendings')));
    box.append(el('ul', { 'data-testid': 'sendings' }));
    box.lastChild.append(...sendings.map((s) => el('li', { 'data-testid': 'sending' }, `${formatDateTime(page.lang, s.deliveredAt ?? s.sentAt)} · ${s.sentBy} → ${s.recipients.join(', ')} · ${s.channel} · ${s.state} · ${s.contentHash.slice(0, 16)}…`)));
  }
  return box;
}

function renderNotices() {
  $('notices').replaceChildren(...state.d.notices.map(noticeBlock));
}

function renderTimeline() {
  $('timeline').replaceChildren(...state.d.timeline.map((e) => el('li', { 'data-testid': 'timeline-entry', 'data-kind': e.kind }, `${formatDateTime(page.lang, e.at)} ${e.actor}: ${e.summary}`)));
}

function render() {
  if (!state.d) return;
  renderSummary();
  renderClocks();
  renderTasks();
  renderNotices();
  renderTimeline();
}

async function load() {
  try {
    state.d = await call('GET', base);
    $('c-error').hidden = true;
    render();
  } catch (err) {
    if (err?.status === 401) return location.replace('signin.html');
    $('c-error').textContent = errorText(err);
    $('c-error').hidden = false;
  }
}

/** One change; then the case is read again (clocks and timeline follow the change). */
async function act(method, url, body, needsStepUp = false) {
  try {
    await call(method, url, body);
    say(t('inc.saved'));
    await load();
    return true;
  } catch (err) {
    if (needsStepUp && err?.status === 401 && err?.problem?.code === 'step_up_required') {
      state.pendingSend = () => act(method, url, body);
      $('step-up').hidden = false;
      $('step-up-code').focus();
      return false;
    }
    say(errorText(err));
    return false;
  }
}

function send(n) {
  return act('POST', `${base}/notices/${n.id}/send`, undefined, true);
}

function fillSelects() {
  const s = $('c-status');
  s.replaceChildren(...STATUSES.map((v) => el('option', { value: v }, t(`st.${v}`))));
  if (state.d) s.value = state.d.incident.status;
  const k = $('d-kind');
  const keep = k.value;
  k.replaceChildren(...KINDS.map((v) => el('option', { value: v }, t(`ob.${v}`))));
  if (keep) k.value = keep;
}

function applyLanguage() {
  applyPageLanguage(page.lang, t, 'inc.caseTitle');
  $('d-lang').value = page.lang;
  fillSelects();
  render();
}

onLanguageChange(applyLanguage);
$('c-set-status').addEventListener('click', () => act('POST', base, { status: $('c-status').value }));
$('cls-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act('POST', `${base}/classification`, {
    answers: {
      serviceDisruptionHours: Number($('cls-disruption').value || 0), usersAffected: Number($('cls-users').value || 0), financialLossEur: Number($('cls-loss').value || 0),
      recurrenceCount: Number($('cls-recurrence').value || 0), maliciousAccess: $('cls-malicious').checked, crossBorder: $('cls-cross').checked,
      personalDataBreach: $('cls-personal').checked, personalDataReasoning: $('cls-reasoning').value.trim(),
    },
  });
});
$('task-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const due = $('t-due').value ? rigaLocalToIso($('t-due').value) : null;
  if (await act('POST', `${base}/tasks`, { title: $('t-title').value.trim(), assignee: $('t-assignee').value.trim() || null, dueAt: due })) $('t-title').value = '';
});
$('draft-form').addEventListener('submit', (e) => {
  e.preventDefault();
  act('POST', `${base}/notices`, { kind: $('d-kind').value, lang: $('d-lang').value, audience: $('d-audience').value.trim() || null });
});
$('d-fan-out').addEventListener('click', () => act('POST', `${base}/notices/fan-out`, { lang: $('d-lang').value }));
$('note-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('note-text').value.trim();
  if (text && (await act('POST', `${base}/notes`, { text }))) $('note-text').value = '';
});
$('step-up-submit').addEventListener('click', async () => {
  try {
    await call('POST', '/api/v1/auth/step-up/totp', { code: $('step-up-code').value.trim() });
    $('step-up').hidden = true;
    $('step-up-code').value = '';
    const retry = state.pendingSend;
    state.pendingSend = null;
    if (retry) await retry();
  } catch (err) {
    say(errorText(err));
  }
});

async function start() {
  applyLanguage();
  if (await signedIn()) await load();
}

start();
