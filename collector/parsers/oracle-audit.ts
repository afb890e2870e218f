import { endpoint, int, isObject, ParseFailure, str, type ParsedEvent, type ParserOutput } from './parser-types';
import { fieldsToEpoch, monthNumber, toIsoTimestamp, isoFromEpoch } from './timestamp';
import type { RawRecord } from '../../core/types';

/**
 * Column order of the CSV export of UNIFIED_AUDIT_TRAIL (one row per line, RFC 4180 quoting; the last two
 * columns optional):
 * `EVENT_TIMESTAMP,DBUSERNAME,OS_USERNAME,USERHOST,CLIENT_PROGRAM_NAME,ACTION_NAME,OBJECT_SCHEMA,OBJECT_NAME,
 * SQL_TEXT,RETURN_CODE,SESSIONID,UNIFIED_AUDIT_POLICIES`
 */
export const ORACLE_CSV_COLUMNS = [
  'EVENT_TIMESTAMP', 'DBUSERNAME', 'OS_USERNAME', 'USERHOST', 'CLIENT_PROGRAM_NAME', 'ACTION_NAME', 'OBJECT_SCHEMA',
  'OBJECT_NAME', 'SQL_TEXT', 'RETURN_CODE', 'SESSIONID', 'UNIFIED_AUDIT_POLICIES',
] as const;

/**
 * Oracle Unified Audit trail rows, as JSON objects with the view's column names (EVENT_TIMESTAMP or
 * EVENT_TIMESTAMP_UTC, DBUSERNAME, OS_USERNAME, USERHOST, CLIENT_PROGRAM_NAME, ACTION_NAME, OBJECT_SCHEMA,
 * OBJECT_NAME, SQL_TEXT, RETURN_CODE, …; any case) or as a CSV line in ORACLE_CSV_COLUMNS order.
 * RETURN_CODE 0 is success, anything else the ORA- error number of a failure.
 */
export function parseOracleAudit(rec: RawRecord, value: unknown): ParserOutput {
  let row: Record<string, unknown>;
  if (isObject(value)) {
    row = {};
    for (const k in value) row[k.toUpperCase()] = value[k];
  } else {
    const cells = splitCsvLine(rec.raw);
    if (!cells) return new ParseFailure('Oracle audit CSV line has an unterminated quote');
    if (cells[0] === 'EVENT_TIMESTAMP') return new ParseFailure('Oracle audit CSV header row, not an event');
    if (cells.length < 10) return new ParseFailure(`Oracle audit CSV line has ${cells.length} columns, expected at least 10`);
    row = {};
    ORACLE_CSV_COLUMNS.forEach((c, i) => (row[c] = cells[i]));
  }

  const tsField = row.EVENT_TIMESTAMP_UTC !== undefined ? 'EVENT_TIMESTAMP_UTC' : 'EVENT_TIMESTAMP';
  if (str(row[tsField]) === undefined) return new ParseFailure('missing required field EVENT_TIMESTAMP', 'EVENT_TIMESTAMP');
  const ts = oracleTimestamp(row[tsField], tsField === 'EVENT_TIMESTAMP_UTC');
  if (!ts) return new ParseFailure(`${tsField} is not a timestamp`, tsField);
  const actionName = str(row.ACTION_NAME);
  if (!actionName) return new ParseFailure('missing required field ACTION_NAME', 'ACTION_NAME');
  const returnCode = int(row.RETURN_CODE);
  if (row.RETURN_CODE !== undefined && row.RETURN_CODE !== '' && returnCode === undefined) {
    return new ParseFailure('RETURN_CODE is not an integer', 'RETURN_CODE');
  }

  const action = actionName.toUpperCase();
  const kind = ACTION_KINDS[action] ?? { category: ['database'], type: ['info'] };
  const event: ParsedEvent = {
    '@timestamp': ts,
    event: {
      kind: 'event',
      category: kind.category,
      type: kind.type,
      action: action.toLowerCase().replace(/\s+/g, '-'),
      outcome: returnCode === undefined ? 'unknown' : returnCode === 0 ? 'success' : 'failure',
    },
    oracle: { audit: oracleFields(row, returnCode) },
  };
  if (str(row.DBUSERNAME)) event.user = { name: str(row.DBUSERNAME) };
  const client = endpoint(row.USERHOST);
  if (client) event.source = client;
  if (str(row.CLIENT_PROGRAM_NAME)) event.process = { name: str(row.CLIENT_PROGRAM_NAME) };
  if (returnCode) event.error = { code: `ORA-${String(returnCode).padStart(5, '0')}` };
  if (str(row.DB_NAME) ?? str(row.DBID)) event.host = { name: str(row.DB_NAME) ?? str(row.DBID) };
  return event;
}

