import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DiskSpool } from './spool';
import { testEvent } from '../core/stores/event-store.contract';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-spool-'));

describe('disk spool', () => {
  test('replays appended events in order and removes what it replayed', async () => {
    const dir = tmp();
    const spool = new DiskSpool(dir, 10_000_000);
    await spool.open();
    await Promise.all([spool.append([testEvent(1), testEvent(2)]), spool.append([testEvent(3)])]);
    expect(spool.depth).toBe(3);
    const got: string[] = [];
    expect(await spool.drain(async (evs) => void got.push(...evs.map((e) => e.event.id)))).toBe(3);
    expect(got).toEqual(['id-000001', 'id-000002', 'id-000003']);
    expect(spool.depth).toBe(0);
    expect(fs.readdirSync(dir)).toEqual([]);
    await spool.close();
  });

  test('a failed replay keeps everything for the next try, and appends during replay are kept in order', async () => {
    const spool = new DiskSpool(tmp(), 10_000_000);
    await spool.open();
    await spool.append([testEvent(1), testEvent(2)]);
    await expect(spool.drain(async () => { throw new Error('store down'); })).rejects.toThrow('store down');
    expect(spool.depth).toBe(2);
    const got: string[] = [];
    await spool.drain(async (evs) => {
      got.push(...evs.map((e) => e.event.id));
      if (got.length === 2) await spool.append([testEvent(3)]);
    });
    expect(got).toEqual(['id-000001', 'id-000002', 'id-000003']);
    await spool.close();
  });

  test('survives a restart, skipping a torn last line that was never acknowledged', async () => {
    const dir = tmp();
    const a = new DiskSpool(dir, 10_000_000);
    await a.open();
    await a.append([testEvent(1), testEvent(2)]);
    await a.close();
    const seg = path.join(dir, fs.readdirSync(dir)[0]);
    fs.appendFileSync(seg, '{"@timestamp":"2026-11-02T08:0'); // crash in the middle of a write
    const b = new DiskSpool(dir, 10_000_000);
    await b.open();
    expect(b.depth).toBe(2);
    const got: string[] = [];
    await b.drain(async (evs) => void got.push(...evs.map((e) => e.event.id)));
    expect(got).toEqual(['id-000001', 'id-000002']);
    await b.close();
  });

  test('tells when it would overflow its limit', async () => {
    const spool = new DiskSpool(tmp(), 1000);
    await spool.open();
    await spool.append([testEvent(1)]);
    expect(spool.wouldOverflow(100)).toBe(false);
    expect(spool.wouldOverflow(1000)).toBe(true);
    await spool.close();
  });
});
