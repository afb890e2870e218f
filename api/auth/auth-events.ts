import { randomUUID } from 'node:crypto';
import type { IntakeSink } from '../../core/types';
import type { AuthEvent } from './factors/factor.types';

const TYPE: Record<AuthEvent['action'], string[]> = {
  'factor-enrolled': ['creation'],
  'factor-used': ['info'],
  'factor-failed': ['info'],
  'factor-removed': ['deletion'],
  'replay-refused': ['denied'],
  'account-locked': ['change'],
  'login-succeeded': ['start'],
  'login-failed': ['start'],
  logout: ['end'],
  'step-up': ['info'],
};

/**
 * Writes Sargs's own authentication events (logins, factor use and failures, lockouts) into the event store as
 * ECS events of dataset `sargs.auth`, through the same intake as every other source: pseudonymised, durable
 * (spooled while the store is down), visible to detection rules and to `GET /api/v1/events?app=SARGS`.
 */
export function createAuthEventWriter(intake: IntakeSink, now: () => Date = () => new Date()) {
  /** `application`: the VPS application a validation check was for (the validate API); else Sargs itself. */
  return async (e: AuthEvent & { application?: string }): Promise<void> => {
    // An event about a user Sargs could not find is ZZ Dats's (the platform operator's) to look at.
    const tenant = e.tenant && e.tenant !== 'unknown' ? e.tenant : 'zzdats';
    const ecs = {
      '@timestamp': now().toISOString(),
      event: {
        id: randomUUID(),
        kind: 'event',
        category: ['authentication'],
        type: TYPE[e.action] ?? ['info'],
        action: e.action,
        outcome: e.outcome,
        dataset: 'sargs.auth',
        ...(e.reason ? { reason: e.reason } : {}),
      },
      service: { name: e.application ?? 'SARGS' },
      user: { id: e.userId, name: e.username },
      ...(e.ip ? { source: { ip: e.ip } } : {}),
      ...(e.method ? { authentication: { method: e.method } } : {}),
      vps: { tenant },
    };
    const [out] = await intake.accept([{ raw: JSON.stringify(ecs), value: ecs }], { tenant, source: 'sargs', parser: 'ecs', transport: 'internal' });
    if (out?.status === 'rejected') throw new Error(`auth event refused: ${out.reason}`);
  };
}
