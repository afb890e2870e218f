import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { IntakeContext, IntakeSink, ParserName } from '../../core/types';
import type { Checkpoint, CheckpointStore } from './checkpoint-store';
import { firstLineFingerprint, inodeOf, readLines } from './read-lines';

/** One application log file to follow. */
export interface TailFile {
  /** Stable id: the checkpoint key. */
  id: string;
  path: string;
  tenant: string;
  source: string;
  parser: ParserName;
}

/** What a TailedFile needs from its tailer. */
export interface TailEnv {
  sink: IntakeSink;
  checkpoints: CheckpointStore;
  log: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
  maxLines: number;
  maxBytes: number;
  rotateWaitMs: number;
  /** Waits before offering a refused batch again; resolves early when the tailer stops. */
  retryWait: (err: unknown) => Promise<void>;
  stopping: () => boolean;
  stats: { delivered: number; retries: number; rotations: number; truncations: number; truncatedLines: number };
}

/** The file currently read, by its open descriptor (so a renamed file is finished by the same fd). */
interface OpenFile {
  fh: fs.FileHandle;
  path: string;
  inode: string;
  /** Acknowledged offset: every line before it was accepted by the sink. */
  offset: number;
  fingerprint: string;
  /** When the path was seen to name another file (or none): this one was rotated away. */
  rotatedAt?: number;
  lastSize: number;
}

/**
 * Follows one file: resumes at its checkpoint, hands complete lines to the sink in batches, stores the checkpoint
 * only after the sink acknowledged, and copes with rotation by rename, copytruncate and late creation.
 */
