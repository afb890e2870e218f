/**
 * One error type for everything a caller can get wrong or that is unavailable, rendered once as
 * application/problem+json (RFC 9457) by api/problem.ts.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    /** Stable machine-readable code, e.g. `invalid_body`, `token_expired`. */
    readonly code: string,
    message: string,
    readonly details: { field?: string; retryAfterSeconds?: number; [k: string]: unknown } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, field?: string) =>
  new AppError(400, code, message, field ? { field } : {});
export const unauthorized = (message: string) => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (message: string) => new AppError(404, 'not_found', message);

/** The event store or another backend cannot be reached: callers may spool or retry. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
