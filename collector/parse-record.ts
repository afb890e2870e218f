import { createTimestampParser } from '../core/calendar/timestamp-ms';
import type { EcsEvent, IntakeContext, ParseResult, ParserName, RawRecord } from '../core/types';
import type { Pseudonymiser } from './pseudonymise';
import { parseEcs } from './parsers/ecs';
import { parseOracleAudit } from './parsers/oracle-audit';
import { isObject, ParseFailure, str, type ParsedEvent, type Parser, type ParserDeps } from './parsers/parser-types';
import { parseSyslog } from './parsers/syslog';
import { createIsoFormatter } from './parsers/timestamp';
import { parseVpsAudit } from './parsers/vps-audit';
import { COMBINED_LOG, parseWebAccess } from './parsers/web-access';
import { parseWindows } from './parsers/windows';

export interface ParseRecordDeps {
  pseudonymiser: Pseudonymiser;
  /** Known tenant ids (core/tenants.ts). */
  tenants: ReadonlySet<string>;
  now?: () => Date;
  /**
   * Which records keep their raw text in event.original (pseudonymised): `text` (default) for line-based sources
   * (syslog, access logs, CSV), where the line is the evidence; `all`; or `none`. Structured JSON records are
   * stored field by field either way (Elastic's integrations likewise keep the original only on request).
   */
  keepOriginal?: 'all' | 'text' | 'none';
}

type ConcreteParser = Exclude<ParserName, 'auto'>;

const PARSERS: Record<ConcreteParser, Parser> = {
  vps_audit: parseVpsAudit,
  oracle_audit: parseOracleAudit,
  web_access: parseWebAccess,
  windows: parseWindows,
  ecs: parseEcs,
  syslog: parseSyslog,
};

/** event.dataset when the event does not name one. */
const DATASETS: Record<ConcreteParser, string> = {
  vps_audit: 'vps.audit',
  oracle_audit: 'oracle.audit',
  web_access: 'visvaris.access',
  windows: 'windows.security',
  ecs: 'ecs.generic',
  syslog: 'syslog.log',
};

const JSON_PARSERS = new Set<ConcreteParser>(['vps_audit', 'windows', 'ecs']);
const SIX_DIGITS = /[0-9]{6}/;
const FUTURE_TOLERANCE_MS = 24 * 3600 * 1000;
const DATASET_NAME = /^[a-z0-9][a-z0-9_.-]{0,99}$/;

const isoOfClock = createIsoFormatter();
const isoOf = (d: Date): string => isoOfClock(d.getTime());

/**
 * Candidates for a person code in raw text: 6 digits, an optional hyphen, 5 digits, with no boundary check. Every
 * code scrubText replaces is one of these, so a count of them bounds what the scrubbing walk could find.
 */
const CODE_CANDIDATE = /\d{6}-?\d{5}/g;

/** How many code candidates `raw` holds (counting stops above `limit`). */
function candidateCount(raw: string, limit: number): number {
  CODE_CANDIDATE.lastIndex = 0;
  let n = 0;
  while (CODE_CANDIDATE.exec(raw) !== null && ++n <= limit);
  CODE_CANDIDATE.lastIndex = 0;
  return n;
}

/** The receipt time of a batch as a Date and as ISO text, kept for the batch's records (one ctx, many records). */
let lastReceived: { text: string; date: Date; iso: string } | undefined;
function receivedAtOf(text: string): { date: Date; iso: string } | undefined {
  if (lastReceived?.text === text) return lastReceived;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) return undefined;
  lastReceived = { text, date, iso: isoOf(date) };
  return lastReceived;
}

/** A Date for `ms`, the same object for calls within one millisecond (parsers only read it). */
let lastDate = new Date(0);
const dateOf = (ms: number): Date => (lastDate.getTime() === ms ? lastDate : (lastDate = new Date(ms)));

/** Epoch milliseconds of an event's `@timestamp` (the stream's last second remembered). */
const timestampMs = createTimestampParser();

/** Whether a character code is one String.prototype.trim would remove at an end (ASCII whitespace or any ≥ 0x80). */
const maybeSpace = (c: number): boolean => c <= 32 || c >= 0x80;

/**
 * Parses one record into a stored ECS event: picks the parser, resolves the tenant, fills event.id (deterministic,
 * so re-delivery deduplicates), created/ingested/module/dataset/original and @timestamp, then replaces every person
 * code anywhere in the event by its pseudonym (GDPR Art. 25, 32: the store never holds codes in clear).
 *
 * Never throws on bad input: returns `{ ok: false, reason, field }`. Reasons never quote the input.
 * Takes `rec.value` over: the event may be built from that very object, completed and scrubbed in place.
 */
