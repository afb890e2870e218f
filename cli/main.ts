import http from 'node:http';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../core/config';
import { createApp } from '../api/create-app';
import { startSyslogServers } from '../collector/syslog/syslog-server';
import { createFileTailer } from '../collector/tail/file-tailer';
import { createSqlCheckpointStore } from '../collector/tail/checkpoint-store';
import { loadTailConfig } from '../collector/tail/tail-config';
import { pruneSqlEvents } from '../core/stores/sql-event-store';
import { createRuntime, type Runtime } from './runtime';
import { createAccountService } from '../api/auth/accounts/account.service';
import { runDemo } from './run-demo';
import { createSqlWatchlistStore } from '../core/stores/watchlist-store';
import { rulesTest } from './rules';
import { rulesBacktest } from './rules-backtest';
import { rulesWatchlist } from './rules-watchlist';
import { startIncidentEscalations } from '../api/incidents/escalation-job';
import { startMonthlyReports } from '../api/municipality/monthly-reports';
import { loadTenants } from '../core/tenants';
import { startCaseReminderJobs } from '../api/cases/case-reminders';

const HELP = `sargs — security and compliance operations for VPS

Usage:
  sargs init [--json] [--admin NAME]
                               create the data dir, the first platform-admin API token (printed once)
                               and the platform administrator's enrolment link
  sargs start                  run API, dashboard, collector and workers (SARGS_ROLES picks a subset)
  sargs demo [--days N] [--seed N] [--events-per-day N] [--json]
                               load realistic VPS traffic with scripted misuse into the store
  sargs token create --tenant T --source S [--days N] [--json]
                               create a collector token
  sargs rules test [dir]       load every detection rule (rules/) and run its match / no-match test events
  sargs rules backtest <rule> --since DATE [--until DATE] [--tenant T] [--json]
                               run a rule (id, name, title or file) over stored events and report what it
                               would have raised; writes no alerts
  sargs rules watchlist add --list NAME [--tenant T] [--user U] [--note TEXT] < person-codes.txt
  sargs rules watchlist list [--tenant T] [--json] | remove ID
                               the watch list of the sargs.watchlist rule field (stored as pseudonyms)
  sargs help

Configuration comes from the environment; see README.md ("Configuration").`;

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd = 'help', ...rest] = argv;
  try {
    switch (cmd) {
      case 'init':
        return await init(rest);
      case 'start':
        return await start();
      case 'demo':
        return await demo(rest);
      case 'token':
        return await token(rest);
      case 'rules':
        if (rest[0] === 'test') return rulesTest(rest[1]);
        if (rest[0] === 'backtest') return await rulesBacktest(rest.slice(1), (fn) => withRuntime((rt) => fn(rt)));
        if (rest[0] === 'watchlist') return await rulesWatchlist(rest.slice(1), (fn) => withRuntime((rt) => fn(rt)));
        console.error("sargs rules: expected 'test [dir]', 'backtest <rule> --since <date>' or 'watchlist add|list|remove'");
        return 2;
      case 'help':
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        console.error(`sargs: unknown command '${cmd}'\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`sargs: ${err.message}`);
      return 2;
    }
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      console.error(`sargs ${cmd}: ${(err as Error).message}`);
      return 2;
    }
    throw err;
  }
}

async function withRuntime<T>(fn: (rt: Runtime, config: Config) => Promise<T>, quiet = true): Promise<T> {
  const config = loadConfig();
  // One-shot commands print their answer on stdout (`--json` for scripts): their warnings go to stderr.
  const pino = (await import('pino')).default;
  const rt = await createRuntime(config, quiet ? { logger: pino({ level: 'warn' }, pino.destination(2)) } : {});
  try {
    return await fn(rt, config);
  } finally {
    await rt.close();
  }
}

async function init(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false }, admin: { type: 'string', default: 'admin' } }, strict: true });
  return withRuntime(async (rt, config) => {
    const existing = (await rt.ctx.tokens.list()).filter((t) => t.kind === 'platform-admin' && !t.revokedAt);
    if (existing.length) {
      console.error(`sargs init: ${config.dataDir} is already initialised (platform-admin token ${existing[0].id} exists); revoke it to issue a new one`);
      return 1;
    }
    await rt.ctx.pki.signer.caCertificate(); // the platform CA (pki/), made now rather than at the first start
    const { token, info } = await rt.ctx.tokens.create({ kind: 'platform-admin', tenant: '*', description: 'first platform admin (sargs init)', createdBy: 'sargs init' });
    await rt.ctx.audit.record('cli:init', 'token.created', `token:${info.id}`, { kind: info.kind });
    // The first person: a ZZ Dats platform admin who enrols a password and a second factor through the link.
    const actor = { kind: 'token' as const, id: info.id, name: 'cli:init', tenant: '*', tokenKind: 'platform-admin' as const };
    const accounts = createAccountService({
      sql: rt.sql,
      factors: rt.ctx.identity.factors,
      audit: rt.ctx.audit,
      onEvent: rt.ctx.identity.writeAuthEvent,
      policy: rt.ctx.identity.policy,
      publicUrl: config.publicUrl,
      tenants: rt.ctx.tenants,
    });
    const { user, enrolment } = await accounts.createUser({ tenant: 'zzdats', username: values.admin, displayName: 'Platform administrator', kind: 'staff' }, actor);
    await rt.ctx.authz.assignRole(`user:${user.id}`, 'platform-admin', '*', actor);
    if (values.json)
      console.log(JSON.stringify({ dataDir: config.dataDir, tokenId: info.id, token, admin: { tenant: 'zzdats', username: user.username, enrolmentUrl: enrolment.url, expiresAt: enrolment.expiresAt } }));
    else
      console.log(
        `Sargs initialised in ${config.dataDir}\n\n` +
          `Platform-admin API token for machines and scripts (shown once, keep it secret):\n\n  ${token}\n\n` +
          `Enrolment link for the platform administrator zzdats/${user.username} (single use, until ${enrolment.expiresAt}):\n` +
          `set a password and a second factor (authenticator app or passkey) there:\n\n  ${enrolment.url}\n\n` +
          `Start with: npm start`,
      );
    return 0;
  });
}

async function token(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') {
    console.error("sargs token: expected 'create'");
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { tenant: { type: 'string' }, source: { type: 'string' }, days: { type: 'string', default: '365' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const days = Number(values.days);
  if (!values.tenant || !values.source) {
    console.error('sargs token create: --tenant and --source are required');
    return 2;
  }
  if (!Number.isInteger(days) || days < 1 || days > 730) {
    console.error('sargs token create: --days must be a whole number from 1 to 730');
    return 2;
  }
  return withRuntime(async (rt) => {
    if (values.tenant !== '*' && !rt.ctx.tenants.has(values.tenant!)) {
      console.error(`sargs token create: unknown tenant '${values.tenant}' (see policies/tenants.yaml)`);
      return 2;
    }
    const { token: secret, info } = await rt.ctx.tokens.create({
      kind: 'collector',
      tenant: values.tenant!,
      source: values.source!,
      createdBy: 'cli',
      expiresAt: new Date(Date.now() + days * 86_400_000),
    });
    await rt.ctx.audit.record('cli', 'token.created', `token:${info.id}`, { kind: 'collector', tenant: info.tenant, source: info.source });
    console.log(values.json ? JSON.stringify({ ...info, token: secret }) : secret);
    return 0;
  });
}

async function demo(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      days: { type: 'string', default: '7' },
      seed: { type: 'string', default: '2026' },
      'events-per-day': { type: 'string', default: '20000' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const days = Number(values.days);
  const seed = Number(values.seed);
  const perDay = Number(values['events-per-day']);
  if (!Number.isInteger(days) || days < 1 || days > 400) {
    console.error('sargs demo: --days must be a whole number from 1 to 400');
    return 2;
  }
  if (!Number.isInteger(seed) || !Number.isInteger(perDay) || perDay < 1) {
    console.error('sargs demo: --seed and --events-per-day must be whole numbers');
    return 2;
  }
  return withRuntime(async (rt) => {
    const watchlist = createSqlWatchlistStore(rt.sql);
    const watch = async (code: string, note: string) => {
      const { entry, created } = await watchlist.add({ list: 'demo', person: rt.ctx.pseudonymiser.person(code), tenant: '*', note, createdBy: 'sargs demo' });
      if (created) await rt.ctx.audit.record('sargs demo', 'watchlist.added', `watchlist:${entry.id}`, { list: entry.list, tenant: entry.tenant });
    };
    const summary = await runDemo(rt.ctx.intake, { days, seed, eventsPerDay: perDay, watch });
    await rt.ctx.events.refresh();
    if (values.json) console.log(JSON.stringify(summary));
    else {
      console.log(`Demo traffic loaded: ${summary.records} records (${summary.created} stored, ${summary.duplicates} already there, ${summary.rejected} dead-lettered) from ${summary.from} to ${summary.to}.`);
      console.log('Scripted misuse for the detection rules:');
      for (const s of summary.scenarios) console.log(`  - ${s.id}: ${s.title}`);
    }
    return 0;
  });
}

async function start(): Promise<number> {
  const config = loadConfig();
  const rt = await createRuntime(config);
  const { ctx, sql } = rt;
  const log = ctx.logger;
  // The platform CA and signing certificate are made on the first start (pki/platform-pki.ts), then reused; in the
  // background, so two RSA key generations do not hold up listening. A bad PKI (keys sealed under another secret
  // key, a wrong SARGS_SIGNING_CERT) is reported now rather than at the first export.
  void ctx.pki.signer.caCertificate().then(
    () => log.info('document signing ready'),
    (err: Error) => log.error({ err: err.message, cause: String((err as Error & { cause?: unknown }).cause ?? '') }, 'document signing unavailable'),
  );
  const stops: Array<() => Promise<void>> = [];
  const roles = new Set(config.roles);

  if (roles.has('api') || roles.has('collector')) {
    const server = http.createServer(createApp(ctx));
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(config.port, config.host, resolve));
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.port;
    log.info({ url: `http://${config.host}:${port}/` }, 'Sargs HTTP listening');
    if (process.send) process.send({ ready: true, port });
    stops.push(() => new Promise((r) => server.close(() => r())));
  }
  if (roles.has('collector')) {
    ctx.intake.start();
    const syslog = await startSyslogServers({ port: config.syslogPort, host: config.host, tenant: config.syslogTenant, sink: ctx.intake, logger: log });
    log.info({ udp: syslog.udpPort, tcp: syslog.tcpPort }, 'syslog listening');
    stops.push(() => syslog.close());
    if (config.tailConfig) {
      const tailer = createFileTailer({ files: loadTailConfig(config.tailConfig), sink: ctx.intake, checkpoints: createSqlCheckpointStore(sql), logger: log });
      await tailer.start();
      stops.push(() => tailer.stop());
    }
  }
  if (roles.has('worker')) {
    // Delivery (issue 6): e-mail and webhooks from the SQL outbox on the job queue; its sweeper re-reads the outbox at
    // start and every interval, so a restart or Redis losing its data loses no due message (core/delivery/outbox.ts).
    const delivery = ctx.delivery.outbox.startWorker();
    stops.push(() => delivery.close());
    // Subject-request cases: the reminder scan runs as durable jobs (queue case-reminders, policies/cases.yaml).
    stops.push(startCaseReminderJobs({ jobs: rt.jobs, cases: ctx.cases.service, everyMinutes: ctx.cases.policy.scanEveryMinutes, logger: log }));
    // Incident clock escalations (issue 6): derived from the stored clocks every interval, sent through the outbox.
    stops.push(startIncidentEscalations({ jobs: rt.jobs, service: ctx.incidents, intervalSeconds: ctx.incidents.policy.escalation.intervalSeconds, logger: log }));
    // Monthly municipality reports (issue 5): on the first Latvian working day, last month's view to each municipality's
    // reviewers (dashboard, and e-mail through the outbox when they have an address); due work derived from stored rows.
    stops.push(startMonthlyReports({ sql, jobs: rt.jobs, events: ctx.events, tenants: loadTenants().byId, audit: ctx.audit, publicUrl: config.publicUrl, outbox: ctx.delivery?.outbox, logger: log }));
    // Maintenance runs as durable jobs: one retention job per hour, whichever instance adds it first (the hourly
    // jobId makes the add idempotent across instances and restarts).
    const worker = rt.jobs.process('maintenance', async (job) => {
      if (job.name === 'mfa-accounts') {
        // Which VPS employees hold accounts in which application, learned from the last two hours of events.
        await ctx.mfa.services.accounts.learnAccountsFromEvents(ctx.events, new Date(Date.now() - 2 * 3_600_000));
      }
      if (job.name === 'retention' && ctx.events.kind === 'sql') {
        // The embedded store's retention (Elasticsearch applies its data stream lifecycle itself).
        const n = await pruneSqlEvents(sql, config.retentionDays);
        if (n) log.info({ deleted: n }, 'events past retention deleted');
      }
    });
    const schedule = async () => {
      const hour = new Date().toISOString().slice(0, 13).replace(/\D/g, '');
      for (const name of ['retention', 'mfa-accounts'])
        await rt.jobs
          .add('maintenance', name, {}, { jobId: `${name}-${hour}`, attempts: 3, backoffMs: 60_000 })
          .catch((err) => log.warn({ err: String(err), job: name }, 'could not schedule maintenance'));
    };
    void schedule();
    const t = setInterval(schedule, 300_000);
    stops.push(async () => {
      clearInterval(t);
      await worker.close();
    });
  }

  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      log.info({ signal: sig }, 'stopping');
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  for (const s of stops.reverse()) await s().catch(() => undefined);
  await rt.close();
  return 0;
}

