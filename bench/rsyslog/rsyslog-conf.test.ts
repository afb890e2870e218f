import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireServices } from '../../core/testing/services';
import { rsyslogConf, type RsyslogShipConf } from './rsyslog-conf';

const RSYSLOGD = '/usr/sbin/rsyslogd';
const withRsyslog = fs.existsSync(RSYSLOGD) || requireServices ? it : it.skip;

function conf(overrides: Partial<RsyslogShipConf> = {}): RsyslogShipConf {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-rsyslog-conf-'));
  return {
    esHost: '127.0.0.1',
    esPort: 9200,
    index: 'logs-bench-rsyslog',
    file: path.join(dir, 'events.ndjson'),
    workDir: dir,
    errorFile: path.join(dir, 'errors.json'),
    internalLog: path.join(dir, 'internal.log'),
    ...overrides,
  };
}

describe('rsyslogConf', () => {
  withRsyslog('is accepted by rsyslogd -N1 (every module and parameter exists in the installed rsyslog)', () => {
    const c = conf();
    const file = path.join(c.workDir, 'rsyslog.conf');
    fs.writeFileSync(file, rsyslogConf(c));
    const r = spawnSync(RSYSLOGD, ['-N1', '-f', file], { encoding: 'utf8' });
    expect(`${r.stderr}${r.stdout}`).not.toMatch(/error|not known|invalid/i);
    expect(r.status).toBe(0);
  });

  it('ships the raw line with create, the event id and Elasticsearch 8+ bulk format (no _type)', () => {
    const text = rsyslogConf(conf({ batchSize: 2000, workers: 3 }));
    expect(text).toContain('writeoperation="create" dynbulkid="on" bulkid="sargs_id"');
    expect(text).toContain('property(name="$!event!id")');
    expect(text).toContain('esVersion.major="9"');
    expect(text).toContain('queue.dequeueBatchSize="2000"');
    expect(text).toContain('queue.workerThreads="3"');
  });

  it('refuses values that would break out of a quoted rsyslog string', () => {
    expect(() => rsyslogConf(conf({ index: 'a" action(type="omfile' }))).toThrow(/may not contain quotes/);
    expect(() => rsyslogConf(conf({ idPath: 'event!id") x' }))).toThrow(/not a JSON path/);
  });
});
