import type { EcsEvent, IntakeContext, ParseResult, ParserName, RawRecord } from '../core/types';
import type { Pseudonymiser } from './pseudonymise';
import { parseEcs } from './parsers/ecs';
import { parseOracleAudit } from './parsers/oracle-audit';
import { isObject, ParseFailure, str, type ParsedEvent, type Parser } from './parsers/parser-types';
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
  const now = deps.now ? deps.now() : new Date();
  const receivedAt = ctx.receivedAt ? new Date(ctx.receivedAt) : now;
  if (Number.isNaN(receivedAt.getTime())) return { ok: false, reason: 'receivedAt is not a timestamp' };

  let raw = typeof rec.raw === 'string' ? rec.raw : '';
  let value = rec.value;
  if (value === undefined) {
    const t = raw.trim();
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

  const out = PARSERS[parser](rec.raw === raw ? rec : { raw, value }, value, {
    pseudonymiser: deps.pseudonymiser,
    receivedAt,
  });
  if (out instanceof ParseFailure) return { ok: false, reason: out.reason, field: out.field };

  const tenant = resolveTenant(out, parser, ctx, deps.tenants);
  if (tenant instanceof ParseFailure) return { ok: false, reason: tenant.reason, field: tenant.field };

  const ts = out['@timestamp'];
  if (typeof ts !== 'string') return { ok: false, reason: 'event has no timestamp', field: '@timestamp' };
  const tsMs = Date.parse(ts);
  if (Number.isNaN(tsMs)) return { ok: false, reason: '@timestamp is not a timestamp', field: '@timestamp' };
  if (tsMs > now.getTime() + FUTURE_TOLERANCE_MS) {
    return { ok: false, reason: '@timestamp is more than a day in the future', field: '@timestamp' };
  }

  const dataset = str(out.event.dataset) ?? DATASETS[parser];
  if (!DATASET_NAME.test(dataset)) {
    return { ok: false, reason: 'event.dataset must be lowercase letters, digits, _ . - (at most 100)', field: 'event.dataset' };
  }
  const givenId = str(out.event.id);
  const ingested = isoOf(now);
  // The parser's output is its own fresh object: completing it in place avoids copies (object spread with added
  // keys is slow in V8); scrubDeep below makes the final copy anyway.
  const ev = out.event;
  ev.created = receivedAt === now ? ingested : isoOf(receivedAt);
  ev.ingested = ingested;
  ev.module = parser;
  ev.dataset = dataset;
  const keep = deps.keepOriginal ?? 'text';
  // Digits spelled as JSON \u escapes are written as digits (still valid JSON), so that scrubbing sees them.
  if (keep === 'all' || (keep === 'text' && value === undefined)) ev.original = raw.includes('\\u') ? raw.replace(/\\u003([0-9])/g, '$1') : raw;
  else delete ev.original;
  if (out.vps) out.vps.tenant = tenant;
  else out.vps = { tenant };
  // Scrub last, over everything, in place (the parser's output is this call's own object): any person code left
  // in any field or key (SQL text, URLs, user names, maps keyed by code) is replaced by its pseudonym.
  // Every string of the event comes from the raw text (parsers add only fixed words, times and addresses): when
  // the raw text has no run of six digits, and no JSON \u escape that could spell one, there is nothing to scrub.
  if (SIX_DIGITS.test(raw) || raw.includes('\\u')) deps.pseudonymiser.scrubInPlace(out);
  const event = out as unknown as EcsEvent;
  // The id is derived after scrubbing was decided and is itself not scrubbed (it is an HMAC, not a code). It
  // starts with the event time, so ids arrive in near order: Lucene indexes and looks up such ids faster than
  // random ones (Elasticsearch, "Tune for indexing speed": use Lucene-friendly ids).
  event.event.id = tsMs.toString(36).padStart(9, '0') + deps.pseudonymiser.eventId([tenant, dataset, givenId ?? raw]);
  return { ok: true, event };
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

