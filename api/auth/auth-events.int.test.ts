import { startSargs, type RunningSargs } from '../testing/start-sargs';
import { createAuthEventWriter } from './auth-events';

describe('authentication events go into the event store as ECS events', () => {
  let s: RunningSargs;
  beforeAll(async () => {
    s = await startSargs();
  });
  afterAll(async () => s?.close());

  test('a failed factor use is stored under dataset sargs.auth for the user’s tenant, searchable by action', async () => {
    const write = createAuthEventWriter(s.runtime.ctx.intake);
    await write({ action: 'replay-refused', outcome: 'failure', userId: 'u1', tenant: 'riga', username: 'anna', method: 'totp', ip: '10.0.0.9', reason: 'time step already used' });
    await write({ action: 'login-failed', outcome: 'failure', userId: 'u2', tenant: 'unknown', username: 'ghost' });
    await s.runtime.ctx.events.refresh();
    const r = await s.runtime.ctx.events.search({ scope: '*', app: 'SARGS' });
    expect(r.total).toBe(2);
    const replay = r.events.find((e) => e.event.action === 'replay-refused')!;
    expect(replay).toMatchObject({
      event: { dataset: 'sargs.auth', outcome: 'failure', category: ['authentication'] },
      user: { name: 'anna' },
      vps: { tenant: 'riga' },
      source: { ip: '10.0.0.9' },
    });
    expect(r.events.find((e) => e.event.action === 'login-failed')!.vps.tenant).toBe('zzdats');
  });
});
