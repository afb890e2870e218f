import type { Request, Response } from 'express';
import { parseCookie, stringifySetCookie } from 'cookie';

/** Name of the session cookie (helper-notes ISSUE3.md). */
export const SESSION_COOKIE = 'sargs_session';

/** The session id in the request's cookie header, if any. */
export function sessionIdFrom(req: Request): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const v = parseCookie(header)[SESSION_COOKIE];
  return v && /^[A-Za-z0-9_-]{43}$/.test(v) ? v : undefined;
}

/**
 * Sets the session cookie: HttpOnly (no script access), SameSite=Strict (not sent on cross-site requests, the
 * first CSRF defence), Path=/, Secure when Sargs is reached over https (`secure`; plain http only for localhost
 * development). No Max-Age: a browser session cookie; the server enforces idle and absolute timeouts.
 */
export function setSessionCookie(res: Response, id: string, secure: boolean): void {
  res.append('Set-Cookie', stringifySetCookie({ name: SESSION_COOKIE, value: id, httpOnly: true, sameSite: 'strict', secure, path: '/' }));
}

/** Tells the browser to forget the session cookie. */
export function clearSessionCookie(res: Response, secure: boolean): void {
  res.append('Set-Cookie', stringifySetCookie({ name: SESSION_COOKIE, value: '', httpOnly: true, sameSite: 'strict', secure, path: '/', expires: new Date(0) }));
}