export function parseRecord(rec: RawRecord, ctx: IntakeContext, deps: ParseRecordDeps): ParseResult {
  try {
    const r = parseUnsafe(rec, ctx, deps);
    if (r.ok) return r;
    // Reasons may name values from the input (a tenant id); they must not carry a person code either.
    return { ...r, reason: deps.pseudonymiser.scrubText(r.reason.slice(0, 500)) };
  } catch (err) {
    // A parser bug must not take the batch down; the record goes to the dead-letter store with this reason.
    return { ok: false, reason: `parser error: ${(err as Error)?.name ?? 'Error'}` };
  }
}

function parseUnsafe(rec: RawRecord, ctx: IntakeContext, deps: ParseRecordDeps): ParseResult {
  const nowMs = deps.now ? deps.now().getTime() : Date.now();
  const ingested = isoOfClock(nowMs);
  let receivedAt: Date;
  let created: string;
  if (ctx.receivedAt) {
    const r = receivedAtOf(ctx.receivedAt);
    if (!r) return { ok: false, reason: 'receivedAt is not a timestamp' };
    receivedAt = r.date;
    created = r.iso;
  } else {
    receivedAt = dateOf(nowMs);
    created = ingested;
  }

  let raw = typeof rec.raw === 'string' ? rec.raw : '';
  let value = rec.value;
  if (value === undefined) {
    const t = raw.length > 0 && !maybeSpace(raw.charCodeAt(0)) && !maybeSpace(raw.charCodeAt(raw.length - 1)) ? raw : raw.trim();
    if (t === '') return { ok: false, reason: 'empty record' };
    if (t.charCodeAt(0) === 123 /* { */ || t.charCodeAt(0) === 91 /* [ */) {
      try {
        value = JSON.parse(t);
      } catch {
        // JSON.parse messages quote the input, which may hold person codes: say only what is wrong.
        return { ok: false, reason: 'invalid JSON (malformed or truncated)' };
      }
    }
  } else if (raw === '') {
    raw = JSON.stringify(value) ?? '';
  }
  if (Array.isArray(value)) return { ok: false, reason: 'a record must be one JSON object, not an array' };

  const parser = ctx.parser === 'auto' ? detect(raw, value) : ctx.parser;
  if (!parser) return { ok: false, reason: 'unrecognised record format (not VPS audit, Oracle audit, Winlogbeat, ECS, syslog or access log)' };
  if (!(parser in PARSERS)) return { ok: false, reason: `unknown parser ${String(parser)}` };
  if (JSON_PARSERS.has(parser) && !isObject(value)) return { ok: false, reason: `${parser} records must be JSON objects` };

  const parserDeps: ParserDeps = { pseudonymiser: deps.pseudonymiser, receivedAt, codesTaken: 0 };
  const out = PARSERS[parser](rec.raw === raw ? rec : { raw, value }, value, parserDeps);
  if (out instanceof ParseFailure) return { ok: false, reason: out.reason, field: out.field };

  const tenant = resolveTenant(out, parser, ctx, deps.tenants);
  if (tenant instanceof ParseFailure) return { ok: false, reason: tenant.reason, field: tenant.field };

  const ts = out['@timestamp'];
  if (typeof ts !== 'string') return { ok: false, reason: 'event has no timestamp', field: '@timestamp' };
  const tsMs = timestampMs(ts);
  if (Number.isNaN(tsMs)) return { ok: false, reason: '@timestamp is not a timestamp', field: '@timestamp' };
  if (tsMs > nowMs + FUTURE_TOLERANCE_MS) {
    return { ok: false, reason: '@timestamp is more than a day in the future', field: '@timestamp' };
  }

  const dataset = str(out.event.dataset) ?? DATASETS[parser];
  if (!DATASET_NAME.test(dataset)) {
    return { ok: false, reason: 'event.dataset must be lowercase letters, digits, _ . - (at most 100)', field: 'event.dataset' };
  }
  const givenId = str(out.event.id);
  // The parser's output is its own fresh object: completing it in place avoids copies (object spread with added
  // keys is slow in V8).
  const ev = out.event;
  ev.created = created;
  ev.ingested = ingested;
  ev.module = parser;
  ev.dataset = dataset;
  const keep = deps.keepOriginal ?? 'text';
  // Digits spelled as JSON \u escapes are written as digits (still valid JSON), so that scrubbing sees them.
  const original = keep === 'all' || (keep === 'text' && value === undefined);
  if (original) ev.original = raw.includes('\\u') ? raw.replace(/\\u003([0-9])/g, '$1') : raw;
  else if (ev.original !== undefined) delete ev.original; // (a delete makes V8 slow down the object: only when needed)
  if (out.vps) out.vps.tenant = tenant;
  else out.vps = { tenant };
  // Scrub last, over everything, in place (the parser's output is this call's own object): any person code left
  // in any field or key (SQL text, URLs, user names, maps keyed by code) is replaced by its pseudonym.
  if (needsScrub(raw, value, original, parserDeps.codesTaken ?? 0)) deps.pseudonymiser.scrubInPlace(out);
  const event = out as unknown as EcsEvent;
  // The id is derived after scrubbing was decided and is itself not scrubbed (it is an HMAC, not a code). It
  // starts with the event time, so ids arrive in near order: Lucene indexes and looks up such ids faster than
  // random ones (Elasticsearch, "Tune for indexing speed": use Lucene-friendly ids).
  event.event.id = tsMs.toString(36).padStart(9, '0') + deps.pseudonymiser.eventId([tenant, dataset, givenId ?? raw]);
  return { ok: true, event };
}

