import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, errors as esErrors } from '@elastic/elasticsearch';
import { TEST_ELASTICSEARCH_URL } from '../../core/testing/services';

const run = promisify(execFile);
const SERVICES = path.resolve(__dirname, '..', '..', 'scripts', 'services.sh');

/**
 * Fault injection on the test Elasticsearch through scripts/services.sh: `es-kill` (SIGKILL, data kept) and
 * `es-start` (same data dir, waits until healthy). Only a node that script started can be killed.
 */
export function esControllable(): boolean {
  try {
    return /running \(pid \d+\)/.test(execFileSync(SERVICES, ['es-status'], { encoding: 'utf8', timeout: 15_000 }));
  } catch {
    return false;
  }
}

let killedCluster: string | undefined;

async function clusterUuid(): Promise<string | undefined> {
  try {
    const r = await fetch(`${TEST_ELASTICSEARCH_URL}/`, { signal: AbortSignal.timeout(5000) });
    return ((await r.json()) as { cluster_uuid?: string }).cluster_uuid;
  } catch {
    return undefined;
  }
}

/** SIGKILLs the test Elasticsearch (its data dir stays). */
export async function esKill(): Promise<void> {
  killedCluster = await clusterUuid();
  await run(SERVICES, ['es-kill'], { timeout: 60_000 });
}

/**
 * Starts the test Elasticsearch on the same data dir and resolves once it is healthy (a no-op when it runs).
 * After an esKill it checks that the cluster answering is the one killed: a node of another data dir on the
 * same port (another test run's) would otherwise pass for a restart that lost data.
 */
export async function esStart(): Promise<void> {
  await run(SERVICES, ['es-start'], { timeout: 300_000 });
  const was = killedCluster;
  killedCluster = undefined;
  const now = await clusterUuid();
  if (was && now !== was) {
    throw new Error(`the Elasticsearch at ${TEST_ELASTICSEARCH_URL} after es-start is another cluster (${now}, was ${was}): another process holds the port`);
  }
}

/** Whether Elasticsearch answers a cluster health request right now. */
export async function esAnswers(): Promise<boolean> {
  try {
    const r = await fetch(`${TEST_ELASTICSEARCH_URL}/_cluster/health`, { signal: AbortSignal.timeout(2000) });
    return r.ok;
  } catch {
    return false;
  }
}

const notFound = (err: unknown) => err instanceof esErrors.ResponseError && err.statusCode === 404;

/**
 * Reads what Sargs stored under `<prefix>-events`: every event's vps.record.id (one entry per stored document,
 * so a duplicate shows twice) and whether the name is a data stream (as core/stores/elasticsearch-event-store.ts
 * means it to be) rather than a plain index created by a write that came before the template.
 */
export async function storedRecordIds(prefix: string): Promise<{ ids: string[]; dataStream: boolean }> {
  const client = new Client({ node: TEST_ELASTICSEARCH_URL });
  const index = `${prefix}-events`;
  try {
    await client.indices.refresh({ index });
    const r = await client.search<{ vps?: { record?: { id?: string } } }>({
      index,
      size: 10_000,
      track_total_hits: true,
      _source: ['vps.record.id'],
      query: { match_all: {} },
    });
    const total = typeof r.hits.total === 'number' ? r.hits.total : (r.hits.total?.value ?? 0);
    if (total > 10_000) throw new Error(`storedRecordIds reads at most 10000 documents, ${index} holds ${total}`);
    const ids = r.hits.hits.map((h) => String(h._source?.vps?.record?.id));
    // _resolve/index is in the server itself (the integ-test distribution has no _data_stream API).
    const resolved = await client.indices.resolveIndex({ name: index });
    const ds = resolved.data_streams.some((d) => d.name === index);
    return { ids, dataStream: ds };
  } catch (err) {
    if (notFound(err)) return { ids: [], dataStream: false };
    throw err;
  } finally {
    await client.close();
  }
}

/**
 * Deletes what a test wrote under `<prefix>-events` where the distribution allows it: the integ-test
 * distribution has no _data_stream API, and a data stream's write index cannot be deleted, so there the (small)
 * data stream stays behind.
 */
export async function dropEsPrefix(prefix: string): Promise<void> {
  const client = new Client({ node: TEST_ELASTICSEARCH_URL });
  const name = `${prefix}-events`;
  try {
    await client.indices.deleteDataStream({ name }).catch(() => client.indices.delete({ index: name }).catch(() => undefined));
    await client.indices.deleteIndexTemplate({ name }).catch(() => undefined);
  } finally {
    await client.close();
  }
}
