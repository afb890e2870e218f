import { randomUUID } from 'node:crypto';
import { AppError } from '../../../../core/errors';
import { createSecretBox } from '../../../../core/secret-box';
import type { SqlClient } from '../../../../core/sql/sql-client';
import { createFactorService } from '../factor.service';
import type { AuthEvent, FactorUser } from '../factor.types';

export const RP = { id: 'sargs.test', name: 'Sargs', origin: 'https://sargs.test' };

/** A factor service on a real SqlClient with a settable clock, a user directory and the events it sent. */
export function factorFixture(sql: SqlClient) {
  const events: AuthEvent[] = [];
  const users = new Map<string, FactorUser>();
  const clock = { ms: Date.UTC(2026, 0, 15, 9, 0, 15) };
  const service = createFactorService({
    sql,
    secretBox: createSecretBox(Buffer.alloc(32, 7)),
    rp: RP,
    onEvent: (e) => void events.push(e),
    findUser: async (id) => users.get(id),
    now: () => clock.ms,
  });
  const newUser = (): FactorUser => {
    const u = { id: randomUUID(), username: `anna.${users.size}`, tenant: 'riga' };
    users.set(u.id, u);
    return u;
  };
  return { service, events, clock, newUser };
}

/** Awaits a rejection and checks it is an AppError with this status and code. */
export async function expectAppError(p: Promise<unknown>, status: number, code: string): Promise<AppError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  const e = caught as AppError;
  expect({ status: e.status, code: e.code }).toEqual({ status, code });
  return e;
}
