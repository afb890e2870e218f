import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createPgliteClient } from '../core/sql/pglite-client';
import { describeWith, TEST_ELASTICSEARCH_URL, uniqueName } from '../core/testing/services';
import { compareWithAcknowledged, postBatch, startSender, waitForSpoolDrained, type BatchOutcome } from '../api/testing/audit-stream';
import { dropEsPrefix, esAnswers, esControllable, esKill, esStart, storedRecordIds } from '../api/testing/elasticsearch-faults';
import { spawnSargs, startSargs, type RunningSargs } from '../api/testing/start-sargs';

/**
 * Durability of the intake (collector/intake.ts, collector/spool.ts) under faults: an event acknowledged with 200
 * is in the event store or fsynced in the disk spool, so it survives Elasticsearch going away and Sargs being
 * SIGKILLed, and it is stored once. Elasticsearch is killed and restarted through scripts/services.sh; every test
 * leaves it running, pass or fail. Crash tests run `bin/sargs.js start` from dist/ (`npm run build` first).
 */

const run = promisify(execFile);
const BIN = path.resolve(__dirname, '..', 'bin', 'sargs.js');
const SIZE = 100;
const tmpDirs: string[] = [];
const prefixes: string[] = [];

const tmpDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-fault-'));
  tmpDirs.push(d);
  return d;
};
const esPrefix = () => {
  const p = uniqueName('fault').toLowerCase().replace(/_/g, '-');
  prefixes.push(p);
  return p;
};
const streamId = (tag: string) => uniqueName(tag);
const acked = (xs: BatchOutcome[]) => xs.filter((o) => o.status === 200);
const spooled = (xs: BatchOutcome[]) => xs.reduce((n, o) => n + (o.status === 200 ? (o.body?.spooled ?? 0) : 0), 0);

/** Environment of a child Sargs on its own data dir; state in embedded PGlite there, events in ES when given. */
const childEnv = (dataDir: string, es?: string): Record<string, string> => ({
  SARGS_DATA_DIR: dataDir,
  ELASTICSEARCH_URL: es ? TEST_ELASTICSEARCH_URL : '',
  SARGS_ES_PREFIX: es ?? 'sargs',
  DATABASE_URL: '',
  REDIS_URL: '',
  SARGS_ROLES: 'api,collector',
  LOG_LEVEL: 'error',
});

/** A central collector token created with the CLI in the child's data dir (before the child holds it open). */
async function cliCollectorToken(env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, 'token', 'create', '--tenant', '*', '--source', 'fault-test', '--json'], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  const line = stdout.trim().split('\n').reverse().find((l) => l.includes('"token"'));
  return (JSON.parse(line!) as { token: string }).token;
}

/** Events waiting in a data dir's spool files, counted from disk (complete lines only). */
function spoolLinesOnDisk(dataDir: string): number {
  const dir = path.join(dataDir, 'spool');
  if (!fs.existsSync(dir)) return 0;
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ndjson'))
    .reduce((n, f) => n + fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter((l) => l.endsWith('}')).length, 0);
}

const expectExact = (stored: string[], outcomes: BatchOutcome[], run: string) => {
  const c = compareWithAcknowledged(stored, outcomes, run, SIZE);
  expect({ missing: c.missing.slice(0, 5), duplicates: c.duplicates.slice(0, 5), unexpected: c.unexpected.slice(0, 5) }).toEqual({
    missing: [],
    duplicates: [],
    unexpected: [],
  });
  expect(stored.length).toBeGreaterThanOrEqual(c.acknowledged);
  return c;
};

