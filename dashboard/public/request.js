// Shared by the sign-in and enrolment pages: JSON requests that turn problem+json answers into thrown values, and
// applying the page's language.

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

/** Sets the document's language, the language picker and every [data-i18n] text, and the title. */
export function applyPageLanguage(lang, t, titleKey) {
  document.documentElement.lang = lang;
  document.getElementById('lang').value = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  document.title = t(titleKey);
}
