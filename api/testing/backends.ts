import { createPostgresClient } from '../../core/sql/postgres-client';
import { describeWith, TEST_DATABASE_URL, TEST_ELASTICSEARCH_URL, uniqueName } from '../../core/testing/services';

/**
 * The two setups every end-to-end suite runs against: the embedded default (PGlite for state and events) and
 * the real services (Elasticsearch for events, Postgres for state), each isolated per suite.
 */
export const backends: Array<{ name: string; describe: jest.Describe; env: () => Promise<Record<string, string>> }> = [
  { name: 'embedded (PGlite)', describe, env: async () => ({}) },
  {
    name: 'real services (Elasticsearch + Postgres)',
    describe: describeWith('elasticsearch'),
    env: async () => {
      const schema = uniqueName('e2e');
      const sql = await createPostgresClient(TEST_DATABASE_URL, schema);
      await sql.close();
      const u = new URL(TEST_DATABASE_URL);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return {
        ELASTICSEARCH_URL: TEST_ELASTICSEARCH_URL,
        DATABASE_URL: u.toString(),
        SARGS_ES_PREFIX: uniqueName('e2e').toLowerCase().replace(/_/g, '-'),
      };
    },
  },
];
