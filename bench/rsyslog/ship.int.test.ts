import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeWith, requireServices, TEST_ELASTICSEARCH_URL, uniqueName } from '../../core/testing/services';
import { shipWithRsyslog } from './ship';

const es = TEST_ELASTICSEARCH_URL;
// rsyslogd comes from Debian packages rsyslog and rsyslog-elasticsearch (.ci/run installs them).
const suite = fs.existsSync('/usr/sbin/rsyslogd') || requireServices ? describeWith('elasticsearch') : describe.skip;

suite('shipWithRsyslog (real rsyslogd and Elasticsearch)', () => {
  const index = uniqueName('rsyslog');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-rsyslog-'));
  const file = path.join(dir, 'events.ndjson');
  const count = 2000;

  beforeAll(() => {
    const lines: string[] = [];
    for (let i = 0; i < count; i++) {
      lines.push(
        JSON.stringify({
          '@timestamp': new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
          event: { id: `ev-${i.toString().padStart(6, '0')}`, kind: 'event', action: 'select' },
          service: { name: 'PERS' },
          message: `line ${i} with "quotes" and \\ backslash`,
        }),
      );
    }
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    await fetch(`${es}/${index}`, { method: 'DELETE' }).catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('delivers every line unchanged, with event.id as _id, and reports the rate', async () => {
    const r = await shipWithRsyslog({ esUrl: es, index, file, count, workDir: path.join(dir, 'run'), batchSize: 500 });
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.eventsPerSecond).toBeCloseTo(count / r.seconds);

    const doc = (await (await fetch(`${es}/${index}/_doc/ev-000007`)).json()) as { _source: unknown };
    expect(doc._source).toEqual(JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[7]));
    const n = (await (await fetch(`${es}/${index}/_count`)).json()) as { count: number };
    expect(n.count).toBe(count);
    // rsyslogd was stopped cleanly: it removes its own pid file on exit
    expect(fs.existsSync(path.join(dir, 'run', 'rsyslogd.pid'))).toBe(false);
  });

  it('refuses a file without a final newline (imfile would hold the last event back)', async () => {
    const bad = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(bad, '{"a":1}');
    await expect(
      shipWithRsyslog({ esUrl: es, index: `${index}-bad`, file: bad, count: 1, workDir: path.join(dir, 'bad') }),
    ).rejects.toThrow(/must end with a newline/);
  });
});

