import { int, ParseFailure, type ParsedEvent, type ParserDeps, type ParserOutput } from './parser-types';
import { fieldsToEpoch, monthNumber, toIsoTimestamp, isoFromEpoch } from './timestamp';
import { parseFortigateKv } from './syslog-fortigate';
import type { RawRecord } from '../../core/types';

const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp',
  'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
const SEVERITIES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

/** The SD-ID whose params `tenant` and `app` set vps.tenant and service.name. */
export const SARGS_SD_ID = 'sargs@53595';

/**
 * Syslog messages: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD…] MSG`, structured data kept under
 * log.syslog.structured_data; `[sargs@53595 tenant="riga" app="NINO"]` sets vps.tenant and service.name) and
 * RFC 3164 (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, also with a year or an RFC 3339 time). A 3164 time has no
 * zone (read as Europe/Riga) and usually no year (the year that puts it closest before receipt); a 3164 message
 * without any time gets the receipt time (RFC 3164 §4.3.3). FortiGate key=value bodies are read too.
 */
export function parseSyslog(rec: RawRecord, _value: unknown, deps: ParserDeps): ParserOutput {
  const raw = rec.raw.replace(/[\r\n]+$/, '');
  const close = raw.indexOf('>');
  if (raw.charCodeAt(0) !== 60 || close < 2 || close > 4) return new ParseFailure('syslog message must start with <PRI>');
  const pri = int(raw.slice(1, close));
  // RFC 5424 §6.2.1: PRI is 0–191 (facility 0–23 × 8 + severity 0–7).
  if (pri === undefined || pri < 0 || pri > 191) return new ParseFailure('syslog PRI must be 0 to 191', 'log.syslog.priority');
  const syslog: Record<string, unknown> = {
    priority: pri,
    facility: { code: pri >> 3, name: FACILITIES[pri >> 3] },
    severity: { code: pri & 7, name: SEVERITIES[pri & 7] },
  };
  const rest = raw.slice(close + 1);
  const out = rest.startsWith('1 ') ? rfc5424(rest.slice(2), syslog) : rfc3164(rest, syslog, deps.receivedAt);
  if (out instanceof ParseFailure) return out;
  const kv = typeof out.message === 'string' ? parseFortigateKv(out.message) : undefined;
  if (kv) Object.assign(out, kv.fields, { '@timestamp': kv.timestamp ?? out['@timestamp'] });
  return out;
}

function rfc5424(s: string, syslog: Record<string, unknown>): ParserOutput {
  const tokens: string[] = [];
  let i = 0;
  for (let t = 0; t < 5; t++) {
    const sp = s.indexOf(' ', i);
    if (sp < 0) return new ParseFailure('RFC 5424 header is incomplete');
    tokens.push(s.slice(i, sp));
    i = sp + 1;
  }
  const [time, hostname, appname, procid, msgid] = tokens;
  let ts: string | undefined;
  if (time !== '-') {
    ts = toIsoTimestamp(time);
    if (!ts || !time.includes('T')) return new ParseFailure('RFC 5424 TIMESTAMP is not RFC 3339', '@timestamp');
  }
  syslog.version = 1;
  const sd = parseStructuredData(s, i);
  if (sd instanceof ParseFailure) return sd;
  let msg = s.slice(sd.end).replace(/^ /, '');
  if (msg.startsWith('\uFEFF')) msg = msg.slice(1); // RFC 5424 §6.4: UTF-8 BOM marks the MSG encoding
  const event: ParsedEvent = { event: { kind: 'event' }, log: { syslog } };
  if (ts) event['@timestamp'] = ts;
  if (hostname !== '-') {
    syslog.hostname = hostname;
    event.host = { name: hostname };
  }
  const proc: Record<string, unknown> = {};
  if (appname !== '-') syslog.appname = proc.name = appname;
  if (procid !== '-') {
    syslog.procid = procid;
    const pid = int(procid);
    if (pid !== undefined) proc.pid = pid;
  }
  if (Object.keys(proc).length > 0) event.process = proc;
  if (msgid !== '-') syslog.msgid = msgid;
  if (sd.data) {
    syslog.structured_data = sd.data;
    const sargs = sd.data[SARGS_SD_ID];
    if (sargs?.tenant) event.vps = { tenant: sargs.tenant };
    if (sargs?.app) event.service = { name: sargs.app.toUpperCase() };
  }
  if (msg) event.message = msg;
  return event;
}

