import path from 'node:path';
import { ConfigError, loadConfig } from './config';

/** The ConfigError that `env` gives (fails the test when it loads). */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  test('an empty environment gives the documented defaults (embedded stores, loopback only)', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      port: 8080,
      host: '127.0.0.1',
      dataDir: path.resolve('./data'),
      elasticsearchUrl: undefined,
      databaseUrl: undefined,
      redisUrl: undefined,
      pseudonymKey: undefined,
      secretKey: undefined,
      signingCertFile: undefined,
      signingKeyFile: undefined,
      smtpUrl: undefined,
      mailFrom: 'Sargs <sargs@localhost>',
      webhookSecret: undefined,
      webhookSecretsFile: undefined,
      keepOriginal: "text",
      publicUrl: "http://localhost:8080",
      esPrefix: 'sargs',
      retentionDays: 400,
      spoolMaxBytes: 1024 * 1024 * 1024,
      maxBodyBytes: 20 * 1024 * 1024,
      syslogPort: 5514,
      syslogTenant: 'zzdats',
      tailConfig: undefined,
      roles: ['api', 'collector', 'worker'],
      logLevel: 'info',
      version: (require('../package.json') as { version: string }).version,
    });
  });

  test('empty strings count as unset (docker-compose writes VAR= for unset variables)', () => {
    expect(loadConfig({ PORT: '', ELASTICSEARCH_URL: '', SARGS_ROLES: '' })).toMatchObject({ port: 8080, elasticsearchUrl: undefined, roles: ['api', 'collector', 'worker'] });
  });

  test('good values are taken, numbers coerced, roles split and trimmed, the data dir made absolute', () => {
    const c = loadConfig({
      PORT: '0',
      HOST: '0.0.0.0',
      SARGS_DATA_DIR: 'rel/dir',
      ELASTICSEARCH_URL: 'https://es.example:9200',
      DATABASE_URL: 'postgresql://sargs@db/sargs',
      REDIS_URL: 'rediss://cache:6380',
      SARGS_PSEUDONYM_KEY: 'k'.repeat(32),
      SARGS_ES_PREFIX: 'sargs-test',
      SARGS_RETENTION_DAYS: '30',
      SARGS_SYSLOG_PORT: '65535',
      SARGS_ROLES: ' api , worker ',
      LOG_LEVEL: 'silent',
    });
    expect(c).toMatchObject({
      port: 0,
      host: '0.0.0.0',
      dataDir: path.resolve('rel/dir'),
      elasticsearchUrl: 'https://es.example:9200',
      databaseUrl: 'postgresql://sargs@db/sargs',
      redisUrl: 'rediss://cache:6380',
      pseudonymKey: 'k'.repeat(32),
      esPrefix: 'sargs-test',
      retentionDays: 30,
      syslogPort: 65535,
      roles: ['api', 'worker'],
      logLevel: 'silent',
    });
  });

  test.each<[string, Record<string, string>, string, RegExp]>([
    ['PORT not a number', { PORT: 'abc' }, 'PORT', /whole number/],
    ['PORT out of range', { PORT: '70000' }, 'PORT', /65535/],
    ['PORT negative', { PORT: '-1' }, 'PORT', /whole number/],
    ['PORT a fraction', { PORT: '80.5' }, 'PORT', /whole number/],
    // Number('  ') is 0: a blank PORT must not silently mean "any free port".
    ['PORT blank', { PORT: '  ' }, 'PORT', /whole number/],
    ['PORT in hex', { PORT: '0x50' }, 'PORT', /whole number/],
    ['SARGS_SYSLOG_PORT blank', { SARGS_SYSLOG_PORT: ' ' }, 'SARGS_SYSLOG_PORT', /whole number/],
    ['SARGS_RETENTION_DAYS zero', { SARGS_RETENTION_DAYS: '0' }, 'SARGS_RETENTION_DAYS', /greater than 0/],
    ['SARGS_MAX_BODY_BYTES not a number', { SARGS_MAX_BODY_BYTES: '20MB' }, 'SARGS_MAX_BODY_BYTES', /whole number/],
    ['ELASTICSEARCH_URL not a URL', { ELASTICSEARCH_URL: 'notaurl' }, 'ELASTICSEARCH_URL', /not a URL/],
    ['ELASTICSEARCH_URL wrong scheme', { ELASTICSEARCH_URL: 'ftp://es' }, 'ELASTICSEARCH_URL', /http: or https:/],
    ['DATABASE_URL wrong scheme', { DATABASE_URL: 'http://x' }, 'DATABASE_URL', /postgres: or postgresql:/],
    ['REDIS_URL wrong scheme', { REDIS_URL: 'postgres://x' }, 'REDIS_URL', /redis: or rediss:/],
    ['SARGS_PSEUDONYM_KEY too short', { SARGS_PSEUDONYM_KEY: 'x'.repeat(31) }, 'SARGS_PSEUDONYM_KEY', /at least 32/],
    ['SARGS_ROLES with an unknown role', { SARGS_ROLES: 'api,bogus' }, 'SARGS_ROLES', /bogus/],
    ['SARGS_ROLES naming no role', { SARGS_ROLES: ' , ' }, 'SARGS_ROLES', /no role/],
    ['SARGS_ES_PREFIX with capitals', { SARGS_ES_PREFIX: 'Sargs' }, 'SARGS_ES_PREFIX', /lowercase/],
    ['LOG_LEVEL unknown', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /loud/],
  ])('%s gives a ConfigError naming the variable', (_what, env, variable, reason) => {
    const err = configError(env);
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0].startsWith(variable)).toBe(true);
    expect(err.problems[0]).toMatch(reason);
    expect(err.message).toContain(variable);
  });

  test('SARGS_SIGNING_CERT and SARGS_SIGNING_KEY: files made absolute, and only together (issue 5)', () => {
    const c = loadConfig({ SARGS_SIGNING_CERT: 'etc/chain.pem', SARGS_SIGNING_KEY: '/etc/sargs/key.pem' });
    expect(c.signingCertFile).toBe(path.resolve('etc/chain.pem'));
    expect(c.signingKeyFile).toBe('/etc/sargs/key.pem');
    expect(() => loadConfig({ SARGS_SIGNING_CERT: 'chain.pem' })).toThrow(/SARGS_SIGNING_KEY: must be set together with SARGS_SIGNING_CERT/);
    expect(() => loadConfig({ SARGS_SIGNING_KEY: 'key.pem' })).toThrow(/SARGS_SIGNING_CERT: must be set together with SARGS_SIGNING_KEY/);
  });

  test('several bad values are reported together, one line each', () => {
    const err = configError({ PORT: 'abc', REDIS_URL: 'postgres://x', SARGS_ROLES: 'api,bogus', SARGS_PSEUDONYM_KEY: 'short' });
    expect(err.problems).toHaveLength(4);
    for (const v of ['PORT', 'REDIS_URL', 'SARGS_ROLES', 'SARGS_PSEUDONYM_KEY']) {
      expect(err.problems.filter((p) => p.startsWith(v))).toHaveLength(1);
      expect(err.message).toContain(v);
    }
  });

  test('errors never echo a secret: the pseudonym key or a password in a URL', () => {
    const err = configError({ SARGS_PSEUDONYM_KEY: 'hunter2-secret-key', DATABASE_URL: 'mysql://sargs:s3cr3t-pw@db/sargs' });
    expect(err.problems).toHaveLength(2);
    expect(err.message).not.toContain('hunter2');
    expect(err.message).not.toContain('s3cr3t-pw');
  });
});
