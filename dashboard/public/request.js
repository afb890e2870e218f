// Shared by the pages: JSON requests that turn problem+json answers into thrown values, calls to the API with the
// API token or the cookie session, and applying the page's language.
import { tokenStore } from './api.js';

/**
 * Sends JSON and resolves to the answer's body; throws { status, problem, retryAfter } on an error answer, and
 * { status: 0, problem: { detail: networkMessage } } when the server cannot be reached.
 */
export async function jsonRequest(method, url, body, { csrf, networkMessage } = {}) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (csrf) headers['X-CSRF-Token'] = csrf;
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw { status: 0, problem: { detail: networkMessage } };
  }
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) throw { status: res.status, problem: data, retryAfter: res.headers.get('Retry-After') };
  return data;
}

/**
 * A call to the Sargs API from a page: with the API token when one is kept (Authorization: Bearer), else through the
 * cookie session, whose CSRF token (`csrf`) goes with every change. Answers and throws as jsonRequest does.
 */
export async function apiCall(method, url, body, { csrf, networkMessage } = {}) {
  const token = tokenStore.get();
  if (!token) return jsonRequest(method, url, body, { csrf: method === 'GET' ? undefined : csrf, networkMessage });
  const headers = { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(url, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw { status: 0, problem: { detail: networkMessage } };
  }
  const data = res.status === 204 ? {} : await res.json().catch(() => ({}));
  if (!res.ok) throw { status: res.status, problem: data };
  return data;
}

/**
 * The cookie session of a page opened without an API token, or null when the page runs with one (Bearer); a visitor
 * with neither is sent to signin.html and undefined is returned (the page stops there).
 */
export async function sessionOrSignIn() {
  if (tokenStore.get()) return null;
  try {
    return await jsonRequest('GET', '/api/v1/auth/session');
  } catch {
    location.replace('signin.html');
    return undefined;
  }
}

/** Sets the document's language, the language picker and every [data-i18n] text, and the title. */
export function applyPageLanguage(lang, t, titleKey) {
  document.documentElement.lang = lang;
  document.getElementById('lang').value = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  document.title = t(titleKey);
}
