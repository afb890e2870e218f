import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { AppError } from '../core/errors';

/** Writes an RFC 9457 problem document. */
export function sendProblem(res: Response, status: number, code: string, detail: string, extra: Record<string, unknown> = {}): void {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `https://sargs.invalid/problems/${code}`, title: titleOf(status), status, code, detail, ...extra }));
}

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
const titleOf = (s: number) => titles[s] ?? 'Error';

/** Turns a ZodError into an AppError naming the first bad field and why. */
export function fromZod(err: ZodError, where = 'query'): AppError {
  const i = err.issues[0];
  // An unknown key is reported by its own name (zod puts it in `keys`, with an empty path).
  const unknown = i.code === 'unrecognized_keys' ? (i as { keys: string[] }).keys[0] : undefined;
  const field = unknown ?? (i.path.join('.') || where);
  return new AppError(400, 'invalid_' + where, `${field}: ${i.message}`, { field, issues: err.issues.map((x) => ({ field: x.path.join('.'), reason: x.message })) });
}

/** The one error handler: every error leaves as application/problem+json. */
export function problemHandler(logger?: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ZodError) err = fromZod(err);
    if (err instanceof AppError) {
      if (err.details.retryAfterSeconds) res.setHeader('Retry-After', String(err.details.retryAfterSeconds));
      const { retryAfterSeconds: _r, ...details } = err.details;
      return sendProblem(res, err.status, err.code, err.message, details);
    }
    // body-parser errors carry status and type.
    const e = err as { status?: number; type?: string; message?: string; limit?: number };
    if (e.type === 'entity.too.large') return sendProblem(res, 413, 'payload_too_large', `request body exceeds the limit of ${e.limit} bytes`, { field: 'body' });
    // JSON.parse's message quotes the body, which may hold a person code or a secret: a fixed reason instead
    if (e.type === 'entity.parse.failed') return sendProblem(res, 400, 'invalid_body', 'request body is not valid JSON', { field: 'body' });
    if (e.type === 'encoding.unsupported') return sendProblem(res, 415, 'unsupported_encoding', e.message ?? 'unsupported content encoding', { field: 'content-encoding' });
    if (e.status && e.status >= 400 && e.status < 500) return sendProblem(res, e.status, 'invalid_body', e.message ?? 'invalid request body', { field: 'body' });
    logger?.error({ err, path: req.path }, 'unhandled error');
    return sendProblem(res, 500, 'internal', 'internal error');
  };
}
