import { AppError } from '../core/errors';

/**
 * How long a transport waits before offering a refused batch again: the intake's Retry-After (spool full) when it
 * gave one, never less than `dflt`, never more than 30 s.
 */
export function retryDelay(err: unknown, dflt: number): number {
  if (err instanceof AppError && typeof err.details.retryAfterSeconds === 'number') {
    return Math.min(Math.max(err.details.retryAfterSeconds * 1000, dflt), 30_000);
  }
  return dflt;
}
