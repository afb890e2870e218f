import { isObject, ParseFailure, type ParsedEvent, type ParserDeps, type ParserOutput } from './parser-types';
import { toIsoTimestamp } from './timestamp';
import type { RawRecord } from '../../core/types';

/**
 * Generic ECS JSON passed through: nested objects, dotted keys (`"event.action": "x"`) or a mix, expanded to
 * nested objects. `@timestamp` is required and normalised to ISO UTC; `vps.tenant` and `event.id`, when given,
 * are used for tenant resolution and deduplication.
 */
export function parseEcs(rec: RawRecord, value: unknown, deps?: ParserDeps): ParserOutput {
  if (!isObject(value)) return new ParseFailure('ECS event must be a JSON object');
  const doc = expandDotted(value);
  if (doc === undefined) {
    return new ParseFailure('a dotted key conflicts with a non-object value, or a key is __proto__/constructor/prototype');
  }
  if (doc['@timestamp'] === undefined) return new ParseFailure('missing required field @timestamp', '@timestamp');
  const ts = toIsoTimestamp(doc['@timestamp']);
  if (!ts) return new ParseFailure('@timestamp is not a timestamp', '@timestamp');
  if (doc.event !== undefined && !isObject(doc.event)) return new ParseFailure('event must be an object', 'event');
  if (doc.vps !== undefined && !isObject(doc.vps)) return new ParseFailure('vps must be an object', 'vps');
  const event = (doc.event ?? {}) as ParsedEvent['event'];
  if (event.id !== undefined && typeof event.id !== 'string') event.id = String(event.id);
  // module, created, ingested and original are Sargs' to set (see collector/parse-record.ts).
  delete event.module;
  delete event.created;
  delete event.ingested;
  delete event.original;
  doc['@timestamp'] = ts;
  doc.event = event;
  if (deps) pseudonymiseSubject(doc, deps);
  return doc as ParsedEvent;
}

const WHOLE_CODE = /^\d{6}-?\d{5}$/;

/**
 * `vps.subject.person` is where a shipper puts the data subject's person code: a valid code there becomes its
 * pseudonym here, the value the scrubbing walk would give, counted in `codesTaken` so that the walk over the whole
 * event can be skipped when nothing else holds a code (collector/parse-record.ts). Anything else (a pseudonym
 * already, a mistyped code) is left to the walk.
 */
function pseudonymiseSubject(doc: Record<string, unknown>, deps: ParserDeps): void {
  const subject = isObject(doc.vps) ? doc.vps.subject : undefined;
  if (!isObject(subject) || typeof subject.person !== 'string' || !WHOLE_CODE.test(subject.person)) return;
  try {
    subject.person = deps.pseudonymiser.person(subject.person);
  } catch {
    return; // not a valid code: the walk pseudonymises a hyphenated one all the same
  }
  if (deps.codesTaken !== undefined) deps.codesTaken++;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether any key, at any depth, is dotted (`dotted`) or could reach a prototype (`forbidden`). */
function keysShape(o: Record<string, unknown>): 'nested' | 'dotted' | 'forbidden' {
  let dotted = false;
  for (const key in o) {
    // ('__proto__' and 'prototype' have 9 characters, 'constructor' 11: most keys skip the set lookup)
    if ((key.length === 9 || key.length === 11) && FORBIDDEN.has(key)) return 'forbidden';
    if (!dotted && key !== '@timestamp' && key.includes('.')) dotted = true;
    const v = o[key];
    if (isObject(v)) {
      const inner = keysShape(v);
      if (inner === 'forbidden') return inner;
      if (inner === 'dotted') dotted = true;
    }
  }
  return dotted ? 'dotted' : 'nested';
}

/**
 * Expands `a.b.c` keys into nested objects (recursively); undefined on a conflict such as `a: 1, "a.b": 2` or on a
 * key that could reach an object prototype (`__proto__.x`).
 */
export function expandDotted(o: Record<string, unknown>): Record<string, unknown> | undefined {
  // Most shippers send nested JSON: then there is nothing to expand and the record's own object is used as it is.
  const shape = keysShape(o);
  if (shape === 'forbidden') return undefined;
  if (shape === 'nested') return o;
  const out: Record<string, unknown> = {};
  for (const key in o) {
    let v = o[key];
    if (isObject(v)) {
      const nested = expandDotted(v);
      if (!nested) return undefined;
      v = nested;
    }
    const parts = key.includes('.') && key !== '@timestamp' ? key.split('.') : [key];
    for (const p of parts) if (FORBIDDEN.has(p)) return undefined;
    let cur = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (cur[p] === undefined) cur[p] = {};
      else if (!isObject(cur[p])) return undefined;
      cur = cur[p] as Record<string, unknown>;
    }
    const last = parts[parts.length - 1];
    if (isObject(cur[last]) && isObject(v)) merge(cur[last] as Record<string, unknown>, v);
    else if (cur[last] !== undefined) return undefined;
    else cur[last] = v;
  }
  return out;
}

function merge(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const k in from) {
    if (isObject(into[k]) && isObject(from[k])) merge(into[k] as Record<string, unknown>, from[k] as Record<string, unknown>);
    else into[k] = from[k];
  }
}
