import fs from 'node:fs';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { Config } from '../core/config';
import { createMetrics } from '../core/metrics';
import { loadPseudonymKey } from '../core/pseudonym-key';
import { createPgliteClient } from '../core/sql/pglite-client';
import { createPostgresClient } from '../core/sql/postgres-client';
import { migrate } from '../core/sql/migrate';
import type { SqlClient } from '../core/sql/sql-client';
import { createAuditLog } from '../core/stores/audit-log';
import { createDeadLetterStore } from '../core/stores/dead-letter-store';
import { createElasticsearchEventStore } from '../core/stores/elasticsearch-event-store';
import type { EventStore } from '../core/stores/event-store';
import { createSqlEventStore } from '../core/stores/sql-event-store';
import { loadTenants } from '../core/tenants';
import { createJobQueue } from '../core/jobs/create-job-queue';
import type { JobQueue } from '../core/jobs/job-queue';
import { createIntake } from '../collector/intake';
import { createPseudonymiser } from '../collector/pseudonymise';
import { DiskSpool } from '../collector/spool';
import type { AppContext, Health } from '../api/app-context';
import { createTokenStore } from '../api/tokens/token.store';
import { createAuthz } from '../api/authz/authz';
import { createAuthEventWriter } from '../api/auth/auth-events';
import { loadAuthPolicy } from '../api/auth/accounts/auth-policy';
import { createFactorService } from '../api/auth/factors/factor.service';
import { createUserStore } from '../api/auth/accounts/user.store';
import { loadSecretBox } from '../core/secret-box';
import { createMfaServices, type MfaDeps } from '../api/mfa/mfa.routes';
import { loadMfaPolicy } from '../api/mfa/mfa-policy';
import { createLoginThrottle } from '../api/auth/accounts/login-throttle';
import type { AlertStore } from '../core/stores/alert-store';
import { createSqlAlertStore } from '../core/stores/sql-alert-store';
import { createElasticsearchAlertStore } from '../core/stores/elasticsearch-alert-store';
import { createSuppressionStore } from '../core/stores/suppression-store';
import { createAlerting } from '../detection/alerting';
import { createRedisCorrelationWindows } from '../core/stores/redis-correlation-windows';
import { createSqlBaselineStore } from '../core/stores/sql-baseline-store';
import { createSqlWatchlistStore } from '../core/stores/watchlist-store';
import { createDocumentSigner } from '../pki/document-signer';
import { createCases } from '../api/cases/create-cases';
import { outboxReminderDelivery } from '../api/cases/case-reminders';
import { reminderRecipients } from '../api/cases/case-policy';
import { createIncidentService } from '../api/incidents/incident.service';
import { createIncidentStore } from '../api/incidents/incident.store';
import { loadIncidentPolicy } from '../api/incidents/incident-policy';
import { createDelivery } from '../core/delivery/create-delivery';

/**
 * The composition root: builds every store and service once from the configuration. The real service replaces
 * each embedded part when its URL is set (ELASTICSEARCH_URL, DATABASE_URL, REDIS_URL).
 */