/** Sets `o[k] = v` as an own data property, also for the key `__proto__` (which plain assignment would not). */
function setOwn<T>(o: Record<string, T>, k: string, v: T): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** RFC 5424 §6.3 STRUCTURED-DATA from `start`: `-` or `[ID k="v" …]…` with `\"`, `\\`, `\]` escapes. */
function parseStructuredData(
  s: string,
  start: number,
): { data?: Record<string, Record<string, string>>; end: number } | ParseFailure {
  if (s[start] === '-') return { end: start + 1 };
  if (s[start] !== '[') return new ParseFailure('RFC 5424 STRUCTURED-DATA must be - or [..]', 'log.syslog.structured_data');
  const data: Record<string, Record<string, string>> = {};
  let i = start;
  const bad = () => new ParseFailure('RFC 5424 STRUCTURED-DATA is malformed', 'log.syslog.structured_data');
  while (s.charCodeAt(i) === 91 /* [ */) {
    // SD-ID up to the first space or `]`.
    let idEnd = i + 1;
    for (; idEnd < s.length; idEnd++) {
      const c = s.charCodeAt(idEnd);
      if (c === 32 || c === 93) break;
    }
    if (idEnd >= s.length || idEnd === i + 1) return bad();
    const id = s.slice(i + 1, idEnd);
    const params: Record<string, string> = {};
    i = idEnd;
    while (s.charCodeAt(i) === 32) {
      const eq = s.indexOf('="', i);
      if (eq < 0) return bad();
      const name = s.slice(i + 1, eq);
      // PARAM-VALUE up to the closing quote; `\"`, `\\` and `\]` are escapes (RFC 5424 §6.3.3).
      let j = eq + 2;
      let v = '';
      let from = j;
      for (;;) {
        if (j >= s.length) return bad();
        const c = s.charCodeAt(j);
        if (c === 34 /* " */) break;
        if (c === 92 /* \ */) {
          const next = s[j + 1];
          if (next === '"' || next === '\\' || next === ']') {
            v += s.slice(from, j) + next;
            j += 2;
            from = j;
            continue;
          }
        }
        j++;
      }
      v += s.slice(from, j);
      if (!SD_NAME.test(name)) return bad();
      setOwn(params, name, v);
      i = j + 1;
    }
    if (s.charCodeAt(i) !== 93 /* ] */) return bad();
    setOwn(data, id, params);
    i++;
  }
  return { data, end: i };
}

const SD_NAME = /^[^= \]"]{1,32}$/;

const BSD_TIME = /^([A-Z][a-z]{2}) {1,2}(\d{1,2}) (?:(\d{4}) )?(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?: (\d{4}))? /;
const RFC3339_HEAD = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})?) /;

function rfc3164(s: string, syslog: Record<string, unknown>, receivedAt: Date): ParserOutput {
  let ts: string | undefined;
  let rest = s;
  const m = BSD_TIME.exec(s);
  if (m) {
    const mo = monthNumber(m[1])!;
    const year = m[3] ?? m[8];
    const frac = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
    const at = (y: number) => fieldsToEpoch(y, mo, +m[2], +m[4], +m[5], +m[6], frac, undefined);
    let epoch: number | undefined;
    if (year) epoch = at(+year);
    else {
      // No year: the latest year that does not put the message more than a day after its receipt.
      const y = receivedAt.getUTCFullYear();
      epoch = at(y);
      if (epoch !== undefined && epoch > receivedAt.getTime() + 86_400_000) epoch = at(y - 1);
      else if (epoch === undefined) epoch = at(y - 1); // 29 Feb of a previous leap year
    }
    if (epoch === undefined) return new ParseFailure('RFC 3164 TIMESTAMP is not a valid date', '@timestamp');
    ts = isoFromEpoch(epoch);
    rest = s.slice(m[0].length);
  } else {
    const r = RFC3339_HEAD.exec(s);
    if (r) {
      ts = toIsoTimestamp(r[1]);
      if (!ts) return new ParseFailure('syslog timestamp is not a valid date', '@timestamp');
      rest = s.slice(r[0].length);
    }
  }
  const event: ParsedEvent = { event: { kind: 'event' }, log: { syslog } };
  if (ts) {
    // HOSTNAME follows the timestamp unless the next word is already the TAG ("tag:" or "tag[pid]:").
    const sp = rest.indexOf(' ');
    const word = sp < 0 ? rest : rest.slice(0, sp);
    if (sp > 0 && !/[:\]]$/.test(word) && !word.includes('=')) {
      syslog.hostname = word;
      event.host = { name: word };
      rest = rest.slice(sp + 1);
    }
  }
  event['@timestamp'] = ts ?? receivedAt.toISOString();
  const tag = /^([^\s:[\]]{1,48})(?:\[([^\]]{1,16})\])?: ?/.exec(rest);
  if (tag) {
    syslog.appname = tag[1];
    const proc: Record<string, unknown> = { name: tag[1] };
    if (tag[2] !== undefined) {
      syslog.procid = tag[2];
      const pid = int(tag[2]);
      if (pid !== undefined) proc.pid = pid;
    }
    event.process = proc;
    rest = rest.slice(tag[0].length);
  }
  event.message = rest;
  return event;
}
