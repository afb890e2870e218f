import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../core/config';
import { loadTailConfig, parseTailConfig } from './tail-config';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
};

describe('tail configuration', () => {
  const file = '/etc/sargs/tail.yaml';

  it('reads YAML with a files list, resolving relative paths from the configuration folder', () => {
    const yaml = [
      'files:',
      '  - path: /var/log/visvaris/access.log',
      "    tenant: '*'",
      '    source: visvaris-web',
      '    parser: web_access',
      '  - id: nino-audit',
      '    path: logs/nino.log',
      '    tenant: ogre',
      '    source: nino',
    ].join('\n');
    expect(parseTailConfig(yaml, file)).toEqual([
      { id: '/var/log/visvaris/access.log', path: '/var/log/visvaris/access.log', tenant: '*', source: 'visvaris-web', parser: 'web_access' },
      { id: 'nino-audit', path: '/etc/sargs/logs/nino.log', tenant: 'ogre', source: 'nino', parser: 'auto' },
    ]);
  });

  it('reads JSON, also as a top-level list', () => {
    const json = JSON.stringify([{ path: '/var/log/sopa.log', tenant: 'riga', source: 'sopa', parser: 'vps_audit' }]);
    expect(parseTailConfig(json, '/etc/sargs/tail.json')).toEqual([
      { id: '/var/log/sopa.log', path: '/var/log/sopa.log', tenant: 'riga', source: 'sopa', parser: 'vps_audit' },
    ]);
  });

  it('names the file and the field at fault', () => {
    const yaml = 'files:\n  - path: /a.log\n    source: a\n  - path: /b.log\n    tenant: x\n    source: b\n    parser: nginx\n';
    const problems = problemsOf(() => parseTailConfig(yaml, file));
    expect(problems).toEqual([
      expect.stringMatching(/^\/etc\/sargs\/tail\.yaml: files\[0\]\.tenant: Required$/),
      expect.stringMatching(/^\/etc\/sargs\/tail\.yaml: files\[1\]\.parser: Invalid enum value/),
    ]);
  });

  it('names the field of a top-level list the same way, and rejects unknown keys', () => {
    const problems = problemsOf(() => parseTailConfig('[{"path": "/a", "tenant": "t", "source": "s", "tennant": 1}]', file));
    expect(problems).toEqual([expect.stringMatching(/^\/etc\/sargs\/tail\.yaml: files\[0\]: Unrecognized key\(s\) in object: 'tennant'$/)]);
  });

  it('rejects two files with one id (they would share a checkpoint)', () => {
    const yaml = 'files:\n  - {path: /a.log, tenant: t, source: s}\n  - {path: /b/../a.log, tenant: t, source: s}\n';
    expect(problemsOf(() => parseTailConfig(yaml, file))).toEqual([
      '/etc/sargs/tail.yaml: files[1].id: /a.log is the same as files[0] (give each file its own id)',
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    expect(problemsOf(() => parseTailConfig('files: [\n  - path: x\n', file))[0]).toMatch(
      /^\/etc\/sargs\/tail\.yaml: line \d+, column \d+: not valid YAML or JSON/,
    );
  });

  it('loads from disk and reports a missing file by name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-tailcfg-'));
    try {
      const p = path.join(dir, 'tail.yml');
      fs.writeFileSync(p, 'files:\n  - {path: app.log, tenant: t, source: s, parser: ecs}\n');
      expect(loadTailConfig(p)).toEqual([
        { id: path.join(dir, 'app.log'), path: path.join(dir, 'app.log'), tenant: 't', source: 's', parser: 'ecs' },
      ]);
      expect(problemsOf(() => loadTailConfig(path.join(dir, 'none.yml')))).toEqual([
        `${path.join(dir, 'none.yml')}: cannot be read (ENOENT)`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
