import { createHash } from 'node:crypto';
import { BullmqJobQueue } from '../jobs/bullmq-queue';
import { createSqlAlertStore } from '../stores/sql-alert-store';
import { createOutbox, type DeliveryOutbox, type DeliveryWorker } from './outbox';
import type { DeliveryRecord } from './outbox.types';
import { createSmtpTransport } from './smtp-transport';
import { createWebhookTransport } from './webhook-transport';
import { SETUPS, TEST_POLICY, waitFor, type DeliverySetup } from './testing/delivery-setups';
import { freePort, startSmtpTestServer, type SmtpTestServer } from './testing/smtp-test-server';
import { startWebhookTestServer } from './testing/webhook-test-server';

const SECRET = 'whsec-test-0123456789abcdef0123456789abcdef';
const FROM = 'Sargs <sargs@zzdats.example>';

for (const s of SETUPS) {
  (s.available ? describe : describe.skip)(`outbox on the ${s.name} setup`, () => {
    let setup: DeliverySetup;
    let smtp: SmtpTestServer | undefined;
    let smtpPort: number;
    const workers: DeliveryWorker[] = [];
    const closers: Array<() => Promise<void>> = [];

    // One database and queue for the file (each test uses its own message keys); a new SMTP port per test.
    beforeAll(async () => {
      setup = await s.open();
    });
    afterAll(() => setup.close());
    beforeEach(async () => {
      smtpPort = await freePort();
    });
    afterEach(async () => {
      for (const w of workers.splice(0)) await w.close({ force: true });
      for (const c of closers.splice(0)) await c();
      await smtp?.close();
      smtp = undefined;
    });
    const deadAlerts = (entity: string) =>
      waitFor(`the dead-delivery alert of ${entity}`, async () => {
        const r = await createSqlAlertStore(setup.sql).search({ scope: '*', ruleId: 'sargs-delivery-dead' });
        const mine = r.alerts.filter((a) => a.entity === entity);
        return mine.length ? mine : undefined;
      });

    const outboxWith = (over: { attempts?: number } = {}): DeliveryOutbox =>
      createOutbox({
        sql: setup.sql,
        jobs: setup.jobs,
        queue: setup.queue,
        policy: { ...TEST_POLICY, ...over },
        alerts: createSqlAlertStore(setup.sql),
        transports: {
          email: createSmtpTransport({ url: `smtp://127.0.0.1:${smtpPort}`, from: FROM, timeoutMs: TEST_POLICY.smtpTimeoutMs }),
          webhook: createWebhookTransport({ defaultSecret: SECRET, timeoutMs: TEST_POLICY.webhookTimeoutMs }),
        },
      });
    const start = (o: DeliveryOutbox) => {
      const w = o.startWorker();
      workers.push(w);
      return w;
    };
    const stateOf = (o: DeliveryOutbox, id: string, state: DeliveryRecord['state']) =>
      waitFor(`delivery ${id} ${state}`, async () => {
        const r = await o.get(id);
        return r?.state === state ? r : undefined;
      });

    it('sends an e-mail with its attachment to a real SMTP server, once per key, with the key-derived Message-ID', async () => {
      smtp = await startSmtpTestServer({ port: smtpPort });
      const outbox = outboxWith();
      const seen: string[] = [];
      outbox.onStateChange((r) => void seen.push(r.state));
      start(outbox);
      const pdf = Buffer.from('%PDF-1.7 early warning\n');
      const msg = {
        key: 'notice:inc-1:early-warning',
        channel: 'email' as const,
        to: ['cert@cert.example.lv', 'dpo@riga.example.lv'],
        subject: 'Agrīnais brīdinājums / early warning: incident INC-1',
        text: 'Sargs: agrīnais brīdinājums par incidentu INC-1.\nEarly warning for incident INC-1.',
        attachments: [{ fileName: 'early-warning.pdf', contentType: 'application/pdf', content: pdf }],
        tenant: 'riga',
        subjectRef: { kind: 'incident-notice', id: 'inc-1' },
      };
      const rec = await outbox.enqueue(msg);
      expect(rec).toMatchObject({ key: msg.key, state: 'pending', attempts: 0, tenant: 'riga', subjectRef: msg.subjectRef });
      expect(rec.contentHash).toMatch(/^[0-9a-f]{64}$/);
      // The same key again: stored and sent once.
      expect((await outbox.enqueue({ ...msg, text: 'changed' })).id).toBe(rec.id);

      const done = await stateOf(outbox, rec.id, 'delivered');
      expect(done).toMatchObject({ attempts: 1, deliveredAt: expect.any(String), response: expect.stringMatching(/^250/) });
      await new Promise((r) => setTimeout(r, 2 * TEST_POLICY.sweepIntervalMs));
      expect(smtp.accepted).toHaveLength(1);
      const mail = smtp.accepted[0]!;
      const expectedId = `<${createHash('sha256').update(msg.key).digest('hex').slice(0, 40)}@sargs>`;
      expect(done.messageId).toBe(expectedId);
      expect(mail.headers['message-id']).toBe(expectedId);
      expect(mail.headers['x-sargs-delivery']).toBe(rec.id);
      expect(mail.headers.from).toBe('Sargs <sargs@zzdats.example>');
      expect(mail.envelope.to).toEqual(msg.to);
      expect(mail.headers.subject).toMatch(/^=\?UTF-8\?/); // Latvian letters encoded (RFC 2047)
      expect(mail.text).toBe(msg.text);
      expect(mail.attachments).toEqual([{ fileName: 'early-warning.pdf', contentType: 'application/pdf', content: pdf }]);
      expect(seen).toEqual(['pending', 'sending', 'delivered']);
      expect(await outbox.list({ tenant: 'riga', subjectRef: msg.subjectRef })).toEqual([done]);
      expect(await outbox.list({ tenant: ['ventspils'] })).toEqual([]);
      expect((await outbox.byKey(msg.key))?.id).toBe(rec.id);
    });

    it('SMTP down, then up: retries with backoff and delivers exactly once', async () => {
      const outbox = outboxWith();
      start(outbox);
      const rec = await outbox.enqueue({ key: 'reminder:case-7', channel: 'email', to: ['dpo@riga.example.lv'], subject: 'Case 7 due', text: 'due', tenant: 'riga' });
      const failing = await waitFor('a failed attempt', async () => {
        const r = await outbox.get(rec.id);
        return r && r.attempts >= 2 && r.state === 'retrying' ? r : undefined;
      });
      expect(failing.lastError).toMatch(/ECONNREFUSED|connect/i);
      expect(failing.nextAttemptAt).toBeDefined();
      smtp = await startSmtpTestServer({ port: smtpPort });
      const done = await stateOf(outbox, rec.id, 'delivered');
      await new Promise((r) => setTimeout(r, 3 * TEST_POLICY.sweepIntervalMs));
      expect(smtp.accepted).toHaveLength(1);
      expect((await outbox.get(rec.id))?.attempts).toBe(done.attempts);
    });

    it('signs webhooks (HMAC of timestamp.body), retries a 503 and is delivered with the same delivery id', async () => {
      const hook = await startWebhookTestServer(SECRET, (n) => (n === 1 ? 503 : 204));
      closers.push(hook.close);
      const outbox = outboxWith();
      start(outbox);
      const payload = { notice: 'gdpr-processor-to-controller', incident: 'INC-2', tenant: 'riga', persons: 120 };
      const rec = await outbox.enqueue({ key: 'hook:inc-2', channel: 'webhook', to: [hook.url], subject: 'GDPR notice', json: payload, tenant: 'riga' });
      const done = await stateOf(outbox, rec.id, 'delivered');
      expect(done).toMatchObject({ attempts: 2, response: 'HTTP 204' });
      expect(done.messageId).toBeUndefined();
      expect(hook.received.map((r) => [r.status, r.signatureError, r.delivery])).toEqual([
        [503, null, rec.id],
        [204, null, rec.id],
      ]);
      expect(JSON.parse(hook.received[1]!.body)).toEqual(payload);
      expect(hook.received[0]!.body).toBe(hook.received[1]!.body);
    });

    it('a webhook refused with 4xx is dead at once and raises a high alert in the message tenant', async () => {
      const hook = await startWebhookTestServer(SECRET, () => 422);
      closers.push(hook.close);
      const outbox = outboxWith();
      start(outbox);
      const rec = await outbox.enqueue({ key: 'hook:inc-3', channel: 'webhook', to: [hook.url], subject: 'Final report', json: { x: 1 }, tenant: 'liepaja' });
      const dead = await stateOf(outbox, rec.id, 'dead');
      expect(dead).toMatchObject({ attempts: 1, lastError: expect.stringContaining('HTTP 422') });
      const found = await deadAlerts('hook:inc-3');
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ ruleId: 'sargs-delivery-dead', level: 'high', tenant: 'liepaja', entity: 'hook:inc-3', status: 'open' });
      expect(hook.received).toHaveLength(1);
    });

    it('after the last attempt the message is dead (SMTP never up) and raises the alert', async () => {
      const outbox = outboxWith({ attempts: 3 });
      start(outbox);
      const rec = await outbox.enqueue({ key: 'reminder:case-9', channel: 'email', to: ['dpo@riga.example.lv'], subject: 'Case 9', text: 'x', tenant: 'riga' });
      const dead = await stateOf(outbox, rec.id, 'dead');
      expect(dead.attempts).toBe(3);
      expect((await deadAlerts('reminder:case-9')).map((a) => a.tenant)).toEqual(['riga']);
    });

    it('SMTP 5xx is a permanent refusal: dead without retry; 4xx is retried', async () => {
      smtp = await startSmtpTestServer({
        port: smtpPort,
        onDataPhase: (n) => (n === 1 ? { code: 451, message: 'try later' } : n === 2 ? 'accept' : { code: 554, message: 'rejected' }),
      });
      const outbox = outboxWith();
      start(outbox);
      const a = await outbox.enqueue({ key: 'm:a', channel: 'email', to: ['a@riga.example.lv'], subject: 'A', text: 'a', tenant: 'riga' });
      expect(await stateOf(outbox, a.id, 'delivered')).toMatchObject({ attempts: 2 });
      const b = await outbox.enqueue({ key: 'm:b', channel: 'email', to: ['b@riga.example.lv'], subject: 'B', text: 'b', tenant: 'riga' });
      expect(await stateOf(outbox, b.id, 'dead')).toMatchObject({ attempts: 1, lastError: expect.stringContaining('554') });
    });

    it('the queue lost its jobs (Redis data lost / runner table emptied): the sweeper still delivers, once', async () => {
      smtp = await startSmtpTestServer({ port: smtpPort });
      const outbox = outboxWith();
      const rec = await outbox.enqueue({ key: 'notice:inc-4', channel: 'email', to: ['cert@cert.example.lv'], subject: 'INC-4', text: 'x', tenant: 'riga' });
      expect((await setup.jobs.counts(setup.queue)).waiting).toBeGreaterThanOrEqual(1);
      await setup.loseQueuedJobs();
      expect(await setup.jobs.counts(setup.queue)).toMatchObject({ waiting: 0, delayed: 0, active: 0 });
      // A restarted process: a new job-queue instance and outbox over the same stores.
      const restarted = createOutbox({
        sql: setup.sql,
        jobs: setup.newJobs(),
        queue: setup.queue,
        policy: TEST_POLICY,
        transports: { email: createSmtpTransport({ url: `smtp://127.0.0.1:${smtpPort}`, from: FROM, timeoutMs: TEST_POLICY.smtpTimeoutMs }) },
      });
      start(restarted);
      await stateOf(restarted, rec.id, 'delivered');
      await new Promise((r) => setTimeout(r, 3 * TEST_POLICY.sweepIntervalMs));
      expect(smtp.accepted).toHaveLength(1);
    });

    // Redis only exists in the real setup (the embedded runner's queue is the state database itself).
    if (s.name === 'real')
      it('Redis unreachable at enqueue: the message is stored, enqueue returns, and it is delivered once Redis answers', async () => {
        smtp = await startSmtpTestServer({ port: smtpPort });
        const deadRedis = new BullmqJobQueue({ redisUrl: `redis://127.0.0.1:${await freePort()}`, prefix: 'sargs-test-unreachable' });
        const outbox = createOutbox({ sql: setup.sql, jobs: deadRedis, queue: setup.queue, policy: TEST_POLICY, transports: {} });
        const t0 = Date.now();
        const rec = await outbox.enqueue({ key: 'notice:redis-down', channel: 'email', to: ['cert@cert.example.lv'], subject: 'R', text: 'r', tenant: 'riga' });
        expect(Date.now() - t0).toBeLessThan(15_000);
        expect((await outbox.get(rec.id))?.state).toBe('pending');
        void deadRedis.close({ force: true }).catch(() => undefined);
        // A worker on the reachable Redis: its sweeper finds the stored message.
        const worker = outboxWith();
        start(worker);
        await stateOf(worker, rec.id, 'delivered');
        await new Promise((r) => setTimeout(r, 3 * TEST_POLICY.sweepIntervalMs));
        expect(smtp.accepted.filter((m) => m.headers['x-sargs-delivery'] === rec.id)).toHaveLength(1);
      });

    it('refuses a message that cannot be sent, naming the field', async () => {
      const outbox = outboxWith();
      const base = { key: 'k', channel: 'email' as const, to: ['a@b.lv'], subject: 's', text: 't', tenant: 'riga' };
      await expect(outbox.enqueue({ ...base, to: ['not an address'] })).rejects.toMatchObject({ status: 400, details: { field: 'to' } });
      await expect(outbox.enqueue({ ...base, subject: 'a\r\nBcc: x@y.lv' })).rejects.toMatchObject({ status: 400, details: { field: 'subject' } });
      await expect(outbox.enqueue({ ...base, channel: 'webhook', to: ['ftp://x'] })).rejects.toMatchObject({ details: { field: 'to' } });
      await expect(outbox.enqueue({ ...base, key: '' })).rejects.toMatchObject({ details: { field: 'key' } });
      expect(await outbox.byKey('k')).toBeUndefined();
    });
  });
}
