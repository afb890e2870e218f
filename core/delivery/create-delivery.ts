import type { Logger } from 'pino';
import type { Config } from '../config';
import type { JobQueue } from '../jobs/job-queue';
import type { SqlClient } from '../sql/sql-client';
import type { AlertStore } from '../stores/alert-store';
import { loadDeliveryPolicy, type DeliveryPolicy } from './delivery-policy';
import { createOutbox, type DeliveryOutbox } from './outbox';
import { createSmtpTransport } from './smtp-transport';
import type { Transports } from './transports';
import { loadWebhookSecrets } from './webhook-secrets';
import { createWebhookTransport } from './webhook-transport';

/**
 * Builds the outbox from the configuration (cli/runtime.ts): e-mail when SARGS_SMTP_URL is set, webhooks always
 * (each target needs a secret: SARGS_WEBHOOK_SECRET or SARGS_WEBHOOK_SECRETS_FILE, else its messages are dead with
 * that reason), retries per policies/delivery.yaml, dead letters raised as alerts in `alerts`.
 */
export function createDelivery(opts: {
  config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'webhookSecret' | 'webhookSecretsFile'>;
  sql: SqlClient;
  jobs: JobQueue;
  alerts: Pick<AlertStore, 'record'>;
  logger?: Logger;
  policy?: DeliveryPolicy;
}): DeliveryOutbox {
  const { config } = opts;
  const policy = opts.policy ?? loadDeliveryPolicy();
  const transports: Transports = {
    webhook: createWebhookTransport({
      defaultSecret: config.webhookSecret,
      secrets: config.webhookSecretsFile ? loadWebhookSecrets(config.webhookSecretsFile) : [],
      timeoutMs: policy.webhookTimeoutMs,
    }),
  };
  if (config.smtpUrl) transports.email = createSmtpTransport({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: policy.smtpTimeoutMs });
  return createOutbox({ sql: opts.sql, jobs: opts.jobs, policy, transports, alerts: opts.alerts, ...(opts.logger ? { logger: opts.logger } : {}) });
}
