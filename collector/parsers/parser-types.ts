import { isIP } from 'node:net';
import type { EcsEvent, RawRecord } from '../../core/types';
import type { Pseudonymiser } from '../pseudonymise';

/**
 * What a parser returns: the ECS fields it could read. collector/parse-record.ts adds the tenant, event.id,
 * created/ingested, module/dataset defaults and event.original, then scrubs person codes from everything.
 *
 * `event.id`, when a parser sets it, is the id the source itself gave the event (used to derive the
 * deterministic Sargs id, so that re-delivery deduplicates).
 */
export interface ParsedEvent {
  '@timestamp'?: string;
  event: Partial<EcsEvent['event']>;
  vps?: Partial<EcsEvent['vps']>;
  [k: string]: unknown;
}

/** A record a parser cannot turn into an event, with the field at fault when there is one. */
export class ParseFailure {
  constructor(
    readonly reason: string,
    readonly field?: string,
  ) {}
}

export type ParserOutput = ParsedEvent | ParseFailure;

/** What parsers may need besides the record. */
export interface ParserDeps {
  pseudonymiser: Pseudonymiser;
  /** When the record was received; sources without a usable clock (RFC 3164 relays) fall back to it. */
  receivedAt: Date;
  /**
   * A parser that replaces a person code field by its pseudonym itself, and keeps nothing else of that field in
   * its output, adds 1 here per code (collector/parse-record.ts then knows that those candidates of the raw text
   * need no scrubbing walk). Leave it alone when in doubt: the walk then runs.
   */
  codesTaken?: number;
}

/**
 * A parser: `value` is the record decoded from JSON when it was JSON (else undefined); `rec.raw` is its text.
 * Parsers never throw on bad input; they return a ParseFailure.
 */
export type Parser = (rec: RawRecord, value: unknown, deps: ParserDeps) => ParserOutput;

/** A plain object (not an array, not null). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty trimmed string from a string or number field, else undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** An integer from a number or numeric string, else undefined. */
export function int(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** Drops keys whose value is undefined (so that stored documents carry no empty fields). */
export function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

/**
 * ECS `source` (or `client`) fields for an address: `ip` only when it is an IP address (Elasticsearch maps `ip`
 * as type ip and rejects anything else), `address` always.
 */
export function endpoint(addr: unknown): { ip?: string; address: string } | undefined {
  const a = str(addr);
  if (a === undefined || a === '-') return undefined;
  return isIP(a) ? { ip: a, address: a } : { address: a };
}
