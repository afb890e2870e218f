import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../core/errors';
import { describeWith, openTestSql } from '../../core/testing/services';
import type { SqlClient } from '../../core/sql/sql-client';
import type { IntakeContext, IntakeSink, ItemOutcome, RawRecord } from '../../core/types';
import { createSqlCheckpointStore, type CheckpointStore } from './checkpoint-store';
import { createFileTailer, type FileTailer, type FileTailerOptions } from './file-tailer';

/** Our own IntakeSink port, recording what it accepted; `refuse` makes the next calls fail with 503. */
class RecordingSink implements IntakeSink {
  batches: Array<{ records: RawRecord[]; ctx: IntakeContext }> = [];
  refuse = 0;
  async accept(records: RawRecord[], ctx: IntakeContext): Promise<ItemOutcome[]> {
    if (this.refuse > 0) {
      this.refuse--;
      throw new AppError(503, 'spool_full', 'the disk spool is full');
    }
    this.batches.push({ records, ctx });
    return records.map((r) => ({ status: 'created', id: r.raw }));
  }
  get lines(): string[] {
    return this.batches.flatMap((b) => b.records.map((r) => r.raw));
  }
}

async function waitFor(cond: () => boolean, ms = 8000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const lines = (prefix: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `${prefix} ${from + i}`);
const text = (ls: string[]) => ls.map((l) => `${l}\n`).join('');

function tailerSuite(kind: 'pglite' | 'postgres') {
  let sql: SqlClient;
  let drop: () => Promise<void>;
  let checkpoints: CheckpointStore;
  let dir: string;
  let logPath: string;
  let sink: RecordingSink;
  const running: FileTailer[] = [];

  beforeAll(async () => {
    ({ sql, drop } = await openTestSql(kind));
  });
  afterAll(() => drop());
  beforeEach(async () => {
    await sql.query('DELETE FROM tail_checkpoints');
    checkpoints = createSqlCheckpointStore(sql);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-tail-'));
    logPath = path.join(dir, 'app.log');
    sink = new RecordingSink();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((t) => t.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tailer = (over: Partial<FileTailerOptions> = {}) => {
    const t = createFileTailer({
      files: [{ id: 'nino-app', path: logPath, tenant: 'ogre', source: 'nino-app', parser: 'vps_audit' }],
      sink,
      checkpoints,
      pollMs: 50,
      rotateWaitMs: 150,
      retryMs: 30,
      ...over,
    });
    running.push(t);
    return t;
  };

  it('checkpoint store: nothing for an unknown id, then the last value set (offsets beyond 2^32 kept)', async () => {
    expect(await checkpoints.get('missing')).toBeUndefined();
    await checkpoints.set('f', { path: '/a', inode: '1:2', offset: 10, fingerprint: '' });
    await checkpoints.set('f', { path: '/b', inode: '3:4', offset: 2 ** 40, fingerprint: 'ab' });
    expect(await checkpoints.get('f')).toEqual({ path: '/b', inode: '3:4', offset: 2 ** 40, fingerprint: 'ab' });
  });

  it('hands appended lines to the sink in order, with the file context, via watch and polling', async () => {
    fs.writeFileSync(logPath, text(lines('a', 3)));
    const t = tailer();
    await t.start();
    await waitFor(() => sink.lines.length === 3);
    fs.appendFileSync(logPath, text(lines('b', 1200)));
    await waitFor(() => sink.lines.length === 1203);
    expect(sink.lines).toEqual([...lines('a', 3), ...lines('b', 1200)]);
    expect(Math.max(...sink.batches.map((b) => b.records.length))).toBeLessThanOrEqual(500);
    expect(sink.batches[0].ctx).toEqual({ tenant: 'ogre', source: 'nino-app', parser: 'vps_audit', transport: 'file' });
    const cp = await checkpoints.get('nino-app');
    const st = fs.statSync(logPath, { bigint: true });
    expect(cp).toEqual({ path: logPath, inode: `${st.dev}:${st.ino}`, offset: Number(st.size), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('after stop and restart with the same checkpoint store, reads exactly the new lines', async () => {
    fs.writeFileSync(logPath, text(lines('old', 10)));
    const first = tailer();
    await first.start();
    await first.flush();
    await first.stop();
    fs.appendFileSync(logPath, text(lines('new', 5)));
    const before = sink.lines.length;
    const second = tailer();
    await second.start();
    await second.flush();
    expect(sink.lines.slice(before)).toEqual(lines('new', 5));
    expect(sink.lines).toEqual([...lines('old', 10), ...lines('new', 5)]);
  });

  it('waits for the newline of a partial last line', async () => {
    fs.writeFileSync(logPath, 'complete\npart');
    const t = tailer();
    await t.start();
    await t.flush();
    expect(sink.lines).toEqual(['complete']);
    fs.appendFileSync(logPath, 'ial line\r\nnext\n');
    await t.flush();
    expect(sink.lines).toEqual(['complete', 'partial line', 'next']);
  });

  it('follows rotation by rename while the writer goes on: old file finished by its fd, new one from 0', async () => {
    const t = tailer();
    await t.start();
    const fd = fs.openSync(logPath, 'a');
    const all: string[] = [];
    const write = (fdNow: number, l: string) => {
      fs.writeSync(fdNow, `${l}\n`);
      all.push(l);
    };
    for (let i = 0; i < 300; i++) write(fd, `line ${i}`);
    await waitFor(() => sink.lines.length > 0); // the tailer has the file open
    for (let i = 300; i < 350; i++) write(fd, `line ${i}`); // not read yet when the rename happens
    fs.renameSync(logPath, `${logPath}.1`);
    // The writer has not reopened yet: its lines still go to the renamed file, and the last one is partial.
    for (let i = 350; i < 400; i++) write(fd, `line ${i}`);
    fs.writeSync(fd, 'tail of old');
    all.push('tail of old');
    await new Promise((r) => setTimeout(r, 60));
    fs.closeSync(fd);
    const fd2 = fs.openSync(logPath, 'a');
    for (let i = 400; i < 700; i++) {
      write(fd2, `line ${i}`);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    fs.closeSync(fd2);
    await waitFor(() => sink.lines.length >= all.length);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.lines).toEqual(all);
    expect(t.stats().rotations).toBe(1);
    const st = fs.statSync(logPath, { bigint: true });
    expect(await checkpoints.get('nino-app')).toMatchObject({ path: logPath, inode: `${st.dev}:${st.ino}`, offset: Number(st.size) });
  });

  it('after a rotation while stopped, finishes the rotated file at the checkpoint, then reads the new one', async () => {
    fs.writeFileSync(logPath, text(lines('before', 4)));
    const first = tailer();
    await first.start();
    await first.flush();
    await first.stop();
    fs.appendFileSync(logPath, text(lines('unread', 3)));
    fs.renameSync(logPath, `${logPath}-20261130`);
    fs.writeFileSync(logPath, text(lines('fresh', 2)));
    const second = tailer({ rotateWaitMs: 0 });
    await second.start();
    await waitFor(() => sink.lines.length === 9);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.lines).toEqual([...lines('before', 4), ...lines('unread', 3), ...lines('fresh', 2)]);
  });

  it('copytruncate: a file shorter than the offset is read again from 0', async () => {
    fs.writeFileSync(logPath, text(lines('long line before copytruncate', 20)));
    const t = tailer();
    await t.start();
    await t.flush();
    fs.copyFileSync(logPath, `${logPath}.1`);
    fs.truncateSync(logPath, 0);
    fs.appendFileSync(logPath, text(lines('after', 2)));
    await t.flush();
    expect(sink.lines).toEqual([...lines('long line before copytruncate', 20), ...lines('after', 2)]);
    expect(t.stats().truncations).toBe(1);
  });

  it('copytruncate while stopped, rewritten past the offset: the changed first line sends it back to 0', async () => {
    fs.writeFileSync(logPath, text(lines('one', 3)));
    const first = tailer();
    await first.start();
    await first.flush();
    await first.stop();
    fs.truncateSync(logPath, 0);
    fs.appendFileSync(logPath, text(lines('two', 10)));
    const second = tailer();
    await second.start();
    await second.flush();
    expect(sink.lines).toEqual([...lines('one', 3), ...lines('two', 10)]);
  });

  it('sink refusing with 503 then accepting: nothing lost, nothing doubled, checkpoint only after acceptance', async () => {
    fs.writeFileSync(logPath, text(lines('x', 1100)));
    sink.refuse = 3;
    const t = tailer({ retryMs: 20 });
    await t.start();
    await t.flush();
    expect(sink.lines).toEqual(lines('x', 1100));
    expect(t.stats()).toMatchObject({ retries: 3, delivered: 1100 });
  });

  it('never moves the checkpoint past a refused batch, so a restart offers it again', async () => {
    fs.writeFileSync(logPath, text(lines('first', 2)));
    const first = tailer();
    await first.start();
    await first.flush();
    const cp = await checkpoints.get('nino-app');
    sink.refuse = Number.MAX_SAFE_INTEGER;
    fs.appendFileSync(logPath, text(lines('second', 2)));
    await new Promise((r) => setTimeout(r, 150));
    await first.stop();
    expect(await checkpoints.get('nino-app')).toEqual(cp);
    sink.refuse = 0;
    const second = tailer();
    await second.start();
    await second.flush();
    expect(sink.lines).toEqual([...lines('first', 2), ...lines('second', 2)]);
  });

  it('waits for a file (and its folder) that does not exist yet', async () => {
    logPath = path.join(dir, 'later', 'app.log');
    const t = tailer();
    await t.start();
    await t.flush();
    fs.mkdirSync(path.dirname(logPath));
    fs.writeFileSync(logPath, text(lines('born', 2)));
    await waitFor(() => sink.lines.length === 2);
    expect(sink.lines).toEqual(lines('born', 2));
  });
}

describe('file tailer (pglite checkpoints)', () => tailerSuite('pglite'));
describeWith('postgres')('file tailer (postgres checkpoints)', () => tailerSuite('postgres'));
