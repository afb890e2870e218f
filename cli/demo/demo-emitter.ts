/**
 * Turns one piece of staff activity into records of every source that would see it: the application audit event,
 * the logon at ADFS or the domain controller, the visvaris.lv access line of web apps and, for writes, the Oracle
 * unified audit row. Shared by normal traffic and the misuse scenarios so both look alike.
 */
import type { DemoApp, DemoAction } from './demo-catalogue';
import type { DemoStaff } from './demo-population';
import { accessLine, adfsLine, oracleAuditLine, vpsAuditLine, windowsLogonLine } from './demo-formats';
import type { Rng } from './prng';

/** What the demo writes: one raw item, the parser that reads it, the tenant whose log it is. */
export interface DemoRecord {
  raw: string;
  parser: 'vps_audit' | 'windows' | 'web_access' | 'oracle_audit' | 'syslog';
  tenant: string;
  /** When it happened (ISO, UTC); records are yielded in this order within a day. */
  at: string;
  /** The misuse scenario this record belongs to, if any. */
  scenario?: string;
}

/** A timestamped record waiting to be sorted into the stream. */
export interface PendingRecord {
  ms: number;
  seq: number;
  record: DemoRecord;
}

const WRITE = /^(update|register|decide|create|run|close|edit|issue|post|invoice|assign)/;
const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

/** Collects records for one day (or one scenario) with deterministic ids. */
export class DemoEmitter {
  readonly out: PendingRecord[] = [];
  private seq = 0;
  private recordId: number;

  constructor(private readonly rng: Rng, private readonly scenario?: string) {
    this.recordId = rng.int(1_000_000, 90_000_000);
  }

  /** Adds a record. */
  push(ms: number, parser: DemoRecord['parser'], tenant: string, raw: string): void {
    const record: DemoRecord = { raw, parser, tenant, at: new Date(ms).toISOString() };
    if (this.scenario) record.scenario = this.scenario;
    this.out.push({ ms, seq: this.seq++, record });
  }

  /** A new session id (hex). */
  session(): string {
    return Array.from({ length: 4 }, () => this.rng.int(0, 0xffff).toString(16).padStart(4, '0')).join('');
  }

  /**
   * A logon: desktop apps at the municipality's domain controller (4624/4625), web apps through AD FS (1200/1203).
   * `mfa` is the factor used, or null for a password-only login.
   */
  login(s: DemoStaff, app: DemoApp, ms: number, success: boolean, mfa: string | null, ip = s.ip): void {
    const at = new Date(ms);
    const recordId = this.recordId++;
    if (app.kind === 'desktop') {
      const dc = `dc01.${s.domain.toLowerCase()}.vps.lv`;
      const raw = windowsLogonLine({ at, success, user: s.user, domain: s.domain, ip, workstation: s.workstation, dc, recordId, logonType: mfa ? '2' : '10', authPackage: mfa ? 'Kerberos' : 'NTLM' });
      this.push(ms, 'windows', s.tenant, raw);
    } else {
      const raw = adfsLine({ at, success, user: s.user, domain: s.domain, ip, relyingParty: `urn:vps:${app.app.toLowerCase()}`, mfaMethod: success ? mfa : null, recordId, activityId: this.guid() });
      this.push(ms, 'windows', s.tenant, raw);
    }
  }

  /** One application action with the records every source writes for it. */
  action(o: {
    staff: DemoStaff; app: DemoApp; action: DemoAction; ms: number; person: string | null; subjectOrg: string | null;
    purpose: string | null; session: string; outcome?: 'success' | 'failure'; recordId?: string; org?: string; tenant?: string; ip?: string;
  }): void {
    const { staff, app, action, ms } = o;
    const tenant = o.tenant ?? staff.tenant;
    const outcome = o.outcome ?? (this.rng.chance(action.failRate ?? 0.01) ? 'failure' : 'success');
    const recordId = o.recordId ?? `${app.app}-${this.rng.int(100000, 999999)}`;
    const ip = o.ip ?? staff.ip;
    this.push(ms, 'vps_audit', tenant, vpsAuditLine({
      ts: new Date(ms).toISOString(), app: app.app, org: o.org ?? staff.tenant, user: staff.user, role: app.role, action: action.action,
      person: o.person, subject_org: o.subjectOrg, category: action.category, purpose: o.purpose, record_id: recordId, outcome, ip, session: o.session,
    }));
    if (app.kind === 'web') {
      const base = `/${app.app.toLowerCase()}`;
      const write = WRITE.test(action.action);
      const path = `${base}/api/${action.action.replace(/_/g, '-')}/${recordId.split('-').pop()}`;
      const status = outcome === 'failure' ? 422 : 200;
      this.push(ms - 150, 'web_access', tenant, accessLine({ at: new Date(ms - 150), ip, user: staff.user, method: write ? 'POST' : 'GET', path, status, bytes: this.rng.int(800, 24000), referer: `https://visvaris.lv${base}/`, agent: BROWSER }));
    }
    if (WRITE.test(action.action) && this.rng.chance(0.35)) {
      const table = this.rng.pick(app.tables);
      const verb = action.action.startsWith('register') || action.action.startsWith('create') ? 'INSERT' : 'UPDATE';
      const sql = verb === 'INSERT' ? `INSERT INTO ${app.schema}.${table} VALUES (:1, :2, :3, :4)` : `UPDATE ${app.schema}.${table} SET STATUSS = :1 WHERE ID = :2`;
      this.oracle(staff, ms + 40, verb, app.schema, table, sql, outcome === 'failure' ? 1400 : 0, tenant);
    }
  }

  /** An Oracle unified audit row for a statement run through the app's schema account. */
  oracle(s: DemoStaff, ms: number, action: string, schema: string, object: string, sql: string, returnCode: number, tenant = s.tenant): void {
    this.push(ms, 'oracle_audit', tenant, oracleAuditLine({
      at: new Date(ms), dbUser: `${schema}_APP`, osUser: s.user, host: s.workstation, program: schema === 'NINO' || schema === 'SOPA' ? `${schema.toLowerCase()}.exe` : 'JDBC Thin Client',
      action, schema, object, sql, returnCode, sessionId: this.rng.int(100000, 9999999), policies: 'VPS_PERSONAL_DATA_POL',
    }));
  }

  private guid(): string {
    const h = (n: number): string => Array.from({ length: n }, () => this.rng.int(0, 15).toString(16)).join('');
    return `${h(8)}-${h(4)}-4${h(3)}-8${h(3)}-${h(12)}`;
  }
}
