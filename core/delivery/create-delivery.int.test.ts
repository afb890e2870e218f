import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSargs, type RunningSargs } from '../../api/testing/start-sargs';
import { ConfigError, loadConfig } from '../config';
import { waitFor } from './testing/delivery-setups';
import { startSmtpTestServer, type SmtpTestServer } from './testing/smtp-test-server';
import { startWebhookTestServer } from './testing/webhook-test-server';

const SECRET = 'b'.repeat(40);
const TARGET_SECRET = 'c'.repeat(40);

describe('delivery as wired by the runtime (configuration → outbox on the app context)', () => {
  let sargs: RunningSargs;
  let smtp: SmtpTestServer;
  let hook: Awaited<ReturnType<typeof startWebhookTestServer>>;
  let secretsFile: string;

  beforeAll(async () => {
    smtp = await startSmtpTestServer();
    hook = await startWebhookTestServer(TARGET_SECRET);
    secretsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-hooks-')), 'webhooks.yaml');
    fs.writeFileSync(secretsFile, `- url: ${hook.url}\n  secret: ${TARGET_SECRET}\n`, { mode: 0o600 });
    sargs = await startSargs({
      env: {
        SARGS_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        SARGS_MAIL_FROM: 'Sargs <sargs@zzdats.example>',
        SARGS_WEBHOOK_SECRET: SECRET,
        SARGS_WEBHOOK_SECRETS_FILE: secretsFile,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await sargs?.close();
    await smtp?.close();
    await hook?.close();
  });

  it('sends e-mail through SARGS_SMTP_URL from SARGS_MAIL_FROM and webhooks signed with the target secret', async () => {
    const outbox = sargs.runtime.ctx.delivery.outbox;
    const worker = outbox.startWorker();
    try {
      const mail = await outbox.enqueue({ key: 'wired:mail', channel: 'email', to: ['dpo@riga.example.lv'], subject: 'Wired', text: 'hello', tenant: 'riga' });
      const post = await outbox.enqueue({ key: 'wired:hook', channel: 'webhook', to: [hook.url], subject: 'Wired', json: { ok: true }, tenant: 'riga' });
      for (const id of [mail.id, post.id]) await waitFor(`${id} delivered`, async () => (await outbox.get(id))?.state === 'delivered', 30_000);
      expect(smtp.accepted.map((m) => [m.headers.from, m.text])).toEqual([['Sargs <sargs@zzdats.example>', 'hello']]);
      // Verified by the receiver with the per-target secret of the file, not the default one.
      expect(hook.received.map((r) => [r.signatureError, r.body])).toEqual([[null, '{"ok":true}']]);
    } finally {
      await worker.close();
    }
  });

  it('refuses bad delivery settings at start, naming the variable', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        return (e as ConfigError).problems.join('\n');
      }
      return 'accepted';
    };
    expect(bad({ SARGS_SMTP_URL: 'http://mail.example.lv' })).toMatch(/SARGS_SMTP_URL: SARGS_SMTP_URL must use smtp: or smtps:/);
    expect(bad({ SARGS_MAIL_FROM: 'not an address' })).toMatch(/SARGS_MAIL_FROM/);
    expect(bad({ SARGS_WEBHOOK_SECRET: 'short' })).toMatch(/SARGS_WEBHOOK_SECRET must be at least 32 characters/);
    expect(loadConfig({ SARGS_SMTP_URL: 'smtps://u:p@mail.example.lv:465' }).smtpUrl).toBe('smtps://u:p@mail.example.lv:465');
  });
});
