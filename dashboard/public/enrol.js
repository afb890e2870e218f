// Enrolment with a one-time link (issue 3): `enrol.html#<token>` (the token is in the fragment, so it never reaches
// a server log or a Referer). Steps: set a password (refusals explained), enrol an authenticator app (secret and
// otpauth:// link shown) or a passkey, then finish and see the recovery codes once.
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { initialLanguage, translate } from './i18n.js';
import { applyPageLanguage, jsonRequest } from './request.js';

const $ = (id) => document.getElementById(id);
const token = location.hash.replace(/^#/, '');
const base = `/api/v1/enrol/${encodeURIComponent(token)}`;
const state = { lang: initialLanguage(localStorage), info: null, factorId: null };
const t = (key, vars) => translate(state.lang, key, vars);

function applyLanguage() {
  applyPageLanguage(state.lang, t, 'enrol.title');
  renderHello();
}

function renderHello() {
  const i = state.info;
  $('enrol-hello').textContent = i
    ? t('enrol.hello', { name: i.user.displayName, tenant: i.user.tenant, until: new Date(i.expiresAt).toLocaleString(state.lang === 'lv' ? 'lv-LV' : 'en-GB') })
    : '';
}

const call = (method, path, body) => jsonRequest(method, base + path, body, { networkMessage: t('error.network') });

function showProblem(err) {
  const code = err.problem?.code;
  if (code === 'enrolment_link_invalid') return invalid();
  const key = `enrol.error.${code}`;
  $('enrol-error').textContent = translate(state.lang, key) !== key ? t(key) : t('enrol.error', { detail: err.problem?.detail || err.status });
}

function invalid() {
  for (const id of ['password-step', 'factor-step']) $(id).hidden = true;
  $('enrol-invalid').hidden = false;
}

function showFactorStep(hasFactor) {
  $('factor-step').hidden = false;
  $('factor-done').hidden = !hasFactor;
  $('finish').hidden = !hasFactor;
}

async function start() {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return invalid();
  try {
    state.info = await call('GET', '');
  } catch (err) {
    return showProblem(err);
  }
  renderHello();
  $('username-hint').value = state.info.user.username;
  $('password-step').hidden = false;
  const needsPassword = state.info.needs.includes('password');
  $('password-done').hidden = needsPassword;
  if (!needsPassword) showFactorStep(!state.info.needs.includes('factor'));
  $('new-password').focus();
}

$('password-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('enrol-error').textContent = '';
  const password = $('new-password').value;
  if (password !== $('repeat-password').value) {
    $('enrol-error').textContent = t('enrol.password.mismatch');
    return;
  }
  try {
    await call('POST', '/password', { password });
    $('new-password').value = '';
    $('repeat-password').value = '';
    $('password-done').hidden = false;
    showFactorStep(!state.info.needs.includes('factor'));
  } catch (err) {
    showProblem(err);
  }
});

$('totp-start').addEventListener('click', async () => {
  $('enrol-error').textContent = '';
  try {
    const r = await call('POST', '/totp');
    state.factorId = r.factorId;
    $('totp-secret').textContent = r.secret.replace(/(.{4})/g, '$1 ').trim();
    $('totp-uri').href = r.uri;
    $('totp-box').hidden = false;
    $('totp-code').focus();
  } catch (err) {
    showProblem(err);
  }
});

$('totp-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('enrol-error').textContent = '';
  try {
    await call('POST', '/totp/confirm', { factorId: state.factorId, code: $('totp-code').value.replace(/\s+/g, '') });
    $('totp-box').hidden = true;
    showFactorStep(true);
    $('finish').focus();
  } catch (err) {
    $('totp-code').value = '';
    showProblem(err);
  }
});

$('passkey-start').addEventListener('click', async () => {
  $('enrol-error').textContent = '';
  try {
    const optionsJSON = await call('POST', '/webauthn/options');
    let response;
    try {
      response = await window.SimpleWebAuthnBrowser.startRegistration({ optionsJSON });
    } catch (e) {
      $('enrol-error').textContent = t('auth.error.passkey', { detail: e.message || String(e) });
      return;
    }
    await call('POST', '/webauthn/verify', { response });
    showFactorStep(true);
    $('finish').focus();
  } catch (err) {
    showProblem(err);
  }
});

$('finish').addEventListener('click', async () => {
  $('enrol-error').textContent = '';
  try {
    const r = await call('POST', '/complete');
    for (const id of ['password-step', 'factor-step']) $(id).hidden = true;
    const list = $('codes');
    list.replaceChildren(...r.recoveryCodes.map((c) => Object.assign(document.createElement('li'), { textContent: c })));
    $('codes-step').hidden = false;
    history.replaceState(null, '', location.pathname); // the used-up token leaves the address bar
  } catch (err) {
    showProblem(err);
  }
});

$('codes-saved').addEventListener('change', () => {
  $('to-signin').hidden = !$('codes-saved').checked;
});

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});

applyLanguage();
start();
