import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { SqlClient } from '../sql/sql-client';
import { createPgliteClient } from '../sql/pglite-client';
import { createPostgresClient } from '../sql/postgres-client';
import { migrate } from '../sql/migrate';

/**
 * Real services for tests. Under SARGS_REQUIRE_SERVICES=1 (CI) a test that needs a service that is down fails;
 * otherwise it is skipped with its reason. Each test isolates itself: its own schema, index prefix, key prefix.
 */
export const requireServices = process.env.SARGS_REQUIRE_SERVICES === '1';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_ELASTICSEARCH_URL = process.env.TEST_ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

export type ServiceName = 'postgres' | 'redis' | 'elasticsearch';

/** Set by core/testing/global-setup.ts: which services answered when the test run started. */
export function serviceUp(name: ServiceName): boolean {
  return process.env[`SARGS_TEST_UP_${name.toUpperCase()}`] === '1';
}

/** `describe` when the service is up or required (then it fails loudly), `describe.skip` otherwise. */
export function describeWith(name: ServiceName): jest.Describe {
  return serviceUp(name) || requireServices ? describe : describe.skip;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/** A migrated SQL client of the given kind, isolated for one test file. */
export async function openTestSql(kind: 'pglite' | 'postgres'): Promise<{ sql: SqlClient; drop: () => Promise<void> }> {
  if (kind === 'pglite') {
    const sql = await createPgliteClient(undefined);
    await migrate(sql);
    return { sql, drop: () => sql.close() };
  }
  const schema = uniqueName('t');
  const sql = await createPostgresClient(TEST_DATABASE_URL, schema);
  await migrate(sql);
  return {
    sql,
    drop: async () => {
      await sql.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
      await sql.close();
    },
  };
}
