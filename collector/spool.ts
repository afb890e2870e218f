import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { EcsEvent } from '../core/types';

const SEGMENT_BYTES = 16 * 1024 * 1024;

/**
 * The local disk spool: events acknowledged while the event store is unreachable wait here, fsynced, and are
 * replayed in order when it is back. Segment files `<seq>.ndjson`, oldest first; a segment is deleted only
 * after every event in it is stored. A crash may leave a torn last line: it was never acknowledged (the
 * acknowledgement follows the fsync), so it is skipped on replay.
 */
export class DiskSpool {
  private segments: Array<{ seq: number; bytes: number; events: number }> = [];
  private active?: { seq: number; fh: fsp.FileHandle };
  private queue: Array<{ data: string; events: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing = false;
  private draining = false;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  /** Reads the segments left by an earlier run (after a crash they still hold acknowledged events). */
  async open(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const f of (await fsp.readdir(this.dir)).filter((f) => /^\d{12}\.ndjson$/.test(f)).sort()) {
      const text = await fsp.readFile(path.join(this.dir, f), 'utf8');
      const events = text.split('\n').filter((l) => l.endsWith('}')).length;
      this.segments.push({ seq: Number(f.slice(0, 12)), bytes: Buffer.byteLength(text), events });
    }
  }

  get bytes(): number {
    return this.segments.reduce((s, x) => s + x.bytes, 0);
  }

  /** Events waiting in the spool. */
  get depth(): number {
    return this.segments.reduce((s, x) => s + x.events, 0);
  }

  /** Whether `bytes` more would exceed the spool's limit. */
  wouldOverflow(bytes: number): boolean {
    return this.bytes + bytes > this.maxBytes;
  }

  /** Appends events and resolves after they are on disk (fdatasync); concurrent appends share one sync. */
  append(events: EcsEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const data = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    return new Promise((resolve, reject) => {
      this.queue.push({ data, events: events.length, resolve, reject });
      void this.flush();
    });
  }

  private segmentPath(seq: number): string {
    return path.join(this.dir, `${String(seq).padStart(12, '0')}.ndjson`);
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0);
        try {
          const last = this.segments[this.segments.length - 1];
          if (!this.active || !last || last.seq !== this.active.seq || last.bytes >= SEGMENT_BYTES) {
            await this.active?.fh.close();
            const seq = (last?.seq ?? 0) + 1;
            this.active = { seq, fh: await fsp.open(this.segmentPath(seq), 'a', 0o600) };
            this.segments.push({ seq, bytes: 0, events: 0 });
            // Make the new file's directory entry durable too.
            const d = await fsp.open(this.dir, 'r');
            await d.sync().finally(() => d.close());
          }
          const data = batch.map((b) => b.data).join('');
          const seg = this.segments[this.segments.length - 1];
          try {
            await this.active.fh.write(data);
            await this.active.fh.datasync();
          } catch (err) {
            // A half-written batch (disk full, I/O error) must not stay in front of the next one: cut the segment
            // back to its last acknowledged byte and start a fresh segment for what comes next.
            const fh = this.active.fh;
            this.active = undefined;
            await fh.truncate(seg.bytes).catch(() => undefined);
            await fh.close().catch(() => undefined);
            throw err;
          }
          seg.bytes += Buffer.byteLength(data);
          seg.events += batch.reduce((s, b) => s + b.events, 0);
          batch.forEach((b) => b.resolve());
        } catch (err) {
          batch.forEach((b) => b.reject(err));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Replays spooled events in order through `write` (which throws while the store is unavailable), in chunks;
   * returns how many were written. A segment is removed only when all of it is written; an interrupted replay
   * starts that segment again, which the store's deterministic ids make harmless.
   */
  async drain(write: (events: EcsEvent[]) => Promise<void>, chunk = 2000): Promise<number> {
    if (this.draining) return 0;
    this.draining = true;
    let written = 0;
    try {
      while (this.segments.length) {
        const seg = this.segments[0];
        if (this.active?.seq === seg.seq) {
          // Close the active segment so that new appends go to a fresh one while this one replays.
          await this.waitIdle();
          const fh = this.active?.fh;
          this.active = undefined; // synchronously, so that an append arriving now opens a new segment
          await fh?.close();
        }
        const lines = fs.readFileSync(this.segmentPath(seg.seq), 'utf8').split('\n');
        const events: EcsEvent[] = [];
        for (const l of lines) {
          if (!l) continue;
          try {
            events.push(JSON.parse(l) as EcsEvent);
          } catch {
            /* a torn last line from a crash: never acknowledged */
          }
        }
        for (let i = 0; i < events.length; i += chunk) await write(events.slice(i, i + chunk));
        written += events.length;
        await fsp.rm(this.segmentPath(seg.seq), { force: true });
        this.segments.shift();
      }
      return written;
    } finally {
      this.draining = false;
    }
  }

  private async waitIdle(): Promise<void> {
    while (this.flushing || this.queue.length) await new Promise((r) => setTimeout(r, 1));
  }

  async close(): Promise<void> {
    await this.waitIdle();
    await this.active?.fh.close();
    this.active = undefined;
  }
}
