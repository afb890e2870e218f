import { endpoint, int, isObject, ParseFailure, str, type ParsedEvent, type ParserOutput } from './parser-types';
import { fieldsToEpoch, monthNumber, toIsoTimestamp, isoFromEpoch } from './timestamp';
import type { RawRecord } from '../../core/types';

/**
 * Apache/nginx combined log format (and common log format, without referrer and user agent):
 * `host ident authuser [10/Oct/2024:13:55:36 +0300] "GET /path?q HTTP/1.1" 200 2326 "referrer" "user agent"`.
 */
export const COMBINED_LOG = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/;

/**
 * Access logs of visvaris.lv: combined log format lines, or JSON objects with nginx-style names
 * (`time`/`@timestamp`/`timestamp`, `remote_addr`/`client_ip`, `remote_user`, `method`, `uri`/`url`/`request_uri`
 * or `request` ("GET /x HTTP/1.1"), `status`, `body_bytes_sent`/`bytes`, `http_referer`/`referrer`,
 * `http_user_agent`/`user_agent`, `host`, `request_time` in seconds).
 * Outcome per ECS: HTTP status below 400 is success, 400 and above failure.
 */
export function parseWebAccess(rec: RawRecord, value: unknown): ParserOutput {
  return isObject(value) ? fromJson(value) : fromLine(rec.raw);
}

function fromLine(raw: string): ParserOutput {
  const m = COMBINED_LOG.exec(raw);
  if (!m) return new ParseFailure('not a combined or common log format line');
  const ts = clfTimestamp(m[4]);
  if (!ts) return new ParseFailure('access log time is not dd/Mon/yyyy:HH:mm:ss ±zzzz', '@timestamp');
  const [method, target, version] = splitRequest(unescape(m[5]));
  return build({
    ts,
    client: m[1],
    user: m[3] === '-' ? undefined : m[3],
    method,
    target,
    version,
    status: Number(m[6]),
    bytes: m[7] === '-' ? undefined : Number(m[7]),
    referrer: m[8] === undefined || m[8] === '-' ? undefined : unescape(m[8]),
    agent: m[9] === undefined || m[9] === '-' ? undefined : unescape(m[9]),
  });
}

function fromJson(v: Record<string, unknown>): ParserOutput {
  const tsValue = v.time ?? v['@timestamp'] ?? v.timestamp ?? v.time_iso8601 ?? v.time_local;
  if (tsValue === undefined) return new ParseFailure('missing required field time', 'time');
  const ts = (typeof tsValue === 'string' ? clfTimestamp(tsValue) : undefined) ?? toIsoTimestamp(tsValue);
  if (!ts) return new ParseFailure('time is not a timestamp', 'time');
  const status = int(v.status ?? v.status_code);
  if (status === undefined || status < 100 || status > 599) return new ParseFailure('status is not an HTTP status', 'status');
  let method = str(v.method ?? v.request_method);
  let target = str(v.uri ?? v.url ?? v.request_uri ?? v.path);
  let version = str(v.protocol ?? v.server_protocol)?.replace(/^HTTP\//, '');
  if (!target && str(v.request)) [method, target, version] = splitRequest(str(v.request)!);
  const query = str(v.query ?? v.args ?? v.query_string);
  if (target && query && !target.includes('?')) target = `${target}?${query}`;
  const seconds = typeof v.request_time === 'number' ? v.request_time : Number(str(v.request_time) ?? NaN);
  return build({
    ts,
    client: v.remote_addr ?? v.client_ip ?? v.clientip ?? v.ip,
    user: str(v.remote_user) === '-' ? undefined : str(v.remote_user),
    method,
    target,
    version,
    status,
    bytes: int(v.body_bytes_sent ?? v.bytes ?? v.bytes_sent),
    referrer: nonDash(v.http_referer ?? v.referrer ?? v.referer),
    agent: nonDash(v.http_user_agent ?? v.user_agent),
    host: str(v.host ?? v.server_name),
    durationNs: Number.isFinite(seconds) ? Math.round(seconds * 1e9) : undefined,
  });
}

interface Access {
  ts: string;
  client: unknown;
  user?: string;
  method?: string;
  target?: string;
  version?: string;
  status: number;
  bytes?: number;
  referrer?: string;
  agent?: string;
  host?: string;
  durationNs?: number;
}

function build(a: Access): ParsedEvent {
  const event: ParsedEvent = {
    '@timestamp': a.ts,
    event: {
      kind: 'event',
      category: ['web'],
      type: ['access'],
      action: 'http-request',
      outcome: a.status >= 400 ? 'failure' : 'success',
    },
    http: {
      request: a.method || a.referrer ? { method: a.method, referrer: a.referrer } : undefined,
      response: { status_code: a.status, body: a.bytes === undefined ? undefined : { bytes: a.bytes } },
      version: a.version,
    },
  };
  if (a.durationNs !== undefined) event.event.duration = a.durationNs;
  const src = endpoint(a.client);
  if (src) event.source = src;
  if (a.user) event.user = { name: a.user };
  if (a.target) event.url = urlFields(a.target, a.host);
  if (a.agent) event.user_agent = { original: a.agent };
  event.service = { name: 'VISVARIS' };
  return event;
}

function urlFields(target: string, host: string | undefined): Record<string, unknown> {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const url: Record<string, unknown> = { original: target, path };
  if (q >= 0) url.query = target.slice(q + 1);
  if (host) url.domain = host;
  return url;
}

function splitRequest(request: string): [string | undefined, string | undefined, string | undefined] {
  const parts = request.split(' ');
  if (parts.length === 3) return [parts[0], parts[1], parts[2].replace(/^HTTP\//, '')];
  if (parts.length === 2) return [parts[0], parts[1], undefined];
  return [undefined, request === '-' || request === '' ? undefined : request, undefined];
}

function nonDash(v: unknown): string | undefined {
  const s = str(v);
  return s === '-' ? undefined : s;
}

function unescape(s: string): string {
  return s.includes('\\') ? s.replace(/\\(.)/g, '$1') : s;
}

const CLF_TIME = /^(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))? ([+-]\d{4})$/;

/** `10/Oct/2024:13:55:36 +0300` (Apache %t, nginx $time_local) to ISO UTC. */
export function clfTimestamp(s: string): string | undefined {
  const m = CLF_TIME.exec(s);
  if (!m) return undefined;
  const mo = monthNumber(m[2]);
  if (!mo) return undefined;
  const ms = m[7] ? Number((m[7] + '00').slice(0, 3)) : 0;
  const epoch = fieldsToEpoch(+m[3], mo, +m[1], +m[4], +m[5], +m[6], ms, m[8]);
  return epoch === undefined ? undefined : isoFromEpoch(epoch);
}