beforeAll(() => {
  if (!fs.existsSync(path.resolve(__dirname, '..', 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
});

afterAll(async () => {
  if (await esAnswers()) for (const p of prefixes) await dropEsPrefix(p).catch(() => undefined);
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

describeWith('elasticsearch')('intake durability with Elasticsearch faults', () => {
  beforeAll(() => {
    if (!esControllable()) throw new Error('these tests kill and restart Elasticsearch: start it with `scripts/services.sh start elasticsearch`');
  });
  // Whatever happened, Elasticsearch is left running for the next suite.
  afterAll(() => esStart(), 180_000);

  // One outage serves two observers (a restart of Elasticsearch takes ~45 s on a small machine): Sargs `a` streams
  // through it, Sargs `b` with a small spool fills its spool while Elasticsearch is certainly down.
  describe('Elasticsearch SIGKILLed mid-stream and started again', () => {
    let a: RunningSargs;
    let b: RunningSargs;
    const [prefixA, prefixB] = [esPrefix(), esPrefix()];
    const [runA, runB] = [streamId('es-kill'), streamId('spool-full')];
    const streamA: BatchOutcome[] = [];
    const streamB: BatchOutcome[] = [];
    let refused: BatchOutcome | undefined;
    let spoolAtRefusal: { depth: number; bytes: number } | undefined;
    const SPOOL_MAX = 200_000;

    /** Sends to `b` while Elasticsearch is down until its spool refuses a batch (bounded). */
    const fillSpool = async () => {
      for (let i = streamB.length; i < 40 && !refused; i++) {
        const o = { batch: i, ...(await postBatch(b.url, b.collectorToken, runB, i, SIZE)) };
        streamB.push(o);
        if (o.status === 503) {
          refused = o;
          spoolAtRefusal = b.runtime.ctx.intake.spoolStatus();
        }
      }
    };

    beforeAll(async () => {
      [a, b] = await Promise.all([
        startSargs({ env: { ELASTICSEARCH_URL: TEST_ELASTICSEARCH_URL, SARGS_ES_PREFIX: prefixA }, dataDir: tmpDir() }),
        startSargs({
          env: { ELASTICSEARCH_URL: TEST_ELASTICSEARCH_URL, SARGS_ES_PREFIX: prefixB, SARGS_SPOOL_MAX_BYTES: String(SPOOL_MAX) },
          dataDir: tmpDir(),
        }),
      ]);
      streamB.push({ batch: 0, ...(await postBatch(b.url, b.collectorToken, runB, 0, SIZE)) });
      let killing: Promise<void> | undefined;
      try {
        for (let i = 0; i < 30; i++) {
          if (i === 10) killing = esKill(); // batches 10… are in flight while the node dies
          if (i === 15) {
            await killing; // 15…24: certainly down
            await fillSpool();
          }
          if (i === 25) await esStart(); // 25…29 arrive while the spool replays
          streamA.push({ batch: i, ...(await postBatch(a.url, a.collectorToken, runA, i, SIZE)) });
        }
      } finally {
        await killing?.catch(() => undefined);
        await esStart();
      }
    }, 240_000);

    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    test('every batch is acknowledged in full: stored while Elasticsearch is up, spooled while it is down', () => {
      expect(streamA.map((o) => o.status)).toEqual(streamA.map(() => 200));
      for (const o of streamA) expect((o.body?.created ?? 0) + (o.body?.duplicates ?? 0) + (o.body?.spooled ?? 0)).toBe(SIZE);
      expect(streamA.slice(0, 10).map((o) => o.body?.created)).toEqual(Array(10).fill(SIZE));
      expect(streamA.slice(15, 25).map((o) => o.body?.spooled)).toEqual(Array(10).fill(SIZE));
    });

    test('once the spool has drained, exactly the sent events are in the data stream, each once', async () => {
      expect(await waitForSpoolDrained(a.url, 90_000)).toBe(0);
      const { ids, dataStream } = await storedRecordIds(prefixA);
      expect(ids.length).toBe(30 * SIZE);
      expect(new Set(ids).size).toBe(30 * SIZE);
      expectExact(ids, streamA, runA);
      expect(dataStream).toBe(true);
    });

    test('a full spool refuses the batch with 503, Retry-After and problem+json', () => {
      expect(refused).toBeDefined();
      const before = streamB.slice(1, -1);
      expect(before.length).toBeGreaterThan(0);
      expect(before.map((o) => [o.status, o.body?.spooled])).toEqual(before.map(() => [200, SIZE]));
      expect(refused!.headers!.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(refused!.headers!.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused!.body).toMatchObject({ status: 503, code: 'spool_full', title: 'Service Unavailable' });
      expect(String(refused!.body?.detail)).toMatch(/spool is full/);
      // SARGS_SPOOL_MAX_BYTES bounds the disk the spool takes.
      expect(spoolAtRefusal!.bytes).toBeLessThanOrEqual(SPOOL_MAX);
    });

    test('what the full spool acknowledged is stored when Elasticsearch is back, and the refused batch when retried', async () => {
      expect(await waitForSpoolDrained(b.url, 90_000)).toBe(0);
      // Nothing of the refused batch was kept.
      expectExact((await storedRecordIds(prefixB)).ids, streamB, runB);
      const retry = await postBatch(b.url, b.collectorToken, runB, refused!.batch, SIZE);
      expect(retry.status).toBe(200);
      const { ids } = await storedRecordIds(prefixB);
      expect(ids.length).toBe(streamB.length * SIZE);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  // One child process lineage on one data dir: killed with Elasticsearch up, then killed again while Elasticsearch
  // is down (acknowledged events then exist only in the spool files), restarted while it is still down.
  describe('Sargs SIGKILLed mid-stream and restarted', () => {
    const prefix = esPrefix();
    const [runUp, runDown] = [streamId('kill-es-up'), streamId('kill-es-down')];
    const dataDir = tmpDir();
    const env = childEnv(dataDir, prefix);
    const killed: BatchOutcome[] = [];
    const afterRestart: BatchOutcome[] = [];
    const killedWhileDown: BatchOutcome[] = [];
    let spoolFilesAtKill = 0;
    let third: Awaited<ReturnType<typeof spawnSargs>> | undefined;
    let healthAtRestart: { status: string; spool: { depth: number } } | undefined;
    // A Sargs whose first start finds Elasticsearch down (see the last test).
    const freshPrefix = esPrefix();
    let fresh: RunningSargs | undefined;
    let freshOut: BatchOutcome | undefined;

    /** Streams to a child and SIGKILLs it after a random number (3…12) of acknowledged batches. */
    const streamAndKill = async (child: Awaited<ReturnType<typeof spawnSargs>>, token: string, run: string) => {
      const killAfter = 3 + Math.floor(Math.random() * 10);
      const outcomes = await startSender({
        url: child.url,
        token,
        run,
        batches: 60,
        size: SIZE,
        concurrency: 3,
        onOutcome: (_o, all) => {
          if (acked(all).length === killAfter) child.child.kill('SIGKILL');
        },
      }).done;
      await child.exited;
      return outcomes;
    };

    beforeAll(async () => {
      const token = await cliCollectorToken(env);
      const first = await spawnSargs(env);
      killed.push(...(await streamAndKill(first, token, runUp)));
      const second = await spawnSargs(env);
      try {
        afterRestart.push(...(await startSender({ url: second.url, token, run: runUp, first: 100, batches: 5, size: SIZE, concurrency: 2 }).done));
        try {
          await esKill();
          killedWhileDown.push(...(await streamAndKill(second, token, runDown)));
          spoolFilesAtKill = spoolLinesOnDisk(dataDir);
          // The new process starts while Elasticsearch is still down and finds the spool.
          third = await spawnSargs(env);
          healthAtRestart = (await (await fetch(`${third.url}/healthz`)).json()) as typeof healthAtRestart;
          fresh = await startSargs({ env: { ELASTICSEARCH_URL: TEST_ELASTICSEARCH_URL, SARGS_ES_PREFIX: freshPrefix }, dataDir: tmpDir() });
          freshOut = { batch: 0, ...(await postBatch(fresh.url, fresh.collectorToken, streamId('fresh'), 0, SIZE)) };
        } finally {
          await esStart();
        }
      } finally {
        first.child.kill('SIGKILL');
        second.child.kill('SIGKILL');
      }
    }, 240_000);

    afterAll(async () => {
      await fresh?.close();
      if (third) {
        third.child.kill('SIGTERM');
        await third.exited;
      }
    });

    const stored = async (run: string) => {
      expect(await waitForSpoolDrained(third!.url, 90_000)).toBe(0);
      return (await storedRecordIds(prefix)).ids.filter((id) => id.startsWith(`${run}-`));
    };

    test('killed with Elasticsearch up: every acknowledged event is stored once, nothing unsent', async () => {
      expect(acked(killed).length).toBeGreaterThanOrEqual(3);
      expect(killed.some((o) => o.status === 'error')).toBe(true);
      expect(afterRestart.map((o) => o.status)).toEqual(Array(5).fill(200));
      expectExact(await stored(runUp), [...killed, ...afterRestart], runUp);
    });

    test('killed with Elasticsearch down: the restart replays the acknowledged events from the disk spool', async () => {
      // Acknowledged while Elasticsearch was down: these events existed only in the spool files.
      expect(acked(killedWhileDown).length).toBeGreaterThanOrEqual(3);
      expect(spooled(killedWhileDown)).toBe(acked(killedWhileDown).length * SIZE);
      expect(spoolFilesAtKill).toBeGreaterThanOrEqual(spooled(killedWhileDown));
      expect(healthAtRestart).toMatchObject({ status: 'degraded' });
      expect(healthAtRestart!.spool.depth).toBeGreaterThanOrEqual(spooled(killedWhileDown));
      expectExact(await stored(runDown), killedWhileDown, runDown);
      expect(spoolLinesOnDisk(dataDir)).toBe(0);
      expect((await storedRecordIds(prefix)).dataStream).toBe(true);
    });

    // A first start that finds Elasticsearch down puts the index template before the first replayed write, so the
    // events land in the data stream with its mappings (service.name a keyword: `?app=PERS` finds them).
    test('a Sargs first started while Elasticsearch is down writes into the data stream once it is back', async () => {
      expect(freshOut?.body?.spooled).toBe(SIZE);
      expect(await waitForSpoolDrained(fresh!.url, 60_000)).toBe(0);
      const { ids, dataStream } = await storedRecordIds(freshPrefix);
      expect(ids.length).toBe(SIZE);
      expect(dataStream).toBe(true);
    });
  });
});

describe('intake durability — embedded PGlite', () => {
  test('Sargs SIGKILLed mid-stream and restarted: every acknowledged event is in PGlite once', async () => {
    const runId = streamId('pglite-kill');
    const dataDir = tmpDir();
    const env = childEnv(dataDir);
    const token = await cliCollectorToken(env);
    const first = await spawnSargs(env);
    const killAfter = 3 + Math.floor(Math.random() * 10);
    let outcomes: BatchOutcome[] = [];
    try {
      outcomes = await startSender({
        url: first.url,
        token,
        run: runId,
        batches: 60,
        size: SIZE,
        concurrency: 3,
        onOutcome: (_o, all) => {
          if (acked(all).length === killAfter) first.child.kill('SIGKILL');
        },
      }).done;
      await first.exited;
    } finally {
      first.child.kill('SIGKILL');
    }
    expect(acked(outcomes).length).toBeGreaterThanOrEqual(killAfter);

    // The restarted process must open the database the killed one left, and replay whatever it spooled.
    const second = await spawnSargs(env);
    try {
      expect(await waitForSpoolDrained(second.url, 60_000)).toBe(0);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const sql = await createPgliteClient(path.join(dataDir, 'pglite'));
    try {
      const r = await sql.query<{ id: string }>(`SELECT doc->'vps'->'record'->>'id' AS id FROM events`);
      expectExact(
        r.rows.map((x) => x.id),
        outcomes,
        runId,
      );
    } finally {
      await sql.close();
    }
  }, 120_000);
});
