import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rsyslogConf } from './rsyslog-conf';

/** Inputs of one rsyslog peer run. */
export interface ShipWithRsyslogOptions {
  /** Elasticsearch base URL, e.g. `http://127.0.0.1:9200` (plain http: a local test node). */
  esUrl: string;
  /** Index or data stream to write; for a data stream its index template must exist already. */
  index: string;
  /** NDJSON file, one event per line, every line ending in `\n`, each event with `@timestamp` and `event.id`. */
  file: string;
  /** Number of lines in `file`: the run ends when `<index>/_count` reaches it. */
  count: number;
  /** Folder for this run's rsyslog config, state, pid file and logs (created; left for inspection). */
  workDir: string;
  /** Give up when the count has not grown for this long (default 60 s). */
  stallTimeoutMs?: number;
  /** Events per bulk request and concurrent bulk requests (defaults 5000 and 4), see rsyslog-conf.ts. */
  batchSize?: number;
  workers?: number;
  /** rsyslogd binary (default /usr/sbin/rsyslogd, Debian packages rsyslog and rsyslog-elasticsearch). */
  rsyslogd?: string;
}

/** Wall time from rsyslogd's start until every event is searchable in Elasticsearch. */
export interface ShipResult {
  seconds: number;
  eventsPerSecond: number;
  /** CPU time (user + system) rsyslogd used for the run, in milliseconds (Linux /proc; undefined elsewhere). */
  cpuMs?: number;
}

/** CPU time (user + system) of a process so far, in milliseconds, from /proc/<pid>/stat (Linux), else undefined. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses: utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function countDocs(esUrl: string, index: string): Promise<number> {
  const target = encodeURIComponent(index);
  const refresh = await fetch(`${esUrl}/${target}/_refresh`, { method: 'POST' });
  if (refresh.status === 404) return 0; // the index or data stream is created by the first bulk
  const res = await fetch(`${esUrl}/${target}/_count`);
  if (res.status === 404) return 0;
  if (!res.ok) throw new Error(`GET ${index}/_count: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { count: number }).count;
}

function tail(file: string, lines = 20, maxChars = 4000): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n').slice(-maxChars);
  } catch {
    return '(none)';
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * The peer measurement "(c)" of bench/ingest: the same NDJSON events shipped into the same Elasticsearch by rsyslog
 * (imfile → mmjsonparse → omelasticsearch in bulk mode), in a private rsyslogd run in the foreground with its own
 * config and work folder. Measures wall time from rsyslogd's start until `_count` (after `_refresh`) reaches
 * `count`, then stops rsyslogd.
 *
 * @example
 *   const { eventsPerSecond } = await shipWithRsyslog({ esUrl: 'http://127.0.0.1:9200', index: 'logs-bench-rsyslog',
 *     file: '/tmp/events.ndjson', count: 200_000, workDir: '/tmp/rsyslog-run' });
 */
export async function shipWithRsyslog(opts: ShipWithRsyslogOptions): Promise<ShipResult> {
  const rsyslogd = opts.rsyslogd ?? '/usr/sbin/rsyslogd';
  if (!fs.existsSync(rsyslogd)) throw new Error(`${rsyslogd} not found: apt-get install -y rsyslog rsyslog-elasticsearch`);
  const es = new URL(opts.esUrl);
  if (es.protocol !== 'http:') throw new Error(`esUrl must be http:// (a local test node): ${opts.esUrl}`);
  const file = path.resolve(opts.file);
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  fs.closeSync(fd);
  // imfile holds back a line until its newline arrives, so a missing final newline would lose the last event.
  if (size === 0 || last[0] !== 0x0a) throw new Error(`${file} must end with a newline`);

  const workDir = path.resolve(opts.workDir);
  const stateDir = path.join(workDir, 'state');
  fs.mkdirSync(stateDir, { recursive: true });
  const confFile = path.join(workDir, 'rsyslog.conf');
  const pidFile = path.join(workDir, 'rsyslogd.pid');
  const errorFile = path.join(workDir, 'es-errors.json');
  const internalLog = path.join(workDir, 'rsyslog-internal.log');
  const stderrLog = path.join(workDir, 'rsyslogd.stderr');
  fs.writeFileSync(
    confFile,
    rsyslogConf({
      esHost: es.hostname,
      esPort: Number(es.port || 80),
      index: opts.index,
      file,
      workDir: stateDir,
      errorFile,
      internalLog,
      batchSize: opts.batchSize,
      workers: opts.workers,
    }),
  );
  const check = spawnSync(rsyslogd, ['-N1', '-f', confFile], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd rejected ${confFile}:\n${check.stderr}${check.stdout}`);

  const base = await countDocs(opts.esUrl, opts.index);
  if (base !== 0) throw new Error(`${opts.index} already holds ${base} documents: use a new index`);
  const stallMs = opts.stallTimeoutMs ?? 60_000;
  const started = process.hrtime.bigint();
  const child = spawn(rsyslogd, ['-n', '-f', confFile, '-i', pidFile], {
    stdio: ['ignore', 'ignore', fs.openSync(stderrLog, 'w')],
  });
  let exitInfo: string | undefined;
  child.once('exit', (code, signal) => (exitInfo = `rsyslogd exited (code ${code}, signal ${signal})`));
  try {
    let seen = 0;
    let lastGrowth = Date.now();
    for (;;) {
      if (exitInfo) throw new Error(`${exitInfo} before all events arrived:\n${tail(stderrLog)}\n${tail(internalLog)}`);
      const n = await countDocs(opts.esUrl, opts.index);
      if (n >= opts.count) break;
      if (n > seen) {
        seen = n;
        lastGrowth = Date.now();
      } else if (Date.now() - lastGrowth > stallMs) {
        throw new Error(
          `rsyslog stalled at ${n}/${opts.count} documents in ${opts.index}\n` +
            `bulk errors (${errorFile}):\n${tail(errorFile, 5)}\nrsyslog:\n${tail(stderrLog)}\n${tail(internalLog)}`,
        );
      }
      await sleep(250);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, eventsPerSecond: opts.count / seconds, cpuMs: processCpuMs(child.pid) };
  } finally {
    await stop(child);
  }
}
