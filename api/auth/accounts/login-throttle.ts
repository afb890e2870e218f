import { AppError } from '../../../core/errors';
import type { SqlClient } from '../../../core/sql/sql-client';
import type { AuthPolicy, ThrottleRule } from './auth-policy';

interface Row {
  key: string;
  failures: number;
  last_failure_at: Date | string | null;
  locked_until: Date | string | null;
}

const ms = (d: Date | string | null) => (d === null ? 0 : new Date(d).getTime());

/** Seconds to wait before the next attempt after `failures` failures (0 = none), per the rule. */
export function delaySeconds(rule: ThrottleRule, failures: number): number {
  if (failures < rule.delayAfter) return 0;
  return Math.min(rule.baseDelaySeconds * 2 ** (failures - rule.delayAfter), rule.maxDelaySeconds);
}

/**
 * Brute-force protection per account and per source address (Keycloak brute-force detection, OWASP
 * Authentication Cheat Sheet "Account Lockout"): growing delays after a few failures, a lock after many.
 * Keys: `user:<id>` (or `name:<tenant>/<username>` for names without an account, so that they behave the same)
 * and `ip:<address>`.
 */
export function createLoginThrottle(sql: SqlClient, policy: AuthPolicy['throttle']) {
  const ruleOf = (key: string) => (key.startsWith('ip:') ? policy.address : policy.account);

  async function read(key: string): Promise<Row | undefined> {
    return (await sql.query<Row>('SELECT key, failures, last_failure_at, locked_until FROM auth_throttle WHERE key = $1', [key])).rows[0];
  }

  /** Failures still counted at `now` (older ones are forgotten after resetAfterMinutes). */
  function current(row: Row | undefined, rule: ThrottleRule, now: number): number {
    if (!row) return 0;
    return now - ms(row.last_failure_at) > rule.resetAfterMinutes * 60_000 && ms(row.locked_until) <= now ? 0 : row.failures;
  }

  return {
    /**
     * Refuses the attempt with 429 and Retry-After while a key is locked or its delay has not passed.
     * Checked before the password is looked at, so that a locked account cannot be probed.
     */
    async check(keys: string[], now = Date.now()): Promise<void> {
      let waitMs = 0;
      let locked = false;
      for (const key of keys) {
        const row = await read(key);
        if (!row) continue;
        const lockedUntil = ms(row.locked_until);
        if (lockedUntil > now) {
          locked = true;
          waitMs = Math.max(waitMs, lockedUntil - now);
          continue;
        }
        const rule = ruleOf(key);
        const delay = delaySeconds(rule, current(row, rule, now)) * 1000;
        waitMs = Math.max(waitMs, ms(row.last_failure_at) + delay - now);
      }
      if (waitMs > 0) {
        const retryAfterSeconds = Math.ceil(waitMs / 1000);
        throw new AppError(429, locked ? 'account_locked' : 'too_many_attempts', locked ? `too many failed sign-ins: locked, try again in ${retryAfterSeconds} s` : `too many failed sign-ins: wait ${retryAfterSeconds} s`, { retryAfterSeconds });
      }
    },

    /** Counts a failure on each key; returns the keys that became locked by it. */
    async fail(keys: string[], now = Date.now()): Promise<string[]> {
      const lockedNow: string[] = [];
      for (const key of keys) {
        const rule = ruleOf(key);
        await sql.transaction(async (tx) => {
          const row = (await tx.query<Row>('SELECT key, failures, last_failure_at, locked_until FROM auth_throttle WHERE key = $1 FOR UPDATE', [key])).rows[0];
          const failures = current(row, rule, now) + 1;
          const lock = failures >= rule.lockAfter && ms(row?.locked_until ?? null) <= now;
          const lockedUntil = lock ? new Date(now + rule.lockMinutes * 60_000) : row?.locked_until ?? null;
          await tx.query(
            `INSERT INTO auth_throttle (key, failures, last_failure_at, locked_until) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET failures = $2, last_failure_at = $3, locked_until = $4`,
            [key, failures, new Date(now), lockedUntil],
          );
          if (lock) lockedNow.push(key);
        });
      }
      return lockedNow;
    },

    /** Forgets the failures of a key (a completed sign-in resets its account key, never its address key). */
    async reset(key: string): Promise<void> {
      await sql.query('DELETE FROM auth_throttle WHERE key = $1', [key]);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
