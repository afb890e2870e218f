// Calls to the Sargs API with the Bearer token; errors arrive as application/problem+json
// ({ type, title, status, detail, code, field? }, RFC 9457) and are thrown as ApiError.

const TOKEN_KEY = 'sargs.token';

/** An API failure: status 0 for a network error. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** The token lives in sessionStorage only: closing the tab signs out. */
export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** GET a JSON resource. */
export async function getJson(path) {
  const token = tokenStore.get();
  const headers = { Accept: 'application/json, application/problem+json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { headers, cache: 'no-store' });
  } catch {
    throw new ApiError(0, { title: 'network' });
  }
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json().catch(() => ({})) : {};
  // /healthz answers 503 with its body when degraded: that is data, not an error
  if (!res.ok && !(path === '/healthz' && body && body.backends)) throw new ApiError(res.status, body);
  return body;
}

export const api = {
  overview: (hours) => getJson(`/api/v1/stats/overview?hours=${encodeURIComponent(hours)}`),
  deadLetters: (limit) => getJson(`/api/v1/deadletter?limit=${encodeURIComponent(limit)}`),
  health: () => getJson('/healthz'),
};
