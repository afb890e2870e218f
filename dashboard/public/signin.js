// Sign-in with a user account (issue 3): tenant, username and password, then a second factor — an authenticator
// app code, a passkey (WebAuthn through @simplewebauthn/browser, served at /vendor/simplewebauthn-browser.js) or
// a recovery code. The session lives in an HttpOnly cookie; state-changing calls send the session's CSRF token.
import { onLanguagePicked } from './layout.js'; // the shared top bar, built before anything looks up #lang
import { initialLanguage, translate } from './i18n.js';
import { applyPageLanguage, jsonRequest } from './request.js';

const $ = (id) => document.getElementById(id);
const state = { lang: initialLanguage(localStorage), csrf: '' };
const t = (key, vars) => translate(state.lang, key, vars);

const applyLanguage = () => applyPageLanguage(state.lang, t, 'auth.title');

/** POSTs JSON with the session's CSRF token; resolves to the body, or throws { status, problem, retryAfter }. */
const post = (path, body) => jsonRequest('POST', path, body ?? {}, { csrf: state.csrf, networkMessage: t('error.network') });

/** Shows a problem in the user's language when its code is known, else the server's detail. */
function showProblem(err) {
  const code = err.problem?.code;
  const key = `auth.error.${code}`;
  const known = translate(state.lang, key) !== key;
  $('auth-error').textContent = known ? t(key, { seconds: err.retryAfter ?? '?' }) : err.problem?.detail || t('error.network');
  if (code === 'sign_in_required') restart();
}

function restart() {
  state.csrf = '';
  $('factor-step').hidden = true;
  $('password-step').hidden = false;
  $('password').value = '';
  $('password').focus();
}

function signedIn() {
  location.replace('index.html');
}

$('password-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('auth-error').textContent = '';
  const body = { tenant: $('tenant').value.trim().toLowerCase(), username: $('username').value.trim(), password: $('password').value };
  if (!body.tenant || !body.username || !body.password) {
    $('auth-error').textContent = t('auth.missing');
    return;
  }
  try {
    const r = await post('/api/v1/auth/login', body);
    localStorage.setItem('sargs.tenant', body.tenant);
    state.csrf = r.csrfToken;
    $('password').value = '';
    $('password-step').hidden = true;
    $('factor-step').hidden = false;
    const has = (m) => r.methods.includes(m);
    $('totp-form').hidden = !has('totp');
    $('passkey').hidden = !has('webauthn') || !window.SimpleWebAuthnBrowser;
    $('recovery-toggle').hidden = !has('recovery');
    $('recovery-form').hidden = true;
    (has('totp') ? $('totp') : $('passkey')).focus();
  } catch (err) {
    showProblem(err);
  }
});

$('totp-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('auth-error').textContent = '';
  try {
    await post('/api/v1/auth/totp', { code: $('totp').value.replace(/\s+/g, '') });
    signedIn();
  } catch (err) {
    $('totp').value = '';
    showProblem(err);
  }
});

$('passkey').addEventListener('click', async () => {
  $('auth-error').textContent = '';
  try {
    const optionsJSON = await post('/api/v1/auth/webauthn/options');
    let response;
    try {
      response = await window.SimpleWebAuthnBrowser.startAuthentication({ optionsJSON });
    } catch (e) {
      $('auth-error').textContent = t('auth.error.passkey', { detail: e.message || String(e) });
      return;
    }
    await post('/api/v1/auth/webauthn/verify', { response });
    signedIn();
  } catch (err) {
    showProblem(err);
  }
});

$('recovery-toggle').addEventListener('click', () => {
  $('recovery-form').hidden = false;
  $('recovery').focus();
});

$('recovery-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  $('auth-error').textContent = '';
  try {
    await post('/api/v1/auth/recovery', { code: $('recovery').value.trim() });
    signedIn();
  } catch (err) {
    showProblem(err);
  }
});

$('restart').addEventListener('click', restart);

onLanguagePicked((lang) => {
  state.lang = lang;
  applyLanguage();
});

applyLanguage();
$('tenant').value = localStorage.getItem('sargs.tenant') || '';
($('tenant').value ? $('username') : $('tenant')).focus();
