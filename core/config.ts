import path from 'node:path';
import { z } from 'zod';

/**
 * Sargs configuration, read from the environment once at start (and nowhere else), validated, passed down.
 * Every variable is documented in README.md ("Configuration").
 */
const url = (name: string, protocols: string[]) =>
  z
    .string()
    .trim()
    .min(1)
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      let u: URL;
      try {
        u = new URL(v);
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} is not a URL` });
        return;
      }
      if (!protocols.includes(u.protocol))
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} must use ${protocols.join(' or ')}` });
    });

/**
 * A whole number written in decimal digits. `z.coerce.number()` took `'  '` as 0 (a blank PORT meant "any free
 * port") and `0x50` as 80; only digits are accepted.
 */
const whole = (dflt: number) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,15}$/, 'must be a whole number in decimal digits')
    .default(String(dflt))
    .transform(Number);
const port = (dflt: number) => whole(dflt).pipe(z.number().max(65535, 'must be at most 65535'));
const positive = (dflt: number) => whole(dflt).pipe(z.number().positive());

const schema = z.object({
  PORT: port(8080),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  SARGS_DATA_DIR: z.string().trim().min(1).default('./data'),
  ELASTICSEARCH_URL: url('ELASTICSEARCH_URL', ['http:', 'https:']),
  DATABASE_URL: url('DATABASE_URL', ['postgres:', 'postgresql:']),
  REDIS_URL: url('REDIS_URL', ['redis:', 'rediss:']),
  SARGS_PSEUDONYM_KEY: z
    .string()
    .min(32, 'SARGS_PSEUDONYM_KEY must be at least 32 characters (use `openssl rand -hex 32`)')
    .optional(),
  SARGS_ES_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,40}$/, 'SARGS_ES_PREFIX: lowercase letters, digits and dashes')
    .default('sargs'),
  SARGS_RETENTION_DAYS: positive(400),
  SARGS_SPOOL_MAX_BYTES: positive(1024 * 1024 * 1024),
  SARGS_MAX_BODY_BYTES: positive(20 * 1024 * 1024),
  SARGS_SYSLOG_PORT: port(5514),
  SARGS_SYSLOG_TENANT: z.string().trim().min(1).default('zzdats'),
  SARGS_TAIL_CONFIG: z.string().trim().min(1).optional(),
  SARGS_KEEP_ORIGINAL: z.enum(['all', 'text', 'none']).default('text'),
  SARGS_SECRET_KEY: z
    .string()
    .min(32, 'SARGS_SECRET_KEY must be at least 32 characters (use `openssl rand -hex 32`)')
    .optional(),
  SARGS_PUBLIC_URL: url('SARGS_PUBLIC_URL', ['http:', 'https:']),
  SARGS_SIGNING_CERT: z.string().trim().min(1).optional(),
  SARGS_SIGNING_KEY: z.string().trim().min(1).optional(),
  SARGS_SMTP_URL: url('SARGS_SMTP_URL', ['smtp:', 'smtps:']),
  SARGS_MAIL_FROM: z
    .string()
    .trim()
    .regex(/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, 'SARGS_MAIL_FROM: an address, e.g. "Sargs <sargs@example.lv>"')
    .default('Sargs <sargs@localhost>'),
  SARGS_WEBHOOK_SECRET: z.string().min(32, 'SARGS_WEBHOOK_SECRET must be at least 32 characters (use `openssl rand -hex 32`)').optional(),
  SARGS_WEBHOOK_SECRETS_FILE: z.string().trim().min(1).optional(),
  SARGS_ROLES: z
    .string()
    .default('api,collector,worker')
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['api', 'collector', 'worker'])).min(1, 'SARGS_ROLES names no role')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  elasticsearchUrl?: string;
  databaseUrl?: string;
  redisUrl?: string;
  pseudonymKey?: string;
  esPrefix: string;
  retentionDays: number;
  spoolMaxBytes: number;
  maxBodyBytes: number;
  syslogPort: number;
  syslogTenant: string;
  tailConfig?: string;
  /** Which records keep their raw text in event.original: text lines (default), all, none. */
  keepOriginal: 'all' | 'text' | 'none';
  /** Key that encrypts factor secrets at rest (else generated into <dataDir>/secret.key). */
  secretKey?: string;
  /** The URL users reach Sargs at: WebAuthn origin and RP ID, Secure cookies when https. */
  publicUrl: string;
  /** The deployment's own document-signing certificate chain and key (PEM files); else the platform CA (pki/). */
  signingCertFile?: string;
  signingKeyFile?: string;
  /** Delivery (core/delivery): the SMTP relay for e-mail (smtp:// or smtps://, credentials in the URL); none: e-mail is not sent. */
  smtpUrl?: string;
  /** From: of every e-mail Sargs sends. */
  mailFrom: string;
  /** HMAC secret of webhooks to targets without their own (SARGS_WEBHOOK_SECRETS_FILE). */
  webhookSecret?: string;
  /** YAML list of `{ url: <target or prefix>, secret }`, one secret per webhook target. */
  webhookSecretsFile?: string;
  roles: Array<'api' | 'collector' | 'worker'>;
  logLevel: string;
  /** Sargs's version (package.json). */
  version: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

function packageVersion(): string {
  for (const p of ['../package.json', '../../package.json']) {
    try {
      return (require(p) as { version: string }).version;
    } catch {
      /* try the next */
    }
  }
  return '0.0.0';
}

/** Validates `env` and returns the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const clean = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(clean);
  if (r.success && !r.data.SARGS_SIGNING_CERT !== !r.data.SARGS_SIGNING_KEY) {
    throw new ConfigError([`${r.data.SARGS_SIGNING_CERT ? 'SARGS_SIGNING_KEY' : 'SARGS_SIGNING_CERT'}: must be set together with ${r.data.SARGS_SIGNING_CERT ? 'SARGS_SIGNING_CERT' : 'SARGS_SIGNING_KEY'}`]);
  }
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`));
  }
  const e = r.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.SARGS_DATA_DIR),
    elasticsearchUrl: e.ELASTICSEARCH_URL,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    pseudonymKey: e.SARGS_PSEUDONYM_KEY,
    esPrefix: e.SARGS_ES_PREFIX,
    retentionDays: e.SARGS_RETENTION_DAYS,
    spoolMaxBytes: e.SARGS_SPOOL_MAX_BYTES,
    maxBodyBytes: e.SARGS_MAX_BODY_BYTES,
    syslogPort: e.SARGS_SYSLOG_PORT,
    syslogTenant: e.SARGS_SYSLOG_TENANT,
    tailConfig: e.SARGS_TAIL_CONFIG,
    keepOriginal: e.SARGS_KEEP_ORIGINAL,
    secretKey: e.SARGS_SECRET_KEY,
    signingCertFile: e.SARGS_SIGNING_CERT && path.resolve(e.SARGS_SIGNING_CERT),
    signingKeyFile: e.SARGS_SIGNING_KEY && path.resolve(e.SARGS_SIGNING_KEY),
    smtpUrl: e.SARGS_SMTP_URL,
    mailFrom: e.SARGS_MAIL_FROM,
    webhookSecret: e.SARGS_WEBHOOK_SECRET,
    webhookSecretsFile: e.SARGS_WEBHOOK_SECRETS_FILE && path.resolve(e.SARGS_WEBHOOK_SECRETS_FILE),
    publicUrl: (e.SARGS_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    roles: e.SARGS_ROLES,
    logLevel: e.LOG_LEVEL,
    version: packageVersion(),
  };
}
