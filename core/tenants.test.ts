import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultTenantsFile, loadTenants } from './tenants';

describe('loadTenants', () => {
  it('loads policies/tenants.yaml: 43 municipalities, state institutions and the processor', () => {
    const t = loadTenants();
    expect(defaultTenantsFile()).toBe(path.resolve(__dirname, '..', 'policies', 'tenants.yaml'));
    const municipalities = [...t.byId.values()].filter((x) => x.kind === 'municipality');
    expect(municipalities).toHaveLength(43);
    for (const id of ['riga', 'daugavpils', 'jurmala', 'adazu-novads', 'varaklanu-novads', 'valmieras-novads']) {
      expect(t.ids.has(id)).toBe(true);
    }
    expect(t.byId.get('riga')).toEqual({ id: 'riga', name: 'Rīgas valstspilsēta', kind: 'municipality' });
    for (const id of ['vid', 'pmlp', 'vsaa', 'vp', 'csdd']) expect(t.byId.get(id)?.kind).toBe('state-institution');
    expect(t.byId.get('zzdats')?.kind).toBe('processor');
    expect(t.ids.size).toBe(t.byId.size);
  });

  describe('bad files', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sargs-tenants-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (text: string) => {
      const f = path.join(dir, 'tenants.yaml');
      fs.writeFileSync(f, text);
      return f;
    };

    it('names the file and the bad entry', () => {
      const f = write('tenants:\n  - { id: riga, name: Rīga, kind: municipality }\n  - { id: Bad Id, name: X, kind: town }\n');
      expect(() => loadTenants(f)).toThrow(f);
      expect(() => loadTenants(f)).toThrow(/tenants\.1\.id/);
      expect(() => loadTenants(f)).toThrow(/tenants\.1\.kind/);
    });

    it('refuses duplicate ids, unknown keys, invalid YAML and a missing file', () => {
      expect(() => loadTenants(write('tenants:\n  - { id: a, name: A, kind: processor }\n  - { id: a, name: B, kind: processor }\n'))).toThrow(
        /duplicate id "a"/,
      );
      expect(() => loadTenants(write('tenants:\n  - { id: a, name: A, kind: processor, extra: 1 }\n'))).toThrow(/tenants\.0/);
      expect(() => loadTenants(write('tenants: [\n'))).toThrow(/not valid YAML/);
      expect(() => loadTenants(path.join(dir, 'none.yaml'))).toThrow(/cannot read tenants file/);
    });
  });
});
