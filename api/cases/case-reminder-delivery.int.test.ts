/**
 * Case reminders delivered by e-mail through the outbox (core/delivery) to a real SMTP server (smtp-server), on
 * the embedded setup (PGlite + SQL job runner) and the real one (Postgres + BullMQ on Redis): one mail per
 * reminder to the tenant's recipients, naming the case reference and deadline but not the requester; the reminder
 * row is marked handed over; a repeat scan sends nothing again; a tenant without recipients keeps its reminder as a
 * due notification.
 */
import { randomBytes } from 'node:crypto';
import { createPseudonymiser } from '../../collector/pseudonymise';
import { createWorkingCalendar } from '../../core/calendar/working-days';
import { createOutbox, type DeliveryOutbox, type DeliveryWorker } from '../../core/delivery/outbox';
import { createSmtpTransport } from '../../core/delivery/smtp-transport';
import { SETUPS, TEST_POLICY, waitFor, type DeliverySetup } from '../../core/delivery/testing/delivery-setups';
import { freePort, startSmtpTestServer, type SmtpTestServer } from '../../core/delivery/testing/smtp-test-server';
import { createAuditLog } from '../../core/stores/audit-log';
import { loadTenants } from '../../core/tenants';
import { parseCasePolicy, reminderRecipients } from './case-policy';
import { outboxReminderDelivery } from './case-reminders';
import { createCases, type Cases } from './create-cases';

const policy = parseCasePolicy({
  reminders: { answer: { daysBefore: [7, 2], overdue: true }, 'processor-support': { daysBefore: [1], overdue: true } },
  attachments: { maxBytes: 4096, contentTypes: ['application/pdf'] },
  recipients: { riga: ['datu.aizsardziba@riga.example'], '*': ['privacy@zzdats.example'] },
});

/** An RFC 2047 header value (UTF-8, Q or B encoded words) as text. */
function decodeHeader(v: string): string {
  return v
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

for (const s of SETUPS) {
  (s.available ? describe : describe.skip)(`case reminders by e-mail (${s.name} setup)`, () => {
    let setup: DeliverySetup;
    let smtp: SmtpTestServer;
    let outbox: DeliveryOutbox;
    let worker: DeliveryWorker;
    let cases: Cases;

    beforeAll(async () => {
      setup = await s.open();
      smtp = await startSmtpTestServer({ port: await freePort() });
      outbox = createOutbox({
        sql: setup.sql,
        jobs: setup.jobs,
        queue: setup.queue,
        policy: TEST_POLICY,
        transports: { email: createSmtpTransport({ url: `smtp://127.0.0.1:${smtp.port}`, from: 'Sargs <sargs@zzdats.example>', timeoutMs: TEST_POLICY.smtpTimeoutMs }) },
      });
      worker = outbox.startWorker();
      cases = createCases({
        sql: setup.sql,
        audit: createAuditLog(setup.sql),
        pseudonymiser: createPseudonymiser(randomBytes(32)),
        tenantsById: loadTenants().byId,
        policy,
        calendar: createWorkingCalendar(),
      });
      cases.service.attachReminderDelivery(outboxReminderDelivery({ outbox, store: cases.store, recipients: (t) => reminderRecipients(policy, t), publicUrl: 'https://sargs.example/' }));
    });
    afterAll(async () => {
      await worker?.close({ force: true });
      await smtp?.close();
      await setup?.close();
    });

    it('mails the overdue notice once to the tenant\'s and the global recipients', async () => {
      const c = await cases.service.create({ tenant: 'riga', right: 'access', receivedAt: new Date('2026-09-01T08:00:00Z'), requester: { name: 'Kārlis Zariņš' } }, 'riga.dpo');
      // 1 Oct 2026 (Thursday) 23:59:59.999 Riga is the deadline; scanning on 5 Oct finds it overdue.
      const recorded = await cases.service.scanReminders(new Date('2026-10-05T09:00:00Z'));
      expect(recorded.map((r) => `${r.caseId === c.id}:${r.offset}`)).toEqual(['true:overdue']);
      const mail = await waitFor('the reminder e-mail', () => smtp.accepted.find((m) => m.headers.subject?.includes(c.reference)));
      expect(mail.envelope.to.sort()).toEqual(['datu.aizsardziba@riga.example', 'privacy@zzdats.example']);
      expect(decodeHeader(mail.headers.subject)).toBe(`Nokavēts termiņš / Deadline missed: ${c.reference}`);
      expect(mail.text).toContain('01.10.2026 23:59');
      expect(mail.text).toContain(`https://sargs.example/cases.html#${c.id}`);
      expect(mail.raw).not.toContain('Zari');
      await waitFor('the reminder marked handed over', async () => (await cases.service.reminders(['riga'], { limit: 10 })).find((r) => r.caseId === c.id && r.deliveredAt));
      // Scanning again records and sends nothing more.
      expect(await cases.service.scanReminders(new Date('2026-10-06T09:00:00Z'))).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.accepted.filter((m) => m.headers.subject?.includes(c.reference))).toHaveLength(1);
    });

    it('keeps the reminder of a tenant without recipients as a due notification, sending nothing', async () => {
      const noOne = parseCasePolicy({
        reminders: { answer: { daysBefore: [7], overdue: true }, 'processor-support': { daysBefore: [], overdue: false } },
        attachments: { maxBytes: 4096, contentTypes: ['application/pdf'] },
        recipients: {},
      });
      const quiet = createCases({ sql: setup.sql, audit: createAuditLog(setup.sql), pseudonymiser: createPseudonymiser(randomBytes(32)), tenantsById: loadTenants().byId, policy: noOne, calendar: createWorkingCalendar() });
      quiet.service.attachReminderDelivery(outboxReminderDelivery({ outbox, store: quiet.store, recipients: (t) => reminderRecipients(noOne, t), publicUrl: 'https://sargs.example' }));
      const c = await quiet.service.create({ tenant: 'ventspils', right: 'erasure', receivedAt: new Date('2026-09-01T08:00:00Z'), requester: { name: 'V' } }, 'dpo');
      await quiet.service.scanReminders(new Date('2026-10-05T09:00:00Z'));
      const due = await quiet.service.reminders(['ventspils'], { undeliveredOnly: true, limit: 10 });
      expect(due).toEqual([expect.objectContaining({ caseId: c.id, offset: 'overdue' })]);
      expect(smtp.accepted.some((m) => m.headers.subject?.includes(c.reference))).toBe(false);
    });
  });
}
