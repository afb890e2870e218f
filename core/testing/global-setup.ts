import { portOpen, TEST_DATABASE_URL, TEST_ELASTICSEARCH_URL, TEST_REDIS_URL } from './services';

/** Probes the real services once per test run; tests read the result through serviceUp(). */
export default async function globalSetup(): Promise<void> {
  const probe = async (name: string, url: string, dflt: number) => {
    const u = new URL(url);
    const up = await portOpen(u.hostname, Number(u.port || dflt));
    process.env[`SARGS_TEST_UP_${name}`] = up ? '1' : '0';
    if (!up) console.warn(`[sargs tests] ${name.toLowerCase()} is not reachable at ${url}`);
  };
  await Promise.all([
    probe('POSTGRES', TEST_DATABASE_URL, 5432),
    probe('REDIS', TEST_REDIS_URL, 6379),
    probe('ELASTICSEARCH', TEST_ELASTICSEARCH_URL, 9200),
  ]);
}
