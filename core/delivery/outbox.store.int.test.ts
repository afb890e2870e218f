import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../sql/sql-client';
import { openTestSql, requireServices, serviceUp } from '../testing/services';
import { createOutboxStore, type OutboxStore } from './outbox.store';

/** The outbox's SQL state machine on PGlite and Postgres: claims, leases and the fencing of a taken-over attempt. */
for (const kind of ['pglite', 'postgres'] as const) {
  (kind === 'pglite' || serviceUp('postgres') || requireServices ? describe : describe.skip)(`outbox store on ${kind}`, () => {
    let sql: SqlClient;
    let drop: () => Promise<void>;
    let store: OutboxStore;
    beforeAll(async () => {
      ({ sql, drop } = await openTestSql(kind));
      store = createOutboxStore(sql);
    });
    afterAll(() => drop());

    const insert = async (key: string) => {
      const id = randomUUID();
      const attachments = [{ fileName: 'a.bin', contentType: 'application/octet-stream', content: Buffer.from([0, 1, 2, 255]) }];
      const row = await store.insert(
        { id, key, channel: 'email', to: ['a@b.lv'], subject: 's', body: 'b', messageId: '<m@sargs>', tenant: 'riga', maxAttempts: 3, contentHash: 'h' },
        attachments,
      );
      return { id, row };
    };
    const expireLease = (id: string) => sql.query(`UPDATE sargs_outbox SET lease_until = clock_timestamp() - interval '1 second' WHERE id = $1`, [id]);

    it('stores a key once, with its attachments as bytes', async () => {
      const { id, row } = await insert('k1');
      expect(row).toMatchObject({ id, state: 'pending', attempts: 0 });
      expect((await insert('k1')).row).toBeUndefined();
      expect(await store.attachments(id)).toEqual([{ fileName: 'a.bin', contentType: 'application/octet-stream', content: Buffer.from([0, 1, 2, 255]) }]);
    });

    it('one claim at a time; a lease that ended is taken over, and the old owner can no longer write a failure', async () => {
      const { id } = await insert('k2');
      const a = await store.claim(id, 'owner-a', 60_000);
      expect(a).toMatchObject({ state: 'sending', attempts: 1 });
      expect(await store.claim(id, 'owner-b', 60_000)).toBeUndefined(); // A's lease still runs
      expect(await store.due(100)).not.toContainEqual(expect.objectContaining({ id }));
      await expireLease(id); // A died
      expect(await store.due(100)).toContainEqual({ id, attempts: 1 });
      expect(await store.claim(id, 'owner-b', 60_000)).toMatchObject({ state: 'sending', attempts: 2 });
      expect(await store.failed(id, 'owner-a', 'retrying', 'late failure of A', 0)).toBeUndefined();
      expect(await store.failed(id, 'owner-b', 'retrying', 'B failed', 60_000)).toMatchObject({ state: 'retrying', last_error: 'B failed' });
      expect(await store.claim(id, 'owner-c', 60_000)).toBeUndefined(); // not due for a minute
      await sql.query(`UPDATE sargs_outbox SET next_attempt_at = clock_timestamp() WHERE id = $1`, [id]);
      expect(await store.claim(id, 'owner-c', 60_000)).toMatchObject({ attempts: 3 });
      expect(await store.delivered(id, '250 OK')).toMatchObject({ state: 'delivered', response: '250 OK' });
      expect(await store.delivered(id, '250 again')).toBeUndefined(); // delivered once, recorded once
      expect(await store.claim(id, 'owner-d', 60_000)).toBeUndefined();
    });
  });
}
