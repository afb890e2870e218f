import fs from 'node:fs';
import { retryDelay } from '../retry-delay';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { IntakeSink } from '../../core/types';
import type { CheckpointStore } from './checkpoint-store';
import { TailedFile, type TailEnv, type TailFile } from './tailed-file';

export type { TailFile } from './tailed-file';

/** Options of createFileTailer. */
export interface FileTailerOptions {
  files: TailFile[];
  sink: IntakeSink;
  checkpoints: CheckpointStore;
  /** Polling interval, the fallback when fs.watch misses a change (default 500 ms). */
  pollMs?: number;
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  /** Lines per sink.accept call (default 500). */
  maxBatchLines?: number;
  /** Bytes read per batch; also the longest line kept (default 1 MiB). */
  maxBatchBytes?: number;
  /** How long a file renamed away must stay quiet before it counts as finished (default 2000 ms). */
  rotateWaitMs?: number;
  /** Wait before a batch refused by the sink is offered again (default 1000 ms; a Retry-After up to 30 s wins). */
  retryMs?: number;
}

/** Counters of the tailer, for metrics. */
export interface FileTailerStats {
  delivered: number;
  /** Batches offered again after the sink refused them. */
  retries: number;
  /** Rotated files finished. */
  rotations: number;
  /** Truncations (copytruncate) seen. */
  truncations: number;
  /** Lines longer than maxBatchBytes, cut. */
  truncatedLines: number;
}

/** A running (or stopped) file tailer. */
export interface FileTailer {
  /** Loads the checkpoints, starts watching and polling; the first read runs in the background. */
  start(): Promise<void>;
  /** Stops watching, lets the batch in flight finish (a refused one is left for the next start), closes files. */
  stop(): Promise<void>;
  /** Reads every file up to its last complete line now; resolves when all of it was acknowledged. */
  flush(): Promise<void>;
  stats(): FileTailerStats;
}

/**
 * Follows application log files and hands their new lines, in order and in batches, to the intake sink with
 * ctx `{ tenant, source, parser, transport: 'file' }` from each file's configuration.
 *
 * At-least-once: the checkpoint (path, dev:ino, offset, first-line fingerprint) is stored only after
 * sink.accept resolved, so after a crash at most the last unacknowledged batch is read again, and the
 * deterministic event ids of the store make that harmless. A file without a checkpoint is read from its start.
 *
 * Copes with: rotation by rename (the old file is finished through its open descriptor, then the new one is
 * read from 0), copytruncate (size below the offset, or a changed first line: read from 0), a partial last
 * line (waits for its newline), files that do not exist yet, and a sink refusing with 503 (the same batch is
 * offered again later; the checkpoint does not move).
 *
 * @example
 * const tailer = createFileTailer({ files: loadTailConfig(config.tailConfig), sink: intake,
 *   checkpoints: createSqlCheckpointStore(sql), logger });
 * await tailer.start();
 */
export function createFileTailer(options: FileTailerOptions): FileTailer {
  const log = options.logger ?? pino({ level: 'silent' });
  const pollMs = options.pollMs ?? 500;
  const retryMs = options.retryMs ?? 1000;
  const ids = new Set<string>();
  for (const f of options.files) {
    if (ids.has(f.id)) throw new Error(`tail configuration names file id ${f.id} twice`);
    ids.add(f.id);
  }
  const stats: FileTailerStats = { delivered: 0, retries: 0, rotations: 0, truncations: 0, truncatedLines: 0 };
  let stopping = false;
  const wakers = new Set<() => void>();
  const env: TailEnv = {
    sink: options.sink,
    checkpoints: options.checkpoints,
    log,
    maxLines: options.maxBatchLines ?? 500,
    maxBytes: options.maxBatchBytes ?? 1024 * 1024,
    rotateWaitMs: options.rotateWaitMs ?? 2000,
    stopping: () => stopping,
    stats,
    retryWait: (err) =>
      new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(t);
          wakers.delete(wake);
          resolve();
        };
        const t = setTimeout(wake, retryDelay(err, retryMs));
        wakers.add(wake);
      }),
  };
  const tailed = options.files.map((f) => new TailedFile(f, env));
  const watchers: fs.FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const pokeAll = () => Promise.all(tailed.map((t) => t.poke()));

  const watch = () => {
    const byDir = new Map<string, TailedFile[]>();
    for (const t of tailed) {
      const dir = path.dirname(path.resolve(t.file.path));
      byDir.set(dir, [...(byDir.get(dir) ?? []), t]);
    }
    for (const [dir, files] of byDir) {
      try {
        // The directory, not the file: it sees the file being created, renamed away and recreated.
        const w = fs.watch(dir, { persistent: false }, (_event, name) => {
          if (stopping) return;
          for (const t of files) {
            if (!name || String(name).startsWith(path.basename(t.file.path))) void t.poke();
          }
        });
        w.on('error', (err) => {
          log.debug({ err, dir }, 'directory watch failed; polling continues');
          w.close();
        });
        watchers.push(w);
      } catch (err) {
        log.debug({ err, dir }, 'directory cannot be watched (yet); polling');
      }
    }
  };

  return {
    async start() {
      stopping = false;
      watch();
      timer = setInterval(() => void pokeAll(), pollMs);
      timer.unref();
      void pokeAll();
      log.info({ files: tailed.length, pollMs }, 'file tailer started');
    },
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      for (const w of watchers.splice(0)) w.close();
      for (const wake of [...wakers]) wake();
      await Promise.all(tailed.map((t) => t.close()));
    },
    async flush() {
      await pokeAll();
    },
    stats: () => ({ ...stats }),
  };
}