export async function createRuntime(config: Config, opts: { logger?: Logger } = {}): Promise<Runtime> {
  const logger = opts.logger ?? pino({ level: config.logLevel, base: { app: 'sargs' } });
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const sql: SqlClient = config.databaseUrl
    ? await createPostgresClient(config.databaseUrl)
    : await createPgliteClient(path.join(config.dataDir, 'pglite'));
  await migrate(sql);
  const events: EventStore = config.elasticsearchUrl
    ? createElasticsearchEventStore({ url: config.elasticsearchUrl, prefix: config.esPrefix, retentionDays: config.retentionDays })
    : createSqlEventStore(sql);
  await events.init().catch((err) => {
    // Elasticsearch may be down at start: intake spools until it is back; the template is put on the next start.
    logger.warn({ err: (err as Error).message }, 'event store not initialised yet');
  });
  const pseudonymiser = createPseudonymiser(loadPseudonymKey(config));
  const tenantList = loadTenants();
  const tenants = tenantList.ids;
  const metrics = createMetrics();
  const deadLetters = createDeadLetterStore(sql);
  const spool = new DiskSpool(path.join(config.dataDir, 'spool'), config.spoolMaxBytes);
  await spool.open();
  // Detection runs inside the ingest path: every newly stored event goes through the Sigma rules (rules/), and hits
  // become alerts in the alert store (Elasticsearch when configured, else the SQL state database).
  const alertStore: AlertStore & { close?: () => Promise<void> } = config.elasticsearchUrl
    ? createElasticsearchAlertStore({ url: config.elasticsearchUrl, prefix: config.esPrefix })
    : createSqlAlertStore(sql);
  await alertStore.init().catch((err) => logger.warn({ err: (err as Error).message }, 'alert store not initialised yet'));
  const suppressions = createSuppressionStore(sql);
  // Anomaly baselines and the watch list live in the SQL state database: shared by every instance, kept across restarts.
  // Correlation windows live in Redis when it is configured, shared by every collector instance (a burst spread over
  // several collectors still adds up); else in this process (the embedded single node).
  const redisUrl = config.redisUrl;
  const watchlist = createSqlWatchlistStore(sql);
  const alerting = createAlerting({
    alerts: alertStore, suppressions, logger, baselines: createSqlBaselineStore(sql), watchlist,
    ...(redisUrl ? { correlationWindows: (rules) => createRedisCorrelationWindows({ redisUrl, prefix: config.esPrefix, rules, onError: (err) => logger.warn({ err: err.message }, 'correlation windows: Redis error') }) } : {}),
  });
  const intake = createIntake({
    store: events,
    spool,
    deadLetters,
    pseudonymiser,
    tenants,
    metrics,
    logger,
    keepOriginal: config.keepOriginal,
    onStored: (stored) => alerting.onStored(stored),
  });
  const tokens = createTokenStore(sql);
  const audit = createAuditLog(sql);
  const authz = await createAuthz(sql, audit);
  // Role changes made by other instances are picked up within 30 s.
  const authzTimer = setInterval(() => void authz.reload().catch(() => undefined), 30_000);
  authzTimer.unref();
  const jobs = createJobQueue({ redisUrl: config.redisUrl, sql, prefix: config.esPrefix, bullmq: { onError: (err) => logger.warn({ err: String(err) }, 'job queue error') } });

  const health = async (): Promise<Health> => {
    const [ev, st] = await Promise.all([
      events.health(),
      sql.query('SELECT 1').then(
        () => ({ ok: true }),
        (err: Error) => ({ ok: false, detail: err.message }),
      ),
    ]);
    const backends: Health['backends'] = {
      events: { kind: events.kind === 'sql' ? sql.kind : 'elasticsearch', ...ev },
      state: { kind: sql.kind, ...st },
      jobs: await jobs.counts('maintenance').then(
        () => ({ kind: jobs.kind === 'bullmq' ? 'bullmq' : `in-process (${sql.kind})`, ok: true }),
        (err: Error) => ({ kind: jobs.kind, ok: false, detail: err.message }),
      ),
    };
    // correlation windows: in Redis (the same server as the jobs when REDIS_URL is set) or in this process
    backends.correlations = alerting.windows === 'redis' ? { kind: 'redis', ok: backends.jobs!.ok, ...(backends.jobs!.detail ? { detail: backends.jobs!.detail } : {}) } : { kind: 'in-process', ok: true };
    return {
      status: Object.values(backends).every((b) => b.ok) ? 'ok' : 'degraded',
      backends,
      spool: intake.spoolStatus(),
    };
  };

  const writeAuthEvent = createAuthEventWriter(intake);
  const users = createUserStore(sql);
  const publicUrl = new URL(config.publicUrl);
  const secretBox = loadSecretBox({ secretKey: config.secretKey, dataDir: config.dataDir });
  // Document signing (issue 5): the platform CA in <dataDir>/pki, made on first use, or the deployment's own.
  const signer = createDocumentSigner({ dataDir: config.dataDir, secretBox, signingCertFile: config.signingCertFile, signingKeyFile: config.signingKeyFile });
  const factors = createFactorService({
    sql,
    secretBox,
    rp: { id: publicUrl.hostname, name: 'Sargs', origin: publicUrl.origin },
    onEvent: writeAuthEvent,
    findUser: async (id) => {
      const u = await users.byId(id);
      return u && { id: u.id, username: u.username, tenant: u.tenant, displayName: u.displayName };
    },
  });
  const identity = { sql, factors, policy: loadAuthPolicy(), writeAuthEvent };
  const mfaDeps: MfaDeps = {
    sql,
    events,
    factors,
    audit,
    policy: loadMfaPolicy(),
    tenants,
    tenantName: (id) => tenantList.byId.get(id)?.name,
    scopeOf: (p, perm) => authz.scope(p, perm),
    onEvent: (e) => writeAuthEvent(e),
    throttle: createLoginThrottle(sql, identity.policy.throttle),
  };
  const mfa = { deps: mfaDeps, services: createMfaServices(mfaDeps) };
  // Subject-request cases (issue 5): deadlines on the Latvian calendar (policies/calendar.yaml), reminders per
  // policies/cases.yaml (e-mailed through the delivery outbox below; due-notification rows in any case).
  const cases = createCases({ sql, audit, pseudonymiser, tenantsById: tenantList.byId, logger });
  // Incident cases and legal clocks (issue 6): policies/incident-*.yaml, on-call.yaml, notice-templates.yaml.
  const incidents = createIncidentService({
    store: createIncidentStore(sql),
    audit,
    policy: loadIncidentPolicy(),
    alerts: alertStore,
    tenantName: (id) => tenantList.byId.get(id)?.name ?? id,
    logger,
  });
  // Delivery (issue 6): e-mail and webhooks through the durable SQL outbox and the job queue (core/delivery); the
  // worker side runs in processes with the worker role (cli/main.ts start).
  const deliveryOutbox = createDelivery({ config, sql, jobs, alerts: alertStore, logger });
  const ctx: AppContext = { config, logger, events, deadLetters, tokens, authz, audit, intake, pseudonymiser, tenants, metrics, health, identity, mfa, detection: { alerts: alertStore, suppressions, watchlist, alerting }, cases, pki: { signer }, incidents, delivery: { outbox: deliveryOutbox } };
  // Incident notices and clock escalations go out through the delivery outbox; its delivered state stops the clocks.
  incidents.attachOutbox(deliveryOutbox);
  // Subject-request case reminders go out by e-mail to the recipients of policies/cases.yaml through the same outbox.
  cases.service.attachReminderDelivery(
    outboxReminderDelivery({ outbox: deliveryOutbox, store: cases.store, recipients: (t) => reminderRecipients(cases.policy, t), publicUrl: config.publicUrl }),
  );
  return {
    ctx,
    sql,
    jobs,
    async close() {
      clearInterval(authzTimer);
      await intake.stop();
      await jobs.close();
      await alerting.close();
      await alertStore.close?.();
      await events.close();
      await sql.close();
    },
  };
}

export interface Runtime {
  ctx: AppContext;
  sql: SqlClient;
  jobs: JobQueue;
  close(): Promise<void>;
}
