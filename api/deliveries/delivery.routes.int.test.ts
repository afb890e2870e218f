import { startSargs, type RunningSargs } from '../testing/start-sargs';

/** GET /api/v1/deliveries over HTTP against the real app (embedded): filters, one record, problem+json on bad input. */
describe('delivery routes', () => {
  let sargs: RunningSargs;
  const api = async (path: string) => {
    const res = await fetch(`${sargs.url}${path}`, { headers: { authorization: `Bearer ${sargs.adminToken}` } });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    sargs = await startSargs();
  }, 180_000);
  afterAll(() => sargs?.close());

  it('lists the outbox records newest first, filtered by tenant, state and subject, and returns one by id', async () => {
    const outbox = sargs.runtime.ctx.delivery.outbox;
    const a = await outbox.enqueue({ key: 'notice:n1', channel: 'email', to: ['cert@cert.example.lv'], subject: 'N1', text: 'x', tenant: 'riga', subjectRef: { kind: 'incident-notice', id: 'n1' } });
    const b = await outbox.enqueue({ key: 'notice:n2', channel: 'webhook', to: ['https://hooks.example.lv/sargs'], subject: 'N2', json: { n: 2 }, tenant: 'jelgava' });

    const all = await api('/api/v1/deliveries');
    expect(all.status).toBe(200);
    expect((all.body.deliveries as Array<{ id: string }>).map((d) => d.id)).toEqual([b.id, a.id]);
    const riga = await api('/api/v1/deliveries?tenant=riga&state=pending&subjectKind=incident-notice&subjectId=n1');
    expect(riga.body.deliveries).toEqual([expect.objectContaining({ id: a.id, key: 'notice:n1', state: 'pending', attempts: 0, contentHash: a.contentHash })]);
    expect((await api('/api/v1/deliveries?state=delivered')).body.deliveries).toEqual([]);

    const one = await api(`/api/v1/deliveries/${b.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: b.id, channel: 'webhook', to: ['https://hooks.example.lv/sargs'], tenant: 'jelgava' });
    expect((await api('/api/v1/deliveries/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('refuses bad filters with problem+json naming the field', async () => {
    for (const [q, field] of [
      ['state=lost', 'state'],
      ['limit=0', 'limit'],
      ['tenant=atlantis', 'tenant'],
      ['subjectKind=incident-notice', 'subjectId'],
      ['colour=red', 'colour'],
    ]) {
      const r = await api(`/api/v1/deliveries?${q}`);
      expect([q, r.status, r.type.split(';')[0], r.body.field]).toEqual([q, 400, 'application/problem+json', field]);
    }
    expect((await api('/api/v1/deliveries/not-a-uuid')).body.field).toBe('id');
  });
});
