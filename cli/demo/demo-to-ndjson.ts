/** NDJSON bodies for `POST /api/v1/ingest` from demo records. */
import type { DemoRecord } from './demo-emitter';

/**
 * Groups demo records into NDJSON batches per tenant and parser (one intake request each), at most `batchSize`
 * lines per batch. Every record is sent as its raw line: JSON sources as their JSON, access-log and syslog lines as
 * text (the intake keeps a line that is not JSON as text for the line parsers). `textAsString: true` sends text
 * lines as JSON strings instead.
 * @example for (const b of demoToNdjson(generateDemo(opts))) await post(`/api/v1/ingest?parser=${b.parser}`, b.body)
 */
export function* demoToNdjson(
  records: Iterable<DemoRecord>,
  opts: { batchSize?: number; textAsString?: boolean } = {},
): Generator<{ tenant: string; parser: DemoRecord['parser']; body: string; count: number }> {
  const batchSize = opts.batchSize ?? 500;
  const textAsString = opts.textAsString ?? false;
  const open = new Map<string, { tenant: string; parser: DemoRecord['parser']; lines: string[] }>();
  const flush = (key: string) => {
    const b = open.get(key)!;
    open.delete(key);
    return { tenant: b.tenant, parser: b.parser, body: `${b.lines.join('\n')}\n`, count: b.lines.length };
  };
  for (const r of records) {
    const key = `${r.tenant}\u0000${r.parser}`;
    let b = open.get(key);
    if (!b) open.set(key, (b = { tenant: r.tenant, parser: r.parser, lines: [] }));
    const text = r.parser === 'web_access' || r.parser === 'syslog';
    b.lines.push(text && textAsString ? JSON.stringify(r.raw) : r.raw);
    if (b.lines.length >= batchSize) yield flush(key);
  }
  for (const key of [...open.keys()]) yield flush(key);
}
