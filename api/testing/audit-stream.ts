/**
 * A stream of distinct VPS application audit events (DOMAIN.md, collector/parsers/vps-audit.ts) sent to
 * `POST /api/v1/ingest` in batches, recording exactly which batches were acknowledged: the evidence the fault
 * tests compare with what the event store holds.
 */

/** The record id of event `n` of stream `run`; it is the field the tests look stored events up by. */
export const recordId = (run: string, n: number) => `${run}-${n}`;

/** Event `n` of stream `run`: distinct by record_id and timestamp, so each has its own deterministic event.id. */
export function auditEvent(run: string, n: number): Record<string, unknown> {
  return {
    ts: new Date(Date.UTC(2026, 10, 2, 8, 0, 0) + n * 1000).toISOString(),
    app: ['PERS', 'SOPA', 'NINO', 'DZIMTS'][n % 4],
    org: ['riga', 'jelgava', 'jurmala'][n % 3],
    user: `user${n % 17}`,
    role: 'inspector',
    action: 'person-viewed',
    person: '161175-19997',
    subject_org: 'riga',
    category: 'residence',
    purpose: 'residence declaration 2026/17',
    record_id: recordId(run, n),
    outcome: 'success',
    ip: '10.20.30.40',
  };
}

/** Record ids of batch `i` (events i·size … i·size+size−1). */
export const batchIds = (run: string, i: number, size: number) => Array.from({ length: size }, (_, k) => recordId(run, i * size + k));

export interface PostResult {
  /** HTTP status, or 'error' when the connection failed (no answer: not acknowledged). */
  status: number | 'error';
  headers?: Headers;
  body?: { spooled?: number; created?: number; duplicates?: number; rejected?: number; [k: string]: unknown };
}

/** Posts batch `i` as NDJSON with a Bearer collector token. */
export async function postBatch(url: string, token: string, run: string, i: number, size: number): Promise<PostResult> {
  const body = Array.from({ length: size }, (_, k) => JSON.stringify(auditEvent(run, i * size + k))).join('\n') + '\n';
  try {
    const r = await fetch(`${url}/api/v1/ingest`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      signal: AbortSignal.timeout(60_000),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : undefined };
  } catch {
    return { status: 'error' };
  }
}

export interface BatchOutcome extends PostResult {
  batch: number;
}

/**
 * Sends `batches` batches from `first` on with `concurrency` requests in flight, in the background. A connection failure
 * (the server was killed) stops the sender; batches not yet sent then stay unsent. `onOutcome` runs as each
 * answer arrives, before the next request of that lane, so a test can inject a fault at a precise point.
 */
export function startSender(opts: {
  url: string;
  token: string;
  run: string;
  /** The first batch number (default 0); batches first … first+batches−1 are sent. */
  first?: number;
  batches: number;
  size: number;
  concurrency: number;
  onOutcome?: (o: BatchOutcome, all: BatchOutcome[]) => void | Promise<void>;
}): { outcomes: BatchOutcome[]; done: Promise<BatchOutcome[]>; stop(): void } {
  const outcomes: BatchOutcome[] = [];
  const first = opts.first ?? 0;
  let next = first;
  let stopped = false;
  const lane = async () => {
    while (!stopped && next < first + opts.batches) {
      const batch = next++;
      const r = await postBatch(opts.url, opts.token, opts.run, batch, opts.size);
      const o = { batch, ...r };
      outcomes.push(o);
      if (r.status === 'error') stopped = true;
      await opts.onOutcome?.(o, outcomes);
    }
  };
  const done = Promise.all(Array.from({ length: opts.concurrency }, lane)).then(() => outcomes);
  return { outcomes, done, stop: () => void (stopped = true) };
}

/**
 * Checks what a store holds against what the sender was told: every acknowledged event stored, nothing stored
 * twice, and nothing stored that was not sent (only unanswered in-flight batches may add events). Returns the
 * problems found, empty when none, so a failure names the record ids at fault.
 */
export function compareWithAcknowledged(
  stored: string[],
  outcomes: BatchOutcome[],
  run: string,
  size: number,
): { missing: string[]; duplicates: string[]; unexpected: string[]; acknowledged: number } {
  const seen = new Map<string, number>();
  for (const id of stored) seen.set(id, (seen.get(id) ?? 0) + 1);
  const acked = outcomes.filter((o) => o.status === 200).flatMap((o) => batchIds(run, o.batch, size));
  const mayBeStored = new Set([...acked, ...outcomes.filter((o) => o.status === 'error').flatMap((o) => batchIds(run, o.batch, size))]);
  return {
    missing: acked.filter((id) => !seen.has(id)),
    duplicates: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    unexpected: [...seen.keys()].filter((id) => !mayBeStored.has(id)),
    acknowledged: acked.length,
  };
}

/** Polls GET /healthz until the spool is empty; returns the last depth seen (0 unless the bound was hit). */
export async function waitForSpoolDrained(url: string, timeoutMs = 60_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let depth = -1;
  while (Date.now() < until) {
    try {
      const h = (await (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })).json()) as { spool: { depth: number } };
      depth = h.spool.depth;
      if (depth === 0) return 0;
    } catch {
      /* the server may be starting */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return depth;
}
