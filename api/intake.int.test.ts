import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { backends } from './testing/backends';
import { startSargs, type RunningSargs } from './testing/start-sargs';

const run = promisify(execFile);

/** A VPS application audit event as VPS applications send it (DOMAIN.md). */
const audit = (n: number, over: Record<string, unknown> = {}) => ({
  ts: new Date(Date.UTC(2026, 10, 2, 8, 0, n)).toISOString(),
  app: 'PERS',
  org: 'riga',
  user: `user${n % 3}`,
  role: 'inspector',
  action: 'person-viewed',
  person: '161175-19997',
  subject_org: 'riga',
  category: 'residence',
  purpose: 'residence declaration 2026/17',
  record_id: `R-${n}`,
  outcome: 'success',
  ip: '10.20.30.40',
  ...over,
});
const ndjson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';

for (const b of backends) {
  b.describe(`intake and query end to end — ${b.name}`, () => {
    let s: RunningSargs;
    const post = (path: string, body: string | Buffer, token: string | undefined, headers: Record<string, string> = {}) =>
      fetch(s.url + path, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/x-ndjson', ...headers } });
    const get = (path: string, token = s.adminToken) => fetch(s.url + path, { headers: { authorization: `Bearer ${token}` } });
    const refresh = () => s.runtime.ctx.events.refresh();

    beforeAll(async () => {
      s = await startSargs({ env: { ...(await b.env()), SARGS_MAX_BODY_BYTES: String(256 * 1024) } });
    });
    afterAll(async () => s?.close());

    test('NDJSON events are stored once, found by person code, and re-delivery does not duplicate them', async () => {
      const body = ndjson([audit(1), audit(2), audit(3)]);
      const r1 = await (await post('/api/v1/ingest', body, s.collectorToken)).json();
      expect(r1).toMatchObject({ received: 3, created: 3, rejected: 0, errors: false });
      const r2 = await (await post('/api/v1/ingest', body, s.collectorToken)).json();
      expect(r2).toMatchObject({ received: 3, created: 0, duplicates: 3 });
      await refresh();
      const found = await (await get('/api/v1/events?person=161175-19997&tenant=riga')).json();
      expect(found.total).toBe(3);
      expect(found.events[0]).toMatchObject({ service: { name: 'PERS' }, vps: { tenant: 'riga', data_category: 'residence' } });
      // The person code is nowhere in the stored event, raw text included.
      expect(JSON.stringify(found)).not.toMatch(/161175-?19997/);
      expect((await (await get('/api/v1/events/count?app=PERS&user=user1')).json()).count).toBe(1);
    });

    test('a JSON array and a gzip body are accepted', async () => {
      const arr = await (await post('/api/v1/ingest', JSON.stringify([audit(10), audit(11)]), s.collectorToken, { 'content-type': 'application/json' })).json();
      expect(arr).toMatchObject({ received: 2, created: 2 });
      const gz = zlib.gzipSync(ndjson([audit(12), audit(13)]));
      const r = await post('/api/v1/ingest', gz, s.collectorToken, { 'content-encoding': 'gzip' });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ received: 2, created: 2 });
    });

    test('a malformed record goes to the dead-letter store with its reason and does not hold back the good ones', async () => {
      const body = ndjson([audit(20)]) + '{"ts": "not json\n' + JSON.stringify(audit(21, { ts: 'yesterday-ish' })) + '\n' + ndjson([audit(22)]);
      const r = await (await post('/api/v1/ingest', body, s.collectorToken)).json();
      expect(r).toMatchObject({ received: 4, created: 2, rejected: 2, errors: true });
      expect(r.items.map((i: { index: number }) => i.index)).toEqual([1, 2]);
      expect(r.items[1].field).toBe('ts');
      const dl = await (await get('/api/v1/deadletter?limit=10')).json();
      expect(dl.total).toBeGreaterThanOrEqual(2);
      expect(dl.items.map((i: { reason: string }) => i.reason).join(' ')).toMatch(/ts/);
      expect(JSON.stringify(dl)).not.toMatch(/161175-?19997/);
    });

    test('a tenant-scoped collector cannot send for another municipality', async () => {
      const jelgava = await s.tokenFor('jelgava', 'jelgava-pers');
      // A Riga user reading Jelgava's data is Jelgava's log (organization.id is the acting user's organisation);
      // an event that names another tenant as its owner is refused.
      const r = await (await post('/api/v1/ingest', ndjson([audit(30, { org: 'riga' }), audit(31, { tenant: 'riga' })]), jelgava)).json();
      expect(r).toMatchObject({ created: 1, rejected: 1 });
      expect(r.items[0]).toMatchObject({ index: 1, field: 'vps.tenant' });
      await refresh();
      expect((await (await get('/api/v1/events?tenant=jelgava')).json()).events[0].organization.id).toBe('riga');
    });

    test('bad credentials get 401, a collector may not read, all as problem+json', async () => {
      for (const token of [undefined, 'sargs_0000000000000000_' + 'A'.repeat(43), 'nonsense']) {
        const r = await post('/api/v1/ingest', ndjson([audit(40)]), token);
        expect(r.status).toBe(401);
        expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
        expect((await r.json()).detail).toMatch(/credentials/);
      }
      const r = await get('/api/v1/events', s.collectorToken);
      expect(r.status).toBe(403);
      expect((await r.json()).code).toBe('forbidden');
    });

    test('an oversize body gets 413 problem+json naming the limit', async () => {
      const big = ndjson(Array.from({ length: 2000 }, (_, i) => audit(100 + i)));
      const r = await post('/api/v1/ingest', big, s.collectorToken);
      expect(r.status).toBe(413);
      const p = await r.json();
      expect(p).toMatchObject({ status: 413, code: 'payload_too_large', field: 'body' });
      expect(p.detail).toMatch(/262144/);
    });

    test('bad query parameters get 400 naming the field', async () => {
      const cases: Array<[string, string]> = [
        ['/api/v1/events?size=5000', 'size'],
        ['/api/v1/events?from=yesterday', 'from'],
        ['/api/v1/events?person=161175-19998', 'person'],
        ['/api/v1/events?outcome=maybe', 'outcome'],
        ['/api/v1/events?after=zzz', 'after'],
        ['/api/v1/events?tenant=atlantis', 'tenant'],
        ['/api/v1/events?persn=161175-19997', 'persn'],
        ['/api/v1/events/count?size=10', 'size'],
      ];
      for (const [path, field] of cases) {
        const r = await get(path);
        expect(r.status).toBe(400);
        expect((await r.json()).field).toBe(field);
      }
    });

    test('deep paging through the API returns every event once', async () => {
      const many = Array.from({ length: 230 }, (_, i) => audit(1000 + i, { app: 'SOPA', category: 'social_assistance' }));
      await post('/api/v1/ingest', ndjson(many), s.collectorToken);
      await refresh();
      const seen = new Set<string>();
      let next: string | undefined;
      do {
        const page = await (await get(`/api/v1/events?app=SOPA&size=100${next ? `&after=${next}` : ''}`)).json();
        page.events.forEach((e: { event: { id: string } }) => seen.add(e.event.id));
        next = page.next;
      } while (next);
      expect(seen.size).toBe(230);
    });

    test('curl ships to the Elasticsearch-compatible _bulk and gets per-item results in Elasticsearch format', async () => {
      const lines =
        [
          { create: { _index: 'filebeat-vps' } },
          audit(500),
          { index: {} },
          audit(501),
          { delete: { _id: 'x' } },
          { create: {} },
          { not: 'an event' },
        ]
          .map((x) => JSON.stringify(x))
          .join('\n') + '\n';
      const args = ['-s', '-u', `shipper:${s.collectorToken}`, '-H', 'Content-Type: application/x-ndjson', '--data-binary', '@-', `${s.url}/vps-audit/_bulk`];
      const curl = (input: string) =>
        new Promise<string>((resolve, reject) => {
          const p = execFile('curl', args, (err, out) => (err ? reject(err) : resolve(out)));
          p.stdin!.end(input);
        });
      const r = JSON.parse(await curl(lines));
      expect(r.errors).toBe(true);
      expect(r.items.map((i: Record<string, { status: number }>) => Object.values(i)[0].status)).toEqual([201, 201, 400, 400]);
      expect(Object.keys(r.items[1])).toEqual(['index']);
      const again = JSON.parse(await curl(lines));
      expect(again.items.map((i: Record<string, { status: number }>) => Object.values(i)[0].status)).toEqual([409, 200, 400, 400]);
      const info = await run('curl', ['-s', '-H', 'Accept: application/json', '-u', `x:${s.collectorToken}`, `${s.url}/`]);
      expect(JSON.parse(info.stdout).version.number).toMatch(/^9\./);
    });

    test('/metrics reports received, stored and dead-lettered events', async () => {
      const text = await (await get('/metrics')).text();
      expect(text).toMatch(/sargs_events_received_total\{transport="http"\} \d+/);
      expect(text).toMatch(/sargs_events_stored_total \d+/);
      expect(text).toMatch(/sargs_events_dead_lettered_total\{transport="http"\} [1-9]/);
      expect(text).toMatch(/sargs_spool_depth_events 0/);
    });

    test('/healthz reports each backend', async () => {
      const h = await (await fetch(s.url + '/healthz')).json();
      expect(h.status).toBe('ok');
      expect(Object.keys(h.backends).sort()).toEqual(['correlations', 'events', 'jobs', 'state']);
      expect(h.backends.correlations).toEqual({ kind: 'in-process', ok: true });
    });
  });
}