export class TailedFile {
  private cur: OpenFile | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    readonly file: TailFile,
    private readonly env: TailEnv,
  ) {}

  /** Runs a pass now, or once more after the running one. Resolves when no pass is running. */
  async poke(): Promise<void> {
    if (this.running) {
      this.again = true;
    } else {
      this.running = this.loop().finally(() => {
        this.running = undefined;
      });
    }
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    while (this.running) await this.running;
    await this.cur?.fh.close().catch(() => undefined);
    this.cur = undefined;
    this.started = false; // a later start resumes from the stored checkpoint
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.pass();
      } catch (err) {
        this.env.log.warn({ err, file: this.file.path }, 'tail pass failed, will retry');
      }
    } while (this.again && !this.env.stopping());
  }

  private async pass(): Promise<void> {
    if (!this.started) {
      await this.resume();
      this.started = true;
    }
    while (!this.env.stopping()) {
      if (!this.cur) {
        this.cur = await this.open(this.file.path, 0, '');
        if (!this.cur) return; // does not exist yet: polling and the directory watch bring us back
      }
      const cur = this.cur;
      const st = await cur.fh.stat();
      if (st.size < cur.offset || (cur.offset > 0 && (await this.rewritten(cur)))) {
        // copytruncate (or truncated and rewritten past our offset): the file starts over.
        this.env.stats.truncations++;
        this.env.log.info({ file: cur.path, offset: cur.offset, size: st.size }, 'tailed file truncated, reading from 0');
        cur.offset = 0;
        cur.fingerprint = '';
        await this.save(cur);
      }
      const grew = st.size !== cur.lastSize;
      cur.lastSize = st.size;
      const rotated = cur.rotatedAt !== undefined || (await this.pathNamesOther(cur));
      if (rotated && (cur.rotatedAt === undefined || grew)) cur.rotatedAt = Date.now();
      const finishing = rotated && Date.now() - (cur.rotatedAt ?? 0) >= this.env.rotateWaitMs;
      if (!(await this.drain(cur, finishing))) return;
      if (!finishing) return;
      // Rotated away and quiet for rotateWaitMs: finished. The file now at the path starts at 0.
      this.env.stats.rotations++;
      this.env.log.info({ file: this.file.path, finished: cur.path }, 'rotated file finished');
      await cur.fh.close().catch(() => undefined);
      this.cur = undefined;
    }
  }

  /** Hands complete lines to the sink until none are left; false when stopped before. */
  private async drain(cur: OpenFile, final: boolean): Promise<boolean> {
    const ctx: IntakeContext = {
      tenant: this.file.tenant,
      source: this.file.source,
      parser: this.file.parser,
      transport: 'file',
    };
    for (;;) {
      if (this.env.stopping()) return false;
      const chunk = await readLines(cur.fh, cur.offset, {
        maxLines: this.env.maxLines,
        maxBytes: this.env.maxBytes,
        final,
      });
      if (chunk.consumed === 0) return true;
      if (chunk.truncated) {
        this.env.stats.truncatedLines += chunk.truncated;
        this.env.log.warn({ file: cur.path, maxBytes: this.env.maxBytes }, 'line longer than the limit was cut');
      }
      if (chunk.lines.length > 0) {
        const records = chunk.lines.map((raw) => ({ raw }));
        for (;;) {
          try {
            await this.env.sink.accept(records, ctx);
            break;
          } catch (err) {
            // Spool full (AppError 503) or sink trouble: the lines stay in the file; offer the same batch again
            // later and never move the checkpoint past unacknowledged lines.
            if (this.env.stopping()) return false;
            this.env.stats.retries++;
            this.env.log.warn({ err, file: cur.path, count: records.length }, 'tail batch refused, retrying');
            await this.env.retryWait(err);
          }
        }
        this.env.stats.delivered += records.length;
      }
      cur.offset += chunk.consumed;
      if (!cur.fingerprint) cur.fingerprint = await firstLineFingerprint(cur.fh);
      await this.save(cur);
    }
  }

  /** On the first pass: continue where the checkpoint says, finishing a file rotated while we were down. */
  private async resume(): Promise<void> {
    const cp = await this.env.checkpoints.get(this.file.id);
    if (!cp) return;
    const here = await statOrUndefined(this.file.path);
    if (here && inodeOf(here) === cp.inode) {
      this.cur = await this.open(this.file.path, cp.offset, cp.fingerprint);
      return;
    }
    const old = await this.findRotated(cp);
    if (old) {
      this.env.log.info({ file: this.file.path, rotated: old }, 'finishing a file rotated while stopped');
      this.cur = await this.open(old, cp.offset, cp.fingerprint);
      if (this.cur) this.cur.rotatedAt = 0; // finish it at once: it no longer grows
    }
  }

  /** Opens `p` at the checkpointed offset when it is still the same content, else at 0. */
  private async open(p: string, offset: number, fingerprint: string): Promise<OpenFile | undefined> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const st = await fh.stat({ bigint: true });
    const cur: OpenFile = { fh, path: p, inode: inodeOf(st), offset, fingerprint, lastSize: Number(st.size) };
    if (offset > Number(st.size) || (offset > 0 && (await this.rewritten(cur)))) {
      cur.offset = 0;
      cur.fingerprint = '';
    }
    return cur;
  }

  /** The first line changed: the file was truncated and written again past our offset. */
  private async rewritten(cur: OpenFile): Promise<boolean> {
    if (!cur.fingerprint) return false;
    return (await firstLineFingerprint(cur.fh)) !== cur.fingerprint;
  }

  /** The configured path names another file than the one open, or none: ours was rotated away. */
  private async pathNamesOther(cur: OpenFile): Promise<boolean> {
    if (cur.path !== this.file.path) return true;
    const st = await statOrUndefined(this.file.path);
    return !st || inodeOf(st) !== cur.inode;
  }

  /** A sibling of the path (app.log.1, app.log-20260101 …) that is the checkpointed file, by inode and first line. */
  private async findRotated(cp: Checkpoint): Promise<string | undefined> {
    const dir = path.dirname(this.file.path);
    const base = path.basename(this.file.path);
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    const candidates = [path.basename(cp.path), ...names.filter((n) => n.startsWith(base) && n !== base)];
    for (const name of new Set(candidates)) {
      const p = path.join(dir, name);
      const st = await statOrUndefined(p);
      if (!st || inodeOf(st) !== cp.inode) continue;
      const fh = await fs.open(p, 'r').catch(() => undefined);
      if (!fh) continue;
      const fp = await firstLineFingerprint(fh).finally(() => fh.close());
      if (!cp.fingerprint || fp === cp.fingerprint) return p;
    }
    return undefined;
  }

  private async save(cur: OpenFile): Promise<void> {
    const cp: Checkpoint = { path: cur.path, inode: cur.inode, offset: cur.offset, fingerprint: cur.fingerprint };
    try {
      await this.env.checkpoints.set(this.file.id, cp);
    } catch (err) {
      // The lines are acknowledged; a lost checkpoint only means they may be offered again after a restart,
      // which the deterministic event ids of the store make harmless.
      this.env.log.warn({ err, file: cur.path }, 'tail checkpoint not stored');
    }
  }
}

async function statOrUndefined(p: string) {
  try {
    return await fs.stat(p, { bigint: true });
  } catch {
    return undefined;
  }
}
