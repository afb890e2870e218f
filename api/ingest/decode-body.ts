import { AppError } from '../../core/errors';
import type { RawRecord } from '../../core/types';

/**
 * Splits an ingest body into records: a JSON array (each element one record) or NDJSON / plain log lines (one
 * record a line; a line that is not JSON is kept as text for the line parsers: access logs, syslog).
 */
export function decodeIngestBody(body: Buffer | undefined): RawRecord[] {
  const text = body && body.length ? body.toString('utf8') : '';
  const start = text.search(/\S/);
  if (start < 0) throw new AppError(400, 'empty_body', 'the request body holds no records', { field: 'body' });
  if (text[start] === '[') {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (err) {
      throw new AppError(400, 'invalid_json', `the body starts a JSON array but is not valid JSON: ${(err as Error).message}`, { field: 'body' });
    }
    if (!Array.isArray(arr)) throw new AppError(400, 'invalid_json', 'expected a JSON array', { field: 'body' });
    return arr.map((value) => ({ raw: JSON.stringify(value), value }));
  }
  const out: RawRecord[] = [];
  for (const line of text.split('\n')) {
    const raw = line.endsWith('\r') ? line.slice(0, -1) : line;
    // (a line that starts with `{` is not blank: the trim is for the others)
    if (raw.charCodeAt(0) !== 123 && !raw.trim()) continue;
    out.push({ raw, value: tryJson(raw) });
  }
  return out;
}

export function tryJson(raw: string): unknown {
  const first = raw.charCodeAt(0);
  const c = first === 123 || first === 91 ? first : raw.charCodeAt(raw.search(/\S/));
  if (c !== 123 /* { */ && c !== 91 /* [ */) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