const ACTION_KINDS: Record<string, { category: string[]; type: string[] }> = {
  SELECT: { category: ['database'], type: ['access'] },
  INSERT: { category: ['database'], type: ['creation'] },
  UPDATE: { category: ['database'], type: ['change'] },
  DELETE: { category: ['database'], type: ['deletion'] },
  EXECUTE: { category: ['database'], type: ['access'] },
  LOGON: { category: ['authentication', 'database'], type: ['start'] },
  LOGOFF: { category: ['authentication', 'database'], type: ['end'] },
  GRANT: { category: ['database', 'iam'], type: ['change'] },
  REVOKE: { category: ['database', 'iam'], type: ['change'] },
  'CREATE USER': { category: ['database', 'iam'], type: ['user', 'creation'] },
  'ALTER USER': { category: ['database', 'iam'], type: ['user', 'change'] },
  'DROP USER': { category: ['database', 'iam'], type: ['user', 'deletion'] },
};

function oracleFields(row: Record<string, unknown>, returnCode: number | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, target] of FIELD_MAP) {
    const v = str(row[k]);
    if (v !== undefined) out[target] = v;
  }
  if (returnCode !== undefined) out.return_code = returnCode;
  return out;
}

const FIELD_MAP: Array<[string, string]> = [
  ['OS_USERNAME', 'os_username'], ['USERHOST', 'userhost'], ['TERMINAL', 'terminal'],
  ['CLIENT_PROGRAM_NAME', 'client_program_name'], ['OBJECT_SCHEMA', 'object_schema'], ['OBJECT_NAME', 'object_name'],
  ['SQL_TEXT', 'sql_text'], ['SQL_BINDS', 'sql_binds'], ['SESSIONID', 'sessionid'],
  ['UNIFIED_AUDIT_POLICIES', 'unified_audit_policies'], ['DBUSERNAME', 'dbusername'], ['ACTION_NAME', 'action_name'],
];

// "05-MAR-24 10.15.30.123456 AM" (NLS_TIMESTAMP_FORMAT default), optionally followed by a zone offset.
const ORACLE_NLS = /^(\d{1,2})-([A-Za-z]{3})-(\d{2}|\d{4}) (\d{1,2})\.(\d{2})\.(\d{2})(?:\.(\d{1,9}))?(?: ?([AP]M))?(?: ([+-]\d{2}:\d{2}))?$/;

function oracleTimestamp(v: unknown, utc: boolean): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    const m = ORACLE_NLS.exec(t);
    if (m) {
      const mo = monthNumber(m[2]);
      if (!mo) return undefined;
      let y = Number(m[3]);
      if (m[3].length === 2) y += 2000;
      let h = Number(m[4]);
      if (m[8] === 'PM' && h < 12) h += 12;
      if (m[8] === 'AM' && h === 12) h = 0;
      const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
      const epoch = fieldsToEpoch(y, mo, Number(m[1]), h, Number(m[5]), Number(m[6]), ms, m[9] ?? (utc ? 'Z' : undefined));
      return epoch === undefined ? undefined : isoFromEpoch(epoch);
    }
    if (utc && /^\d{4}-\d{2}-\d{2}[T ][\d:.]+$/.test(t)) return toIsoTimestamp(t + 'Z');
  }
  return toIsoTimestamp(v);
}

/** Splits one RFC 4180 CSV line; undefined when a quote is left open. */
export function splitCsvLine(line: string): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let cell = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        cell += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 34) {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      cells.push(cell);
      const comma = line.indexOf(',', i);
      if (comma < 0) return cells;
      i = comma + 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        cells.push(line.slice(i).replace(/\r$/, ''));
        return cells;
      }
      cells.push(line.slice(i, comma));
      i = comma + 1;
    }
    if (i > n) return cells;
  }
}