/**
 * Whether the scrubbing walk over the event could find a person code. Every string of the event comes from the
 * raw text (parsers add only fixed words, times and addresses), so the walk is skipped when the raw text shows that
 * it would find nothing:
 * - a text line (or a kept event.original): no run of six digits (a line parser may decode %-escapes, so a
 *   shorter run is still scrubbed) and no JSON \u escape that could spell one;
 * - a JSON record stored field by field: no backslash (so every string value and key is a slice of the raw
 *   text) and no code candidate besides the codes the parser itself replaced by pseudonyms (`codesTaken`, e.g. the
 *   VPS audit `person` field, each of which is exactly one candidate of the raw text).
 * The walk is a few microseconds per event; VPS audit records always name a person, so without the count every
 * one of them would be walked (issue 2: ≥ 100,000 events/s on one core).
 */
function needsScrub(raw: string, value: unknown, original: boolean, codesTaken: number): boolean {
  if (original || value === undefined || raw.includes('\\')) return SIX_DIGITS.test(raw) || raw.includes('\\u');
  return candidateCount(raw, codesTaken) > codesTaken;
}

/** Recognises a record's source from its shape (ctx.parser `auto`). */
export function detect(raw: string, value: unknown): ConcreteParser | undefined {
  if (isObject(value)) {
    if ('EVENT_TIMESTAMP' in value || 'EVENT_TIMESTAMP_UTC' in value || 'event_timestamp' in value) return 'oracle_audit';
    if (isObject(value.winlog)) return 'windows';
    if ('app' in value && 'user' in value && 'action' in value) return 'vps_audit';
    if ('@timestamp' in value || 'ecs' in value || 'ecs.version' in value) return 'ecs';
    if ('status' in value && ('uri' in value || 'request' in value || 'request_uri' in value || 'url' in value)) {
      return 'web_access';
    }
    return undefined;
  }
  if (value !== undefined) return undefined;
  const t = raw.trimStart();
  if (/^<\d{1,3}>/.test(t)) return 'syslog';
  if (COMBINED_LOG.test(t)) return 'web_access';
  return undefined;
}

/**
 * The tenant whose log this is. A tenant-scoped sender's events belong to its tenant (an event naming another in
 * vps.tenant is refused: a token must not write into another controller's data, GDPR Art. 28(3)). A central
 * sender (`*`) must say: vps.tenant, or organization.id for VPS audit events.
 */
function resolveTenant(
  out: ParsedEvent,
  parser: ConcreteParser,
  ctx: IntakeContext,
  tenants: ReadonlySet<string>,
): string | ParseFailure {
  const named = str(out.vps?.tenant);
  let tenant: string | undefined;
  if (ctx.tenant !== '*') {
    if (named !== undefined && named !== ctx.tenant) {
      return new ParseFailure(`event names tenant ${named}, but the sender may only send for ${ctx.tenant}`, 'vps.tenant');
    }
    tenant = ctx.tenant;
  } else {
    const org = isObject(out.organization) ? str(out.organization.id) : undefined;
    tenant = named ?? (parser === 'vps_audit' ? org : undefined);
    if (tenant === undefined) {
      return new ParseFailure('event does not name its tenant (vps.tenant) and the sender is not tenant-scoped', 'vps.tenant');
    }
  }
  if (!tenants.has(tenant)) return new ParseFailure(`unknown tenant ${tenant}`, 'vps.tenant');
  return tenant;
}

